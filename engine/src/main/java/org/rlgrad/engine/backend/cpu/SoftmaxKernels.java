package org.rlgrad.engine.backend.cpu;

import org.rlgrad.engine.backend.ReduceOp;

/**
 * softmax, log_softmax and log-sum-exp over contiguous rows, fused: one pass for the max, one
 * that writes exp(x - max) and sums it, one that normalises. The shift is the row max unless that
 * is infinite (then 0), so a row of -inf gives NaN as in PyTorch, and finite rows never overflow.
 */
final class SoftmaxKernels {
    private SoftmaxKernels() {}

    private static double shift(double max) {
        return Double.isInfinite(max) ? 0 : max;
    }

    /** Row r occupies x[a + r n .. a + r n + n); the result goes to out[o + r n ...]. */
    static void softmax(float[] x, int a, float[] out, int o, int rows, int n, boolean log) {
        for (int r = 0; r < rows; r++) {
            int xa = a + r * n, oa = o + r * n;
            double m = shift(VectorKernels.reduce(ReduceOp.MAX, x, xa, n));
            double sum = VectorKernels.expShifted(x, xa, m, out, oa, n);
            if (log) {
                VectorKernels.unary(org.rlgrad.engine.backend.UnaryOp.AFFINE, 1, -(m + Math.log(sum)), x, xa, out, oa, n);
            } else {
                VectorKernels.unary(org.rlgrad.engine.backend.UnaryOp.AFFINE, 1 / sum, 0, out, oa, out, oa, n);
            }
        }
    }

    static void softmax(double[] x, int a, double[] out, int o, int rows, int n, boolean log) {
        for (int r = 0; r < rows; r++) {
            int xa = a + r * n, oa = o + r * n;
            double m = shift(VectorKernels.reduce(ReduceOp.MAX, x, xa, n));
            double sum = VectorKernels.expShifted(x, xa, m, out, oa, n);
            if (log) {
                VectorKernels.unary(org.rlgrad.engine.backend.UnaryOp.AFFINE, 1, -(m + Math.log(sum)), x, xa, out, oa, n);
            } else {
                VectorKernels.unary(org.rlgrad.engine.backend.UnaryOp.AFFINE, 1 / sum, 0, out, oa, out, oa, n);
            }
        }
    }

    /** out[o + r] = log sum_i exp(x[row r]), with {@code scratch} (length &gt;= n) holding the exponentials. */
    static void logSumExp(float[] x, int a, float[] scratch, float[] out, int o, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int xa = a + r * n;
            double m = shift(VectorKernels.reduce(ReduceOp.MAX, x, xa, n));
            out[o + r] = (float) (m + Math.log(VectorKernels.expShifted(x, xa, m, scratch, 0, n)));
        }
    }

    static void logSumExp(double[] x, int a, double[] scratch, double[] out, int o, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int xa = a + r * n;
            double m = shift(VectorKernels.reduce(ReduceOp.MAX, x, xa, n));
            out[o + r] = m + Math.log(VectorKernels.expShifted(x, xa, m, scratch, 0, n));
        }
    }
}
