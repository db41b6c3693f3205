package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Large element-wise ops, row reductions and softmax split their work across the CPU pool; the
 * split is along whole elements or rows, so the numbers must not depend on the thread count.
 * Arithmetic and reductions must agree exactly. Transcendental kernels (tanh, and the exp inside
 * softmax and logsumexp) are checked to an ulp-level tolerance: the Vector API computes them with
 * the vector math library once the JIT has compiled a kernel but with {@code Math} per lane
 * before that, so their last bit can differ between a cold and a warm call, whatever the threads.
 */
class ParallelKernelsTest {
    private final int saved = CpuThreads.threads();

    @AfterEach
    void restore() {
        CpuThreads.setThreads(saved);
    }

    private static Tensor random(DType dtype, long seed, int... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (int s : shape) n *= s;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextGaussian() * 3;
        return Tensor.of(dtype, d, shape);
    }

    private static void sameOnOneAndThreeThreads(String what, Function<Tensor[], Tensor> op, Tensor... in) {
        CpuThreads.setThreads(1);
        double[] one = op.apply(in).toDoubleArray();
        CpuThreads.setThreads(3);
        double[] three = op.apply(in).toDoubleArray();
        assertArrayEquals(one, three, 0, what);
    }

    /** Within a relative {@code rtol} (a few ulps of the dtype): see the class comment. */
    private static void closeOnOneAndThreeThreads(String what, double rtol, Function<Tensor[], Tensor> op, Tensor... in) {
        CpuThreads.setThreads(1);
        double[] one = op.apply(in).toDoubleArray();
        CpuThreads.setThreads(3);
        double[] three = op.apply(in).toDoubleArray();
        for (int i = 0; i < one.length; i++) {
            assertEquals(one[i], three[i], rtol * Math.max(1, Math.abs(one[i])), what + " at " + i);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = random(dtype, 1, 9, 40_003), y = random(dtype, 2, 9, 40_003), b = random(dtype, 3, 40_003);
            sameOnOneAndThreeThreads(dtype + " add", t -> t[0].add(t[1]), x, y);
            sameOnOneAndThreeThreads(dtype + " mul by a scalar tensor", t -> t[0].mul(t[1]), x, Tensor.scalar(0.7, dtype));
            sameOnOneAndThreeThreads(dtype + " broadcast add", t -> t[0].add(t[1]), x, b);
            double ulps = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
            closeOnOneAndThreeThreads(dtype + " tanh", ulps, t -> t[0].tanh(), x);
            sameOnOneAndThreeThreads(dtype + " affine", t -> t[0].mul(1.5).add(2), x);
            sameOnOneAndThreeThreads(dtype + " row sum", t -> t[0].sum(-1), x);
            sameOnOneAndThreeThreads(dtype + " row amax", t -> t[0].amax(-1), x);
            closeOnOneAndThreeThreads(dtype + " softmax", ulps, t -> t[0].softmax(-1), x);
            closeOnOneAndThreeThreads(dtype + " log_softmax", ulps, t -> t[0].logSoftmax(-1), x);
            closeOnOneAndThreeThreads(dtype + " logsumexp", ulps, t -> t[0].logsumexp(-1), x);
            Tensor tall = random(dtype, 4, 70_001, 3);
            closeOnOneAndThreeThreads(dtype + " softmax over many short rows", ulps, t -> t[0].softmax(-1), tall);
            sameOnOneAndThreeThreads(dtype + " sum over many short rows", t -> t[0].sum(-1), tall);
        }
    }
}
