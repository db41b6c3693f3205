package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/**
 * Small float64 policies, critics and trajectories for the A2C and REINFORCE tests, and the
 * by-hand formulas the tests check the losses against (computed in doubles from the networks'
 * outputs, not through the losses' code).
 */
final class TinyOnPolicy {
    static final int OBS = 3, ACT = 2, ACTIONS = 4, HIDDEN = 8;
    static final double LOG_2PI = Math.log(2 * Math.PI);

    private TinyOnPolicy() {}

    static Sequential mlp(int in, int out, long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(in, HIDDEN, true, DType.FLOAT64, g), new Tanh(), new Linear(HIDDEN, out, true, DType.FLOAT64, g));
    }

    /** observation → loc/scale (biased softplus) → the given Gaussian family over ACT dims, writing action and action_log_prob. */
    static ProbabilisticActor gaussianActor(UnaryModule net, DistributionFactory family, Map<String, ?> kwargs) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(net, List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(family).distributionKwargs(kwargs)
                .returnLogProb(true));
    }

    static ProbabilisticActor normalActor(Sequential net) {
        return gaussianActor(net, DistributionFactory.INDEPENDENT_NORMAL, Map.of());
    }

    static ProbabilisticActor normalActor(long seed) {
        return normalActor(mlp(OBS, 2 * ACT, seed));
    }

    static ProbabilisticActor tanhNormalActor(long seed) {
        return gaussianActor(mlp(OBS, 2 * ACT, seed), DistributionFactory.TANH_NORMAL, Map.of("low", -1.0, "high", 1.0));
    }

    /** observation → logits of a Categorical over ACTIONS (int64 index actions). */
    static ProbabilisticActor categoricalActor(Sequential net) {
        return new ProbabilisticActor(TensorDictModule.of(net, List.of("observation"), List.of("logits")),
                ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL).returnLogProb(true));
    }

    static ValueOperator critic(Sequential net) {
        return new ValueOperator(net);
    }

    /**
     * One trajectory of {@code n} steps (the batch dim is time): observations, the given actions,
     * their stored log-probabilities (arbitrary numbers: the losses must not rely on them), rewards,
     * flags; plus an {@code advantage} and a {@code value_target} when {@code withAdvantage}.
     */
    static TensorDict batch(Gen gen, int n, Tensor action, boolean withAdvantage) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.2);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("action", action);
        td.set("action_log_prob", gen.uniform(new int[] {n}, -3, 0));
        td.set("next", next);
        if (withAdvantage) {
            td.set("advantage", gen.uniform(new int[] {n, 1}, -2, 2));
            td.set("value_target", gen.uniform(new int[] {n, 1}, -2, 2));
        }
        return td;
    }

    static TensorDict continuousBatch(Gen gen, int n, boolean withAdvantage) {
        return batch(gen, n, gen.uniform(new int[] {n, ACT}, -1.5, 1.5), withAdvantage);
    }

    static TensorDict categoricalBatch(Gen gen, int n, boolean withAdvantage) {
        return batch(gen, n, gen.indices(new int[] {n}, ACTIONS), withAdvantage);
    }

    /** {@code td} with its samples in the order {@code perm}. */
    static TensorDict permuted(TensorDict td, int[] perm) {
        long[] idx = new long[perm.length];
        for (int i = 0; i < perm.length; i++) idx[i] = perm[i];
        return td.index(Tensor.of(idx, perm.length));
    }

    /** One step of a contextual bandit: a ~ π(·|s), reward −|a − a*(s)|² with a*(s) = (0.5 s₀, −0.5 s₁), every step terminal. */
    static TensorDict banditRollout(ProbabilisticActor actor, Gen gen, int n) {
        TensorDict td = TinyOnPolicy.batch(gen, n, Tensor.zeros(DType.FLOAT64, n, ACT), false);
        td.remove(Key.of("action"));
        td.remove(Key.of("action_log_prob"));
        try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope m = InteractionType.set(InteractionType.RANDOM)) {
            actor.forward(td);
        }
        Tensor obs = td.get("observation");
        Tensor best = obs.narrow(-1, 0, ACT).mul(Tensor.of(DType.FLOAT64, new double[] {0.5, -0.5}, ACT));
        Tensor reward = td.get("action").sub(best).square().sum(-1, true).neg();
        TensorDict next = td.getTensorDict(Key.of("next"));
        next.set("reward", reward);
        next.set("done", Tensor.of(new boolean[n], n, 1).logicalNot());
        next.set("terminated", Tensor.of(new boolean[n], n, 1).logicalNot());
        for (String k : List.of("loc", "scale", "param")) td.remove(Key.of(k));
        return td;
    }

    /** The actor's distribution parameters on {@code td} (loc and scale, or logits), [n, k] row-major, without gradient. */
    static double[] distParam(ProbabilisticActor actor, TensorDict td, String name) {
        try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope m = InteractionType.set(InteractionType.RANDOM)) {
            return actor.distParams(td.copy()).get(name).toDoubleArray();
        }
    }

    /** Σ_d log N(a_d; loc_d, scale_d) of row {@code i}. */
    static double normalLogProb(double[] loc, double[] scale, double[] a, int i) {
        double s = 0;
        for (int d = 0; d < ACT; d++) {
            int k = i * ACT + d;
            double z = (a[k] - loc[k]) / scale[k];
            s += -0.5 * z * z - Math.log(scale[k]) - 0.5 * LOG_2PI;
        }
        return s;
    }

    /** Σ_d (½ + ½ ln 2π + ln scale_d) of row {@code i}. */
    static double normalEntropy(double[] scale, int i) {
        double s = 0;
        for (int d = 0; d < ACT; d++) s += 0.5 + 0.5 * LOG_2PI + Math.log(scale[i * ACT + d]);
        return s;
    }

    /** log softmax(logits_i)[j]. */
    static double logSoftmax(double[] logits, int i, int j) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < ACTIONS; k++) max = Math.max(max, logits[i * ACTIONS + k]);
        double z = 0;
        for (int k = 0; k < ACTIONS; k++) z += Math.exp(logits[i * ACTIONS + k] - max);
        return logits[i * ACTIONS + j] - max - Math.log(z);
    }

    static double categoricalEntropy(double[] logits, int i) {
        double h = 0;
        for (int k = 0; k < ACTIONS; k++) {
            double lp = logSoftmax(logits, i, k);
            h -= Math.exp(lp) * lp;
        }
        return h;
    }

    static int argmax(double[] logits, int i) {
        int best = 0;
        for (int k = 1; k < ACTIONS; k++) if (logits[i * ACTIONS + k] > logits[i * ACTIONS + best]) best = k;
        return best;
    }

    /** V(s) of every row, from the critic network directly. */
    static double[] values(Sequential criticNet, Tensor obs) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            return criticNet.forward(obs).reshape(-1).toDoubleArray();
        }
    }

    /**
     * GAE along one trajectory (FORMAT-losses.md §5), in doubles: {@code δ_t = r_t + γ(1 − term_t)V'_t − V_t},
     * {@code A_t = δ_t + γλ(1 − done_t)A_{t+1}}. Returns {@code [A, A + V]}.
     */
    static double[][] gae(Sequential criticNet, TensorDict td, double gamma, double lambda) {
        double[] v = values(criticNet, td.get("observation")), vNext = values(criticNet, td.get(Key.of("next", "observation")));
        double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
        double[] term = td.get(Key.of("next", "terminated")).to(DType.FLOAT64).toDoubleArray();
        double[] done = td.get(Key.of("next", "done")).to(DType.FLOAT64).toDoubleArray();
        int n = v.length;
        double[] adv = new double[n], target = new double[n];
        double running = 0;
        for (int t = n - 1; t >= 0; t--) {
            double delta = r[t] + gamma * (1 - term[t]) * vNext[t] - v[t];
            running = delta + gamma * lambda * (1 - done[t]) * running;
            adv[t] = running;
            target[t] = running + v[t];
        }
        return new double[][] {adv, target};
    }

    /** The distance of spec §1.12 on numbers. */
    static double distance(String kind, double x, double y) {
        double d = x - y;
        return switch (kind) {
            case "l2" -> d * d;
            case "l1" -> Math.abs(d);
            default -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
        };
    }

    static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s / xs.length;
    }

    /**
     * Trains {@code loss} (over {@code actor}) with Adam for 300 steps on 32-sample bandit rollouts
     * and checks that the mean reward rises by more than 0.5, that the critic's loss entry
     * {@code criticEntry} falls below half its start, and that nothing becomes NaN.
     */
    static void assertBanditTrainingImproves(LossModule loss, ProbabilisticActor actor, long seed, String criticEntry) {
        Adam opt = new Adam(loss.parameters(), 0.02);
        Gen gen = Gen.seeded(seed);
        List<Double> rewards = new ArrayList<>(), critic = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            TensorDict td = banditRollout(actor, gen, 32);
            rewards.add(td.get(Key.of("next", "reward")).mean().item());
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            total.backward();
            opt.step();
            assertTrue(Double.isFinite(total.item()), "step " + step);
            critic.add(out.get(criticEntry).item());
        }
        double r0 = Bandit.mean(rewards, 0, 30), r1 = Bandit.mean(rewards, 270, 300);
        double c0 = Bandit.mean(critic, 0, 30), c1 = Bandit.mean(critic, 270, 300);
        assertTrue(r1 > r0 + 0.5, "mean reward " + r0 + " -> " + r1);
        assertTrue(c1 < 0.5 * c0, criticEntry + " " + c0 + " -> " + c1);
        for (Tensor p : loss.parameters()) assertFalse(p.isNan().any().item() != 0);
    }
}
