package org.rlgrad.losses;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/** Small float64 TanhNormal actors, Q networks and continuous-action batches for the CQL tests. */
final class TinyCql {
    static final int OBS = 3, HIDDEN = 6, ACTION = 2;

    private TinyCql() {}

    static Sequential mlp(int in, int out, Generator g) {
        return new Sequential(new Linear(in, HIDDEN, true, DType.FLOAT64, g), new Tanh(), new Linear(HIDDEN, out, true, DType.FLOAT64, g));
    }

    /** MLP(observation) → loc, raw scale → TanhNormal on [−1, 1] (a {@link ProbabilisticActor} writing {@code action}). */
    static ProbabilisticActor actor(long seed) {
        return actor(mlp(OBS, 2 * ACTION, new Generator(seed)));
    }

    static ProbabilisticActor actor(UnaryModule net) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(net).inKeys("observation").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule()).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
    }

    /** MLP(cat(observation, action)) → {@code state_action_value}; {@code actionKey} is the action's key. */
    static ValueOperator critic(long seed, String actionKey) {
        Sequential net = mlp(OBS + ACTION, 1, new Generator(seed));
        return new ValueOperator(net, (positional, named) -> net.forward(Tensor.cat(positional, -1)), List.of("observation", actionKey),
                List.of("state_action_value"));
    }

    static ValueOperator critic(long seed) {
        return critic(seed, "action");
    }

    static List<TensorDictModuleBase> critics(long seed) {
        return List.of(critic(seed), critic(seed + 1));
    }

    /**
     * A critic that reads the observation through {@code trunk} (shared with an actor) and then its
     * own head: {@code head(cat(tanh(trunk(s)), a))}.
     */
    static ValueOperator criticOnTrunk(Linear trunk, long seed) {
        Linear head = new Linear(HIDDEN + ACTION, 1, true, DType.FLOAT64, new Generator(seed));
        Module holder = new Sequential(trunk, head);
        return new ValueOperator(holder, (positional, named) -> head.forward(Tensor.cat(List.of(trunk.forward(positional.get(0)).tanh(), positional.get(1)), -1)),
                List.of("observation", "action"), List.of("state_action_value"));
    }

    /** A batch of {@code n} transitions: actions inside (−1, 1), [n, 1] rewards and boolean flags. */
    static TensorDict batch(Gen gen, int n) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {n, ACTION}, -0.95, 0.95));
        td.set("next", next);
        return td;
    }
}
