package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/** Builders and checks shared by the module tests. */
final class ModulesFixture {
    static final DType F64 = DType.FLOAT64;

    private ModulesFixture() {}

    /** float64 values {@code offset, offset + step, ...}: every element distinct, so a misplaced one shows. */
    static Tensor seq(double offset, double step, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = offset + step * i;
        return Tensor.of(F64, v, shape);
    }

    static Tensor randn(long seed, int... shape) {
        return new Generator(seed).normal(shape, F64);
    }

    static Linear linear(int in, int out, long seed) {
        return new Linear(in, out, true, F64, new Generator(seed));
    }

    static void assertClose(Tensor expected, Tensor got, double tol, String what) {
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), tol, what);
    }

    /** The message names every fragment (what was expected and what came). */
    static void assertMentions(Throwable e, String... fragments) {
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message should mention '" + f + "': " + e.getMessage());
    }
}
