package org.rlgrad.losses;

import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/** Small float64 Q networks and transition batches for the loss tests. */
final class TinyQ {
    static final int OBS = 3, HIDDEN = 5, ACTIONS = 4;

    private TinyQ() {}

    static Sequential network(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS, HIDDEN, true, DType.FLOAT64, g), new Tanh(), new Linear(HIDDEN, ACTIONS, true, DType.FLOAT64, g));
    }

    /** A batch of {@code n} transitions with one-hot int64 actions, [n, 1] rewards and boolean flags. */
    static TensorDict batch(Gen gen, int n) {
        long[] action = new long[n * ACTIONS];
        for (int i = 0; i < n; i++) action[i * ACTIONS + gen.intIn(0, ACTIONS - 1)] = 1;
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("action", Tensor.of(action, n, ACTIONS));
        td.set("next", next);
        return td;
    }
}
