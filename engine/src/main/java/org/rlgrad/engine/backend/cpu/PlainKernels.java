package org.rlgrad.engine.backend.cpu;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.backend.UnaryOp;

/**
 * Plain-loop twins of {@link VectorKernels}: the same contracts, one element at a time. The SIMD
 * kernels use them for their tails, and tests compare the two on every op and many lengths.
 */
final class PlainKernels {
    private PlainKernels() {}

    static boolean binary(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, float[] out, int o, int n) {
        if (!VectorKernels.hasBinaryFastPath(op)) return false;
        binaryTail(op, x, a, y, b, yScalar, out, o, 0, n);
        return true;
    }

    static boolean binary(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, double[] out, int o, int n) {
        if (!VectorKernels.hasBinaryFastPath(op)) return false;
        binaryTail(op, x, a, y, b, yScalar, out, o, 0, n);
        return true;
    }

    static boolean compare(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, boolean[] out, int o, int n) {
        if (!VectorKernels.hasCompareFastPath(op)) return false;
        compareTail(op, x, a, y, b, yScalar, out, o, 0, n);
        return true;
    }

    static boolean compare(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, boolean[] out, int o, int n) {
        if (!VectorKernels.hasCompareFastPath(op)) return false;
        compareTail(op, x, a, y, b, yScalar, out, o, 0, n);
        return true;
    }

    static void compareTail(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, boolean[] out, int o, int from, int n) {
        for (int i = from; i < n; i++) out[o + i] = compare(op, x[a + i], yScalar ? y[b] : y[b + i]);
    }

    static void compareTail(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, boolean[] out, int o, int from, int n) {
        for (int i = from; i < n; i++) out[o + i] = compare(op, x[a + i], yScalar ? y[b] : y[b + i]);
    }

    private static boolean compare(BinaryOp op, double u, double v) {
        return switch (op) {
            case LT -> u < v;
            case LE -> u <= v;
            case GT -> u > v;
            case GE -> u >= v;
            case EQ -> u == v;
            case NE -> u != v;
            default -> throw new IllegalArgumentException("not a comparison: " + op);
        };
    }

    static void where(boolean[] c, int ci, float[] x, int xa, boolean xScalar, float[] y, int ya, boolean yScalar, float[] out, int o, int n) {
        whereTail(c, ci, x, xa, xScalar, y, ya, yScalar, out, o, 0, n);
    }

    static void where(boolean[] c, int ci, double[] x, int xa, boolean xScalar, double[] y, int ya, boolean yScalar, double[] out, int o, int n) {
        whereTail(c, ci, x, xa, xScalar, y, ya, yScalar, out, o, 0, n);
    }

    static void whereTail(boolean[] c, int ci, float[] x, int xa, boolean xScalar, float[] y, int ya, boolean yScalar, float[] out, int o, int from, int n) {
        for (int i = from; i < n; i++) out[o + i] = c[ci + i] ? x[xScalar ? xa : xa + i] : y[yScalar ? ya : ya + i];
    }

    static void whereTail(boolean[] c, int ci, double[] x, int xa, boolean xScalar, double[] y, int ya, boolean yScalar, double[] out, int o, int from, int n) {
        for (int i = from; i < n; i++) out[o + i] = c[ci + i] ? x[xScalar ? xa : xa + i] : y[yScalar ? ya : ya + i];
    }

    static void binaryTail(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, float[] out, int o, int from, int n) {
        for (int i = from; i < n; i++) {
            float u = x[a + i], v = yScalar ? y[b] : y[b + i];
            out[o + i] = switch (op) {
                case ADD -> u + v;
                case SUB -> u - v;
                case MUL -> u * v;
                case DIV -> u / v;
                case MAXIMUM -> Math.max(u, v);
                case MINIMUM -> Math.min(u, v);
                default -> throw new IllegalArgumentException("no fast path for " + op);
            };
        }
    }

    static void binaryTail(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, double[] out, int o, int from, int n) {
        DoubleBinaryOperator f = ScalarMath.binary(op);
        for (int i = from; i < n; i++) out[o + i] = f.applyAsDouble(x[a + i], yScalar ? y[b] : y[b + i]);
    }

    static boolean unary(UnaryOp op, double p, double q, float[] x, int a, float[] out, int o, int n) {
        if (!hasUnaryFastPath(op)) return false;
        unaryTail(op, p, q, x, a, out, o, 0, n);
        return true;
    }

    static boolean unary(UnaryOp op, double p, double q, double[] x, int a, double[] out, int o, int n) {
        if (!hasUnaryFastPath(op)) return false;
        unaryTail(op, p, q, x, a, out, o, 0, n);
        return true;
    }

    private static boolean hasUnaryFastPath(UnaryOp op) {
        return VectorKernels.hasUnaryFastPath(op);
    }

    /** float32 results: the exact ops in float arithmetic, the others as the double result rounded to float. */
    static void unaryTail(UnaryOp op, double p, double q, float[] x, int a, float[] out, int o, int from, int n) {
        float fp = (float) p, fq = (float) q;
        DoubleUnaryOperator f = ScalarMath.unary(op, p, q);
        for (int i = from; i < n; i++) {
            float v = x[a + i];
            out[o + i] = switch (op) {
                case NEG -> -v;
                case ABS -> Math.abs(v);
                case SQUARE -> v * v;
                case ONE_MINUS_SQUARE -> 1f - v * v;
                case SQRT -> (float) Math.sqrt(v);
                case AFFINE -> v * fp + fq;
                case RELU -> v > 0 ? v : (Float.isNaN(v) ? v : 0f);
                case RECIPROCAL -> 1f / v;
                default -> (float) f.applyAsDouble(v);
            };
        }
    }

    static void unaryTail(UnaryOp op, double p, double q, double[] x, int a, double[] out, int o, int from, int n) {
        DoubleUnaryOperator f = ScalarMath.unary(op, p, q);
        for (int i = from; i < n; i++) out[o + i] = f.applyAsDouble(x[a + i]);
    }

    static double reduce(ReduceOp op, float[] x, int a, int n) {
        double acc = identity(op);
        for (int i = 0; i < n; i++) acc = combine(op, acc, x[a + i]);
        return acc;
    }

    static double reduce(ReduceOp op, double[] x, int a, int n) {
        double acc = identity(op);
        for (int i = 0; i < n; i++) acc = combine(op, acc, x[a + i]);
        return acc;
    }

    static double expShifted(float[] x, int a, double shift, float[] out, int o, int n) {
        return expShiftedTail(x, a, shift, out, o, 0, n);
    }

    static double expShifted(double[] x, int a, double shift, double[] out, int o, int n) {
        return expShiftedTail(x, a, shift, out, o, 0, n);
    }

    static double expShiftedTail(float[] x, int a, double shift, float[] out, int o, int from, int n) {
        double sum = 0;
        float fs = (float) shift;
        for (int i = from; i < n; i++) {
            float e = (float) Math.exp(x[a + i] - fs);
            out[o + i] = e;
            sum += e;
        }
        return sum;
    }

    static double expShiftedTail(double[] x, int a, double shift, double[] out, int o, int from, int n) {
        double sum = 0;
        for (int i = from; i < n; i++) {
            double e = Math.exp(x[a + i] - shift);
            out[o + i] = e;
            sum += e;
        }
        return sum;
    }

    static void axpy(float s, float[] b, int bo, float[] c, int co, int n) {
        for (int i = 0; i < n; i++) c[co + i] = Math.fma(s, b[bo + i], c[co + i]);
    }

    static void axpy(double s, double[] b, int bo, double[] c, int co, int n) {
        for (int i = 0; i < n; i++) c[co + i] = Math.fma(s, b[bo + i], c[co + i]);
    }

    static double identity(ReduceOp op) {
        return switch (op) {
            case SUM, ANY -> 0;
            case PROD, ALL -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    static double combine(ReduceOp op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            case MAX -> Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : Math.max(acc, v);
            case MIN -> Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : Math.min(acc, v);
            case ANY -> acc != 0 || v != 0 ? 1 : 0;
            case ALL -> acc != 0 && v != 0 ? 1 : 0;
        };
    }

    /**
     * {@code y_t = x_t + a_t y_{t±1}} over {@code blocks} consecutive blocks of {@code len} steps of
     * {@code inner} elements each (a contiguous tensor with the recurrence's dim followed by dims
     * of {@code inner} elements): element {@code j} of step {@code t} of a block is at
     * {@code t * inner + j}. The carry is a double, as in {@code CpuBackend}'s strided loop, and
     * each element sees the same operations in the same order, so the numbers are the same.
     *
     * <p>Why blocks of lines: one line is a chain of dependent multiply-adds, bound by their
     * latency (about 2 ns a step). Lines side by side are independent chains: with {@code inner > 1}
     * the inner loop runs across them (the JIT vectorises it); with {@code inner == 1} four lines
     * advance together, their carries in registers.
     */
    static void linearRecurrenceBlocks(float[] x, int xo, float[] a, int ao, float[] y, int yo, int blocks, int len, int inner,
                                       boolean reverse) {
        if (inner > 1) {
            double[] carry = new double[inner];
            for (int b = 0; b < blocks; b++) {
                java.util.Arrays.fill(carry, 0);
                int base = b * len * inner;
                for (int k = 0; k < len; k++) {
                    int row = base + (reverse ? len - 1 - k : k) * inner;
                    for (int j = 0; j < inner; j++) {
                        int i = row + j;
                        y[yo + i] = (float) (carry[j] = x[xo + i] + a[ao + i] * carry[j]);
                    }
                }
            }
            return;
        }
        int b = 0;
        for (; b + 4 <= blocks; b += 4) { // four lines, four independent chains in registers
            int l0 = b * len, l1 = l0 + len, l2 = l1 + len, l3 = l2 + len;
            double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
            for (int k = 0; k < len; k++) {
                int t = reverse ? len - 1 - k : k;
                y[yo + l0 + t] = (float) (c0 = x[xo + l0 + t] + a[ao + l0 + t] * c0);
                y[yo + l1 + t] = (float) (c1 = x[xo + l1 + t] + a[ao + l1 + t] * c1);
                y[yo + l2 + t] = (float) (c2 = x[xo + l2 + t] + a[ao + l2 + t] * c2);
                y[yo + l3 + t] = (float) (c3 = x[xo + l3 + t] + a[ao + l3 + t] * c3);
            }
        }
        for (; b < blocks; b++) {
            int l = b * len;
            double carry = 0;
            for (int k = 0; k < len; k++) {
                int t = reverse ? len - 1 - k : k;
                y[yo + l + t] = (float) (carry = x[xo + l + t] + a[ao + l + t] * carry);
            }
        }
    }

    static void linearRecurrenceBlocks(double[] x, int xo, double[] a, int ao, double[] y, int yo, int blocks, int len, int inner,
                                       boolean reverse) {
        if (inner > 1) {
            double[] carry = new double[inner];
            for (int b = 0; b < blocks; b++) {
                java.util.Arrays.fill(carry, 0);
                int base = b * len * inner;
                for (int k = 0; k < len; k++) {
                    int row = base + (reverse ? len - 1 - k : k) * inner;
                    for (int j = 0; j < inner; j++) {
                        int i = row + j;
                        y[yo + i] = (carry[j] = x[xo + i] + a[ao + i] * carry[j]);
                    }
                }
            }
            return;
        }
        int b = 0;
        for (; b + 4 <= blocks; b += 4) { // four lines, four independent chains in registers
            int l0 = b * len, l1 = l0 + len, l2 = l1 + len, l3 = l2 + len;
            double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
            for (int k = 0; k < len; k++) {
                int t = reverse ? len - 1 - k : k;
                y[yo + l0 + t] = (c0 = x[xo + l0 + t] + a[ao + l0 + t] * c0);
                y[yo + l1 + t] = (c1 = x[xo + l1 + t] + a[ao + l1 + t] * c1);
                y[yo + l2 + t] = (c2 = x[xo + l2 + t] + a[ao + l2 + t] * c2);
                y[yo + l3 + t] = (c3 = x[xo + l3 + t] + a[ao + l3 + t] * c3);
            }
        }
        for (; b < blocks; b++) {
            int l = b * len;
            double carry = 0;
            for (int k = 0; k < len; k++) {
                int t = reverse ? len - 1 - k : k;
                y[yo + l + t] = (carry = x[xo + l + t] + a[ao + l + t] * carry);
            }
        }
    }
}
