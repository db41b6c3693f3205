package org.rlgrad.estimators;

import java.util.Arrays;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;

/**
 * Random trajectory batches for the property tests (spec estimators.md §7): rewards and values
 * uniform in [−2, 2], {@code terminated ~ Bernoulli(p)} and {@code done = terminated OR
 * Bernoulli(p)}, so truncations (done, not terminated) occur; batch shapes {@code [1]},
 * {@code [3]}, {@code [7, 3]}; float64.
 */
record Trajectories(Tensor value, Tensor nextValue, Tensor reward, Tensor done, Tensor terminated) {

    static Trajectories draw(Gen gen, int[] shape) {
        double p = gen.choose(0.0, 0.1, 0.3);
        Tensor terminated = gen.bools(shape, p);
        Tensor done = terminated.logicalOr(gen.bools(shape, p));
        gen.note("shape", Arrays.toString(shape)).note("p(done)", p);
        return new Trajectories(gen.uniform(shape, -2, 2), gen.uniform(shape, -2, 2), gen.uniform(shape, -2, 2), done, terminated);
    }

    /** {@code [*B, T, 1]} with a random batch shape and T. */
    static int[] shape(Gen gen) {
        int t = gen.chooseInt(1, 2, 3, 5, 17, 50);
        int[] batch = gen.oneOf(new int[] {1}, new int[] {3}, new int[] {7, 3});
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = t;
        shape[batch.length + 1] = 1;
        return shape;
    }

    EstimatorOptions options() {
        return EstimatorOptions.defaults().withTerminated(terminated);
    }

    int steps() {
        return reward.size(-2);
    }

    static void assertClose(Tensor expected, Tensor got, double tol, String what) {
        if (!Arrays.equals(expected.shapeRef(), got.shapeRef())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(got.shapeRef()) + ", expected " + Arrays.toString(expected.shapeRef()));
        }
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - g[i]) <= tol * (1 + Math.abs(e[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + g[i] + ", expected " + e[i] + " (tolerance " + tol + ")");
            }
        }
    }
}
