package org.rlgrad.engine.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.backend.UnaryOp;

/**
 * SIMD kernels over contiguous float32/float64 rows, on the JDK Vector API. Each method returns
 * false when it has no fast path for the op, and the caller falls back to the generic loop; each
 * has a plain-loop twin of the same name in {@link PlainKernels} that tests compare it with.
 *
 * <p>The vector width is the platform's preferred one, or {@code -Drlgrad.vectorBits=64|128|256|512}
 * (narrower widths make tests exercise the tails).
 */
final class VectorKernels {
    static final VectorSpecies<Float> F = floatSpecies();
    static final VectorSpecies<Double> D = doubleSpecies();

    private VectorKernels() {}

    private static VectorShape shape() {
        String bits = System.getProperty("rlgrad.vectorBits");
        if (bits == null) return VectorShape.preferredShape();
        return VectorShape.forBitSize(Integer.parseInt(bits));
    }

    private static VectorSpecies<Float> floatSpecies() {
        return FloatVector.SPECIES_PREFERRED.withShape(shape());
    }

    private static VectorSpecies<Double> doubleSpecies() {
        return DoubleVector.SPECIES_PREFERRED.withShape(shape());
    }

    static VectorOperators.Binary vectorOp(BinaryOp op) {
        return switch (op) {
            case ADD -> VectorOperators.ADD;
            case SUB -> VectorOperators.SUB;
            case MUL -> VectorOperators.MUL;
            case DIV -> VectorOperators.DIV;
            default -> null;
        };
    }

    /** {@code out[o + i] = x[a + i] op y[b + i]}, or with {@code y[b]} for every i when {@code yScalar}. */
    static boolean binary(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, float[] out, int o, int n) {
        VectorOperators.Binary vop = vectorOp(op);
        if (vop == null) return false;
        int i = 0;
        int bound = F.loopBound(n);
        if (yScalar) {
            float s = y[b];
            for (; i < bound; i += F.length()) {
                FloatVector.fromArray(F, x, a + i).lanewise(vop, s).intoArray(out, o + i);
            }
        } else {
            for (; i < bound; i += F.length()) {
                FloatVector.fromArray(F, x, a + i).lanewise(vop, FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i);
            }
        }
        PlainKernels.binaryTail(op, x, a, y, b, yScalar, out, o, i, n);
        return true;
    }

    static boolean binary(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, double[] out, int o, int n) {
        VectorOperators.Binary vop = vectorOp(op);
        if (vop == null) return false;
        int i = 0;
        int bound = D.loopBound(n);
        if (yScalar) {
            double s = y[b];
            for (; i < bound; i += D.length()) {
                DoubleVector.fromArray(D, x, a + i).lanewise(vop, s).intoArray(out, o + i);
            }
        } else {
            for (; i < bound; i += D.length()) {
                DoubleVector.fromArray(D, x, a + i).lanewise(vop, DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i);
            }
        }
        PlainKernels.binaryTail(op, x, a, y, b, yScalar, out, o, i, n);
        return true;
    }

    /** Unary ops whose vector form is exact (same result as {@link ScalarMath}). */
    static boolean unary(UnaryOp op, double p, double q, float[] x, int a, float[] out, int o, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        float fp = (float) p, fq = (float) q;
        switch (op) {
            case NEG -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).neg().intoArray(out, o + i); }
            case ABS -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).abs().intoArray(out, o + i); }
            case SQUARE -> { for (; i < bound; i += F.length()) { var v = FloatVector.fromArray(F, x, a + i); v.mul(v).intoArray(out, o + i); } }
            case SQRT -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).sqrt().intoArray(out, o + i); }
            case AFFINE -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).mul(fp).add(fq).intoArray(out, o + i); }
            default -> { return false; }
        }
        PlainKernels.unaryTail(op, p, q, x, a, out, o, i, n);
        return true;
    }

    static boolean unary(UnaryOp op, double p, double q, double[] x, int a, double[] out, int o, int n) {
        int i = 0;
        int bound = D.loopBound(n);
        switch (op) {
            case NEG -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).neg().intoArray(out, o + i); }
            case ABS -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).abs().intoArray(out, o + i); }
            case SQUARE -> { for (; i < bound; i += D.length()) { var v = DoubleVector.fromArray(D, x, a + i); v.mul(v).intoArray(out, o + i); } }
            case SQRT -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).sqrt().intoArray(out, o + i); }
            case AFFINE -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).mul(p).add(q).intoArray(out, o + i); }
            default -> { return false; }
        }
        PlainKernels.unaryTail(op, p, q, x, a, out, o, i, n);
        return true;
    }

    /**
     * Reduces a contiguous row {@code x[a .. a+n)} with SUM, MAX or MIN; NaN if the row holds one
     * (for MAX/MIN), and the op's identity for an empty row. Four accumulators hide FMA latency.
     */
    static double reduce(ReduceOp op, float[] x, int a, int n) {
        if (op == ReduceOp.SUM) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            int step = F.length(), i = 0;
            for (; i + 4 * step <= n; i += 4 * step) {
                s0 = s0.add(FloatVector.fromArray(F, x, a + i));
                s1 = s1.add(FloatVector.fromArray(F, x, a + i + step));
                s2 = s2.add(FloatVector.fromArray(F, x, a + i + 2 * step));
                s3 = s3.add(FloatVector.fromArray(F, x, a + i + 3 * step));
            }
            for (; i + step <= n; i += step) s0 = s0.add(FloatVector.fromArray(F, x, a + i));
            double sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) sum += x[a + i];
            return sum;
        }
        return PlainKernels.reduce(op, x, a, n);
    }

    static double reduce(ReduceOp op, double[] x, int a, int n) {
        if (op == ReduceOp.SUM) {
            DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
            int step = D.length(), i = 0;
            for (; i + 4 * step <= n; i += 4 * step) {
                s0 = s0.add(DoubleVector.fromArray(D, x, a + i));
                s1 = s1.add(DoubleVector.fromArray(D, x, a + i + step));
                s2 = s2.add(DoubleVector.fromArray(D, x, a + i + 2 * step));
                s3 = s3.add(DoubleVector.fromArray(D, x, a + i + 3 * step));
            }
            for (; i + step <= n; i += step) s0 = s0.add(DoubleVector.fromArray(D, x, a + i));
            double sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) sum += x[a + i];
            return sum;
        }
        return PlainKernels.reduce(op, x, a, n);
    }

    /** {@code c[co .. co+n) += s * b[bo .. bo+n)}: the inner loop of the matrix product. */
    static void axpy(float s, float[] b, int bo, float[] c, int co, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        FloatVector vs = FloatVector.broadcast(F, s);
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, b, bo + i).fma(vs, FloatVector.fromArray(F, c, co + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) c[co + i] = Math.fma(s, b[bo + i], c[co + i]);
    }

    static void axpy(double s, double[] b, int bo, double[] c, int co, int n) {
        int i = 0;
        int bound = D.loopBound(n);
        DoubleVector vs = DoubleVector.broadcast(D, s);
        for (; i < bound; i += D.length()) {
            DoubleVector.fromArray(D, b, bo + i).fma(vs, DoubleVector.fromArray(D, c, co + i)).intoArray(c, co + i);
        }
        for (; i < n; i++) c[co + i] = Math.fma(s, b[bo + i], c[co + i]);
    }
}
