package org.rlgrad.losses;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/** Small float64 actors, critics and transition batches for the SAC-family tests. */
final class TinySac {
    static final int OBS = 3, ACT = 2, HIDDEN = 16, ACTIONS = 4;

    private TinySac() {}

    /** One hidden ReLU layer of HIDDEN units (ReLU: a tanh layer this narrow fits the smoke tests' quadratic rewards too slowly). */
    static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(HIDDEN).depth(1).activation(ReLU::new).dtype(DType.FLOAT64).generator(new Generator(seed)).build();
    }

    /** observation → TanhNormal(loc, softplus scale) on (-1, 1)^ACT, writing action and action_log_prob. */
    static ProbabilisticActor actor(long seed) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * ACT, seed), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
    }

    /** Q(observation, action) → state_action_value. */
    static ValueOperator critic(long seed) {
        MLP net = mlp(OBS + ACT, 1, seed);
        return new ValueOperator(net, (positional, named) -> net.forward(Tensor.cat(positional, -1)), List.of("observation", "action"),
                List.of("state_action_value"));
    }

    static List<ValueOperator> critics(long seed, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(k -> critic(seed + 17L * k)).toList();
    }

    /** V(observation) → state_value. */
    static ValueOperator value(long seed) {
        return new ValueOperator(mlp(OBS, 1, seed));
    }

    /** observation → logits of a one-hot categorical over ACTIONS. */
    static ProbabilisticActor discreteActor(long seed) {
        return new ProbabilisticActor(TensorDictModule.of(mlp(OBS, ACTIONS, seed), List.of("observation"), List.of("logits")),
                ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.ONE_HOT_CATEGORICAL).returnLogProb(true));
    }

    /** A Q-value actor: observation → action_value (and a greedy one-hot action, chosen_action_value). */
    static QValueActor discreteCritic(long seed) {
        return new QValueActor(mlp(OBS, ACTIONS, seed), List.of("observation"), QValueModule.builder("one_hot").build());
    }

    static List<QValueActor> discreteCritics(long seed, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(k -> discreteCritic(seed + 17L * k)).toList();
    }

    /** {@code n} transitions with continuous actions in (-0.9, 0.9), [n, 1] rewards and boolean flags. */
    static TensorDict batch(Gen gen, int n) {
        return withAction(gen, n, gen.uniform(new int[] {n, ACT}, -0.9, 0.9));
    }

    /** {@code n} transitions with one-hot int64 actions over ACTIONS. */
    static TensorDict discreteBatch(Gen gen, int n) {
        long[] a = new long[n * ACTIONS];
        for (int i = 0; i < n; i++) a[i * ACTIONS + gen.intIn(0, ACTIONS - 1)] = 1;
        return withAction(gen, n, Tensor.of(a, n, ACTIONS));
    }

    private static TensorDict withAction(Gen gen, int n, Tensor action) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("action", action);
        td.set("next", next);
        return td;
    }

    /** Standard-normal noise of {@code shape} (float64) from a seeded generator. */
    static Tensor noise(long seed, int... shape) {
        return new Generator(seed).normal(shape, DType.FLOAT64);
    }
}
