package org.rlgrad.losses;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/** Small float64 networks (actors, critics, V) and offline batches for the IQL tests. */
final class TinyIql {
    static final int OBS = 3, ACT = 2, HIDDEN = 6, N_ACTIONS = 4;

    private TinyIql() {}

    static Sequential mlp(long seed, int in, int out) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(in, HIDDEN, true, DType.FLOAT64, g), new Tanh(), new Linear(HIDDEN, out, true, DType.FLOAT64, g));
    }

    /** A TanhNormal policy on [-1, 1]^ACT from {@code net} (obs → 2·ACT numbers: loc, then the raw scale). */
    static ProbabilisticActor tanhNormalActor(UnaryModule net) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(net).inKeys("observation").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)));
    }

    static ProbabilisticActor tanhNormalActor(long seed) {
        return tanhNormalActor(mlp(seed, OBS, 2 * ACT));
    }

    /** Q(s, a) from {@code net} applied to concat(observation, action key), written at {@code outKey}. */
    static ValueOperator critic(Sequential net, String actionKey, String outKey) {
        TensorFunction cat = (positional, named) -> net.forward(Tensor.cat(positional, -1));
        return new ValueOperator(net, cat, List.of("observation", actionKey), List.of(outKey));
    }

    static ValueOperator critic(long seed) {
        return critic(mlp(seed, OBS + ACT, 1), "action", "state_action_value");
    }

    static ValueOperator value(long seed) {
        return new ValueOperator(mlp(seed, OBS, 1));
    }

    /** n transitions with actions in (-1, 1)^ACT, [n, 1] rewards and boolean flags. */
    static TensorDict continuousBatch(Gen gen, int n) {
        TensorDict td = transitions(gen, n);
        td.set("action", gen.uniform(new int[] {n, ACT}, -0.95, 0.95));
        return td;
    }

    /** n transitions with actions given as indices {@code [n]} (categorical) or one-hot int64 {@code [n, N_ACTIONS]}. */
    static TensorDict discreteBatch(Gen gen, int n, boolean oneHot) {
        TensorDict td = transitions(gen, n);
        Tensor idx = gen.indices(new int[] {n}, N_ACTIONS);
        td.set("action", oneHot ? oneHot(idx) : idx);
        return td;
    }

    static Tensor oneHot(Tensor idx) {
        long[] i = idx.toLongArray();
        long[] out = new long[i.length * N_ACTIONS];
        for (int k = 0; k < i.length; k++) out[k * N_ACTIONS + (int) i[k]] = 1;
        return Tensor.of(out, i.length, N_ACTIONS);
    }

    private static TensorDict transitions(Gen gen, int n) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("next", next);
        return td;
    }
}
