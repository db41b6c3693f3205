package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.List;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/** Small float64 deterministic actors, Q critics and continuous-action batches for the DDPG and TD3 tests. */
final class TinyActorCritic {
    static final int OBS = 3, ACT = 2, HIDDEN = 5;

    private TinyActorCritic() {}

    /** observation → action in (−1, 1). */
    static Sequential actorNet(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS, HIDDEN, true, DType.FLOAT64, g), new Tanh(), new Linear(HIDDEN, ACT, true, DType.FLOAT64, g), new Tanh());
    }

    /** [observation, action] → [.., 1]. */
    static Sequential criticNet(long seed) {
        return criticNet(seed, HIDDEN);
    }

    /** A wider critic for the training runs. */
    static Sequential criticNet(long seed, int hidden) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS + ACT, hidden, true, DType.FLOAT64, g), new Tanh(), new Linear(hidden, 1, true, DType.FLOAT64, g));
    }

    static Actor actor(Sequential net) {
        return actor(net, "action");
    }

    static Actor actor(Sequential net, String actionKey) {
        return new Actor(net, List.of("observation"), List.of(actionKey));
    }

    static ValueOperator critic(Sequential net) {
        return critic(net, "action", "state_action_value");
    }

    static ValueOperator critic(Sequential net, String actionKey, String valueKey) {
        TensorFunction f = TensorFunction.of((o, a) -> net.forward(Tensor.cat(List.of(o, a), -1)));
        return new ValueOperator(net, f, List.of("observation", actionKey), List.of(valueKey));
    }

    /** The critic network on (obs, action) directly: {@code [n]}. */
    static double[] q(Sequential criticNet, Tensor obs, Tensor action) {
        return criticNet.forward(Tensor.cat(List.of(obs, action), -1)).squeeze(-1).toDoubleArray();
    }

    static TensorDict paramsOf(Sequential net) {
        return Parameters.fromModule(net);
    }

    /** A batch of {@code n} transitions: actions in [−1, 1], [n, 1] rewards, boolean flags. */
    static TensorDict batch(Gen gen, int n) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {n, ACT}, -1, 1));
        td.set("next", next);
        return td;
    }

    /** {@code td} with its samples in the order {@code perm}. */
    static TensorDict permuted(TensorDict td, int[] perm) {
        long[] idx = new long[perm.length];
        for (int i = 0; i < perm.length; i++) idx[i] = perm[i];
        return td.index(Tensor.of(idx, perm.length));
    }

    /** The gradient of {@code output} for each of {@code leaves} (zeros where it does not depend on one). */
    static List<Tensor> grads(Tensor output, List<Tensor> leaves) {
        return Autograd.grad(List.of(output), leaves, null, false, true, true);
    }

    /** The sum of |g| over every tensor. */
    static double size(List<Tensor> grads) {
        double s = 0;
        for (Tensor g : grads) s += g.abs().sum().item();
        return s;
    }

    static List<Tensor> concat(List<Tensor> a, List<Tensor> b) {
        List<Tensor> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
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
}
