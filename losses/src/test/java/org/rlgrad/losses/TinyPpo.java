package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/**
 * Small float64 policies, critics and batches for the PPO-family tests: a Gaussian actor
 * (IndependentNormal, loc/scale with an {@code exp} scale so that tests can write the density by
 * hand), a categorical actor, a state-value critic, a two-head composite actor (an element-wise
 * Normal head over {@code agents/action} {@code [B, N_AGENTS, F0]} and a Categorical head over
 * {@code action_cat}) and batches collected by a <em>behaviour</em> policy (another seed), so that
 * the importance weights are not all 1.
 */
final class TinyPpo {
    static final int OBS = 3, ACT = 2, HIDDEN = 8, ACTIONS = 4, N_AGENTS = 3, F0 = 2;
    static final Key AGENT_ACTION = Key.of("agents", "action");
    static final Key AGENT_LOG_PROB = Key.of("agents", "action_log_prob");
    static final Key AGENT_OBS = Key.of("agents", "observation");
    static final Key CAT_ACTION = Key.of("action_cat");
    static final Key CAT_LOG_PROB = Key.of("action_cat_log_prob");

    private TinyPpo() {}

    static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(HIDDEN).depth(1).activation(Tanh::new).dtype(DType.FLOAT64).generator(new Generator(seed)).build();
    }

    /** observation → IndependentNormal(loc, exp(raw)) over ACT dims, writing action and action_log_prob. */
    static ProbabilisticActor normalActor(long seed) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * ACT, seed), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("exp", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.INDEPENDENT_NORMAL)
                .returnLogProb(true));
    }

    /** observation → Categorical(logits) over ACTIONS. */
    static ProbabilisticActor categoricalActor(long seed) {
        return new ProbabilisticActor(TensorDictModule.of(mlp(OBS, ACTIONS, seed), List.of("observation"), List.of("logits")),
                ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL).returnLogProb(true));
    }

    /** observation → state_value. */
    static ValueOperator critic(long seed) {
        return new ValueOperator(mlp(OBS, 1, seed));
    }

    /**
     * Two heads: {@code agents/action} an element-wise Normal {@code [B, N_AGENTS, F0]} from
     * {@code agents/observation} (loc, exp scale), {@code action_cat} a Categorical over
     * {@code nCat} from {@code observation}. Built under the current aggregation setting.
     */
    static ProbabilisticActor compositeActor(long seed, int nCat) {
        Map<String, DistributionFactory> heads = new LinkedHashMap<>();
        heads.put("agents", DistributionFactory.NORMAL);
        heads.put("cat", DistributionFactory.CATEGORICAL);
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("agents", AGENT_ACTION);
        names.put("cat", CAT_ACTION);
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * F0, seed), List.of(AGENT_OBS), List.of(Key.of("agents", "param"))),
                TensorDictModule.builder(new NormalParamExtractorModule("exp", 1e-4)).inKeys(Key.of("agents", "param"))
                        .outKeys(Key.of("params", "agents", "loc"), Key.of("params", "agents", "scale")).build(),
                TensorDictModule.of(mlp(OBS, nCat, seed + 1), List.of("observation"), List.of(Key.of("params", "cat", "logits"))));
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("params").composite(heads, names).returnLogProb(true));
    }

    /** The network of a head of {@link #compositeActor} (0: agents, 1: categorical), for independent checks. */
    static TensorDictModuleBase headNetwork(ProbabilisticActor actor, int head) {
        TensorDictSequential params = (TensorDictSequential) actor.deterministicPart().get(0);
        return params.sequence().get(head == 0 ? 0 : 2);
    }

    /** {@code n} steps of observations; {@code behaviour} acts (RANDOM) and writes its actions, log-probs and distribution inputs. */
    static TensorDict collect(Gen gen, int n, TensorDictModuleBase behaviour, long seed) {
        TensorDict td = transitions(gen, n);
        if (behaviour instanceof ProbabilisticActor p) p.probabilisticModule().randomSource(new Generator(seed));
        try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope r = InteractionType.set(InteractionType.RANDOM)) {
            behaviour.forward(td);
        }
        return td;
    }

    /** Observations (root and {@code agents}), next observations, rewards and flags; no action. */
    static TensorDict transitions(Gen gen, int n) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.2);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set(AGENT_OBS, gen.uniform(new int[] {n, N_AGENTS, OBS}, -1, 1));
        td.set("next", next);
        return td;
    }

    /** {@link #collect} plus an advantage and a value target {@code [n, 1]}. */
    static TensorDict batch(Gen gen, int n, TensorDictModuleBase behaviour, long seed) {
        TensorDict td = collect(gen, n, behaviour, seed);
        td.set("advantage", gen.uniform(new int[] {n, 1}, -2, 2));
        td.set("value_target", gen.uniform(new int[] {n, 1}, -2, 2));
        return td;
    }

    /** {@code td} with its samples in the order {@code perm}. */
    static TensorDict permuted(TensorDict td, int[] perm) {
        long[] idx = new long[perm.length];
        for (int i = 0; i < perm.length; i++) idx[i] = perm[i];
        return td.index(Tensor.of(idx, perm.length));
    }

    /** log N(x; μ, σ) for numbers. */
    static double normalLogDensity(double x, double mu, double sigma) {
        double z = (x - mu) / sigma;
        return -0.5 * z * z - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
    }

    /** log softmax(logits)[a] for numbers. */
    static double logSoftmax(double[] logits, int from, int n, int a) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logits[from + j]);
        double s = 0;
        for (int j = 0; j < n; j++) s += Math.exp(logits[from + j] - max);
        return logits[from + a] - max - Math.log(s);
    }

    /** The raw network outputs of the Gaussian actor's MLP for {@code obs}: {@code [n, 2 ACT]} (first half loc, second half log σ). */
    static double[] normalActorRaw(ProbabilisticActor actor, Tensor obs) {
        TensorDictSequential params = (TensorDictSequential) actor.deterministicPart().get(0);
        TensorDict td = new TensorDict(obs.size(0));
        td.set("observation", obs);
        try (GradMode.Scope g = GradMode.noGrad()) {
            return params.sequence().get(0).forward(td).get("param").toDoubleArray();
        }
    }

    /** {@code log π(a | s)} of the Gaussian actor, by hand from its MLP's outputs: {@code [n]}. */
    static double[] normalLogProb(ProbabilisticActor actor, Tensor obs, Tensor action) {
        int n = obs.size(0);
        double[] raw = normalActorRaw(actor, obs), a = action.toDoubleArray(), out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < ACT; j++) out[i] += normalLogDensity(a[i * ACT + j], raw[i * 2 * ACT + j], Math.exp(raw[i * 2 * ACT + ACT + j]));
        }
        return out;
    }

    /** The Gaussian actor's entropy by hand: {@code Σ_j (½ + ½ ln 2π + ln σ_j)}, {@code [n]}. */
    static double[] normalEntropy(ProbabilisticActor actor, Tensor obs) {
        int n = obs.size(0);
        double[] raw = normalActorRaw(actor, obs), out = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < ACT; j++) out[i] += 0.5 + 0.5 * Math.log(2 * Math.PI) + raw[i * 2 * ACT + ACT + j];
        return out;
    }

    static double smoothL1(double x, double y) {
        double d = x - y;
        return Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
    }

    /** The critic's values for {@code obs}, {@code [n]}. */
    static double[] values(ValueOperator critic, Tensor obs) {
        TensorDict td = new TensorDict(obs.size(0));
        td.set("observation", obs);
        try (GradMode.Scope g = GradMode.noGrad()) {
            return critic.forward(td).get("state_value").toDoubleArray();
        }
    }

    static void assertClose(double want, double got, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(want, got, 1e-10 * (1 + Math.abs(want)), what);
    }
}
