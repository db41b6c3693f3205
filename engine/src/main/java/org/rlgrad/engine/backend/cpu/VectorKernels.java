package org.rlgrad.engine.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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

    /** The comparisons with SIMD loops (into a boolean array): all six. */
    static boolean hasCompareFastPath(BinaryOp op) {
        return switch (op) {
            case LT, LE, GT, GE, EQ, NE -> true;
            default -> false;
        };
    }

    /**
     * {@code out[o + i] = x[a + i] op y[b + i]} (or {@code y[b]} when {@code yScalar}) for a
     * comparison, with Java's NaN rules (every comparison with NaN is false but NE). The scalar
     * case shares the loop: the choice is loop-invariant, and C2 unswitches it.
     */
    static boolean compare(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, boolean[] out, int o, int n) {
        if (!hasCompareFastPath(op)) return false;
        int i = 0, bound = F.loopBound(n), step = F.length();
        FloatVector s = FloatVector.broadcast(F, yScalar ? y[b] : 0f);
        switch (op) {
            case LT -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).compare(VectorOperators.LT, yScalar ? s : FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
            case LE -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).compare(VectorOperators.LE, yScalar ? s : FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
            case GT -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).compare(VectorOperators.GT, yScalar ? s : FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
            case GE -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).compare(VectorOperators.GE, yScalar ? s : FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
            case EQ -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).compare(VectorOperators.EQ, yScalar ? s : FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
            default -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).compare(VectorOperators.NE, yScalar ? s : FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
        }
        PlainKernels.compareTail(op, x, a, y, b, yScalar, out, o, i, n);
        return true;
    }

    /** The float64 form of {@link #compare(BinaryOp, float[], int, float[], int, boolean, boolean[], int, int)}. */
    static boolean compare(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, boolean[] out, int o, int n) {
        if (!hasCompareFastPath(op)) return false;
        int i = 0, bound = D.loopBound(n), step = D.length();
        DoubleVector s = DoubleVector.broadcast(D, yScalar ? y[b] : 0d);
        switch (op) {
            case LT -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).compare(VectorOperators.LT, yScalar ? s : DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
            case LE -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).compare(VectorOperators.LE, yScalar ? s : DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
            case GT -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).compare(VectorOperators.GT, yScalar ? s : DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
            case GE -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).compare(VectorOperators.GE, yScalar ? s : DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
            case EQ -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).compare(VectorOperators.EQ, yScalar ? s : DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
            default -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).compare(VectorOperators.NE, yScalar ? s : DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
        }
        PlainKernels.compareTail(op, x, a, y, b, yScalar, out, o, i, n);
        return true;
    }

    /**
     * {@code out[o + i] = c[ci + i] ? x[xa + i] : y[ya + i]}, where {@code xScalar} / {@code yScalar}
     * read {@code x[xa]} / {@code y[ya]} for every i (a relu's backward: {@code where(x > 0, g, 0)}).
     */
    static void where(boolean[] c, int ci, float[] x, int xa, boolean xScalar, float[] y, int ya, boolean yScalar, float[] out, int o, int n) {
        int i = 0, bound = F.loopBound(n), step = F.length();
        FloatVector xs = FloatVector.broadcast(F, xScalar ? x[xa] : 0f), ys = FloatVector.broadcast(F, yScalar ? y[ya] : 0f);
        for (; i < bound; i += step) {
            FloatVector yes = xScalar ? xs : FloatVector.fromArray(F, x, xa + i), no = yScalar ? ys : FloatVector.fromArray(F, y, ya + i);
            no.blend(yes, VectorMask.fromArray(F, c, ci + i)).intoArray(out, o + i);
        }
        PlainKernels.whereTail(c, ci, x, xa, xScalar, y, ya, yScalar, out, o, i, n);
    }

    /** The float64 form of {@link #where(boolean[], int, float[], int, boolean, float[], int, boolean, float[], int, int)}. */
    static void where(boolean[] c, int ci, double[] x, int xa, boolean xScalar, double[] y, int ya, boolean yScalar, double[] out, int o, int n) {
        int i = 0, bound = D.loopBound(n), step = D.length();
        DoubleVector xs = DoubleVector.broadcast(D, xScalar ? x[xa] : 0d), ys = DoubleVector.broadcast(D, yScalar ? y[ya] : 0d);
        for (; i < bound; i += step) {
            DoubleVector yes = xScalar ? xs : DoubleVector.fromArray(D, x, xa + i), no = yScalar ? ys : DoubleVector.fromArray(D, y, ya + i);
            no.blend(yes, VectorMask.fromArray(D, c, ci + i)).intoArray(out, o + i);
        }
        PlainKernels.whereTail(c, ci, x, xa, xScalar, y, ya, yScalar, out, o, i, n);
    }

    /** The binary ops with SIMD loops: ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM. */
    static boolean hasBinaryFastPath(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM -> true;
            default -> false;
        };
    }

    /**
     * {@code out[o + i] = x[a + i] op y[b + i]}, or with {@code y[b]} for every i when {@code yScalar}.
     * One explicit loop per op: a loop over {@code lanewise(op, ...)} with an op only known at run
     * time is several times slower.
     */
    static boolean binary(BinaryOp op, float[] x, int a, float[] y, int b, boolean yScalar, float[] out, int o, int n) {
        if (!hasBinaryFastPath(op)) return false;
        int i = 0;
        int bound = F.loopBound(n);
        int step = F.length();
        if (yScalar) {
            FloatVector s = FloatVector.broadcast(F, y[b]);
            switch (op) {
                case ADD -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).add(s).intoArray(out, o + i); }
                case SUB -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).sub(s).intoArray(out, o + i); }
                case MUL -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).mul(s).intoArray(out, o + i); }
                case MAXIMUM -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).max(s).intoArray(out, o + i); }
                case MINIMUM -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).min(s).intoArray(out, o + i); }
                default -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).div(s).intoArray(out, o + i); }
            }
        } else {
            switch (op) {
                case ADD -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).add(FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
                case SUB -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).sub(FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
                case MUL -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).mul(FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
                case MAXIMUM -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).max(FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
                case MINIMUM -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).min(FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
                default -> { for (; i < bound; i += step) FloatVector.fromArray(F, x, a + i).div(FloatVector.fromArray(F, y, b + i)).intoArray(out, o + i); }
            }
        }
        PlainKernels.binaryTail(op, x, a, y, b, yScalar, out, o, i, n);
        return true;
    }

    static boolean binary(BinaryOp op, double[] x, int a, double[] y, int b, boolean yScalar, double[] out, int o, int n) {
        if (!hasBinaryFastPath(op)) return false;
        int i = 0;
        int bound = D.loopBound(n);
        int step = D.length();
        if (yScalar) {
            DoubleVector s = DoubleVector.broadcast(D, y[b]);
            switch (op) {
                case ADD -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).add(s).intoArray(out, o + i); }
                case SUB -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).sub(s).intoArray(out, o + i); }
                case MUL -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).mul(s).intoArray(out, o + i); }
                case MAXIMUM -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).max(s).intoArray(out, o + i); }
                case MINIMUM -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).min(s).intoArray(out, o + i); }
                default -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).div(s).intoArray(out, o + i); }
            }
        } else {
            switch (op) {
                case ADD -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).add(DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
                case SUB -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).sub(DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
                case MUL -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).mul(DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
                case MAXIMUM -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).max(DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
                case MINIMUM -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).min(DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
                default -> { for (; i < bound; i += step) DoubleVector.fromArray(D, x, a + i).div(DoubleVector.fromArray(D, y, b + i)).intoArray(out, o + i); }
            }
        }
        PlainKernels.binaryTail(op, x, a, y, b, yScalar, out, o, i, n);
        return true;
    }

    /**
     * The unary ops with SIMD loops. NEG, ABS, SQUARE, ONE_MINUS_SQUARE, SQRT, AFFINE, RELU and RECIPROCAL give
     * exactly the scalar results; the transcendental ones use the platform's vector math library and
     * agree with {@link ScalarMath} to a few ulps (and, since the Vector API evaluates them per lane
     * with {@code Math} until the JIT compiles a kernel, a value's last bit may differ between a
     * cold and a warm call; layout and thread count never change it). Every operator is named as a constant in its own
     * loop: {@code lanewise(op)} with an operator known only at run time is not intrinsified and runs
     * some 30 times slower.
     */
    static boolean hasUnaryFastPath(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SQUARE, ONE_MINUS_SQUARE, SQRT, AFFINE, RELU, RECIPROCAL, SIGMOID, EXP, EXPM1, LOG, LOG1P, TANH, SIN, COS -> true;
            default -> false;
        };
    }



    static boolean unary(UnaryOp op, double p, double q, float[] x, int a, float[] out, int o, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        float fp = (float) p, fq = (float) q;
        switch (op) {
            case NEG -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).neg().intoArray(out, o + i); }
            case ABS -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).abs().intoArray(out, o + i); }
            case SQUARE -> { for (; i < bound; i += F.length()) { var v = FloatVector.fromArray(F, x, a + i); v.mul(v).intoArray(out, o + i); } }
            case ONE_MINUS_SQUARE -> { for (; i < bound; i += F.length()) { var v = FloatVector.fromArray(F, x, a + i); v.mul(v).neg().add(1f).intoArray(out, o + i); } }
            case SQRT -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).sqrt().intoArray(out, o + i); }
            case AFFINE -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).mul(fp).add(fq).intoArray(out, o + i); }
            case RELU -> { for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).max(0f).intoArray(out, o + i); }
            case RECIPROCAL -> { for (; i < bound; i += F.length()) FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, x, a + i)).intoArray(out, o + i); }
            case SIGMOID -> {
                // The tail runs masked through the same vector code, so an element's value never
                // depends on where it sits in a row (or on the tensor's layout).
                FloatVector one = FloatVector.broadcast(F, 1f);
                for (; i < bound; i += F.length()) {
                    FloatVector e = FloatVector.fromArray(F, x, a + i).neg().lanewise(VectorOperators.EXP);
                    one.div(e.add(one)).intoArray(out, o + i);
                }
                if (i < n) {
                    VectorMask<Float> m = F.indexInRange(i, n);
                    FloatVector e = FloatVector.fromArray(F, x, a + i, m).neg().lanewise(VectorOperators.EXP);
                    one.div(e.add(one)).intoArray(out, o + i, m);
                    i = n;
                }
            }
            case EXP -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.EXP).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.EXP).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            case EXPM1 -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.EXPM1).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.EXPM1).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            case LOG -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.LOG).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.LOG).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            case LOG1P -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.LOG1P).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.LOG1P).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            case TANH -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.TANH).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.TANH).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            case SIN -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.SIN).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.SIN).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            case COS -> {
                for (; i < bound; i += F.length()) FloatVector.fromArray(F, x, a + i).lanewise(VectorOperators.COS).intoArray(out, o + i);
                if (i < n) FloatVector.fromArray(F, x, a + i, F.indexInRange(i, n)).lanewise(VectorOperators.COS).intoArray(out, o + i, F.indexInRange(i, n));
                i = n;
            }
            default -> {
                return false;
            }
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
            case ONE_MINUS_SQUARE -> { for (; i < bound; i += D.length()) { var v = DoubleVector.fromArray(D, x, a + i); v.mul(v).neg().add(1.0).intoArray(out, o + i); } }
            case SQRT -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).sqrt().intoArray(out, o + i); }
            case AFFINE -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).mul(p).add(q).intoArray(out, o + i); }
            case RELU -> { for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).max(0.0).intoArray(out, o + i); }
            case RECIPROCAL -> { for (; i < bound; i += D.length()) DoubleVector.broadcast(D, 1.0).div(DoubleVector.fromArray(D, x, a + i)).intoArray(out, o + i); }
            case SIGMOID -> {
                // The tail runs masked through the same vector code, so an element's value never
                // depends on where it sits in a row (or on the tensor's layout).
                DoubleVector one = DoubleVector.broadcast(D, 1.0);
                for (; i < bound; i += D.length()) {
                    DoubleVector e = DoubleVector.fromArray(D, x, a + i).neg().lanewise(VectorOperators.EXP);
                    one.div(e.add(one)).intoArray(out, o + i);
                }
                if (i < n) {
                    VectorMask<Double> m = D.indexInRange(i, n);
                    DoubleVector e = DoubleVector.fromArray(D, x, a + i, m).neg().lanewise(VectorOperators.EXP);
                    one.div(e.add(one)).intoArray(out, o + i, m);
                    i = n;
                }
            }
            case EXP -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.EXP).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.EXP).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            case EXPM1 -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.EXPM1).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.EXPM1).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            case LOG -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.LOG).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.LOG).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            case LOG1P -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.LOG1P).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.LOG1P).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            case TANH -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.TANH).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.TANH).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            case SIN -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.SIN).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.SIN).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            case COS -> {
                for (; i < bound; i += D.length()) DoubleVector.fromArray(D, x, a + i).lanewise(VectorOperators.COS).intoArray(out, o + i);
                if (i < n) DoubleVector.fromArray(D, x, a + i, D.indexInRange(i, n)).lanewise(VectorOperators.COS).intoArray(out, o + i, D.indexInRange(i, n));
                i = n;
            }
            default -> {
                return false;
            }
        }
        PlainKernels.unaryTail(op, p, q, x, a, out, o, i, n);
        return true;
    }

    /**
     * Reduces a contiguous row {@code x[a .. a+n)} with SUM, MAX or MIN (others fall back to the
     * plain loop): NaN if the row holds one (for MAX/MIN), and the op's identity for an empty row.
     * Four accumulators hide the latency of the dependent adds.
     */
    static double reduce(ReduceOp op, float[] x, int a, int n) {
        int step = F.length(), i = 0;
        if (op == ReduceOp.SUM) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (; i + 4 * step <= n; i += 4 * step) {
                s0 = s0.add(FloatVector.fromArray(F, x, a + i));
                s1 = s1.add(FloatVector.fromArray(F, x, a + i + step));
                s2 = s2.add(FloatVector.fromArray(F, x, a + i + 2 * step));
                s3 = s3.add(FloatVector.fromArray(F, x, a + i + 3 * step));
            }
            for (; i + step <= n; i += step) s0 = s0.add(FloatVector.fromArray(F, x, a + i));
            double sum = sumLanes(s0.add(s1).add(s2.add(s3)));
            for (; i < n; i++) sum += x[a + i];
            return sum;
        }
        if ((op == ReduceOp.MAX || op == ReduceOp.MIN) && n >= step) {
            boolean max = op == ReduceOp.MAX;
            // Vector max/min follow Math.max/min per lane, so a NaN anywhere reaches the result.
            FloatVector m0 = FloatVector.fromArray(F, x, a), m1 = m0, m2 = m0, m3 = m0;
            for (i = step; i + 4 * step <= n; i += 4 * step) {
                FloatVector v0 = FloatVector.fromArray(F, x, a + i), v1 = FloatVector.fromArray(F, x, a + i + step);
                FloatVector v2 = FloatVector.fromArray(F, x, a + i + 2 * step), v3 = FloatVector.fromArray(F, x, a + i + 3 * step);
                m0 = max ? m0.max(v0) : m0.min(v0);
                m1 = max ? m1.max(v1) : m1.min(v1);
                m2 = max ? m2.max(v2) : m2.min(v2);
                m3 = max ? m3.max(v3) : m3.min(v3);
            }
            for (; i + step <= n; i += step) {
                FloatVector v = FloatVector.fromArray(F, x, a + i);
                m0 = max ? m0.max(v) : m0.min(v);
            }
            FloatVector m = max ? m0.max(m1).max(m2.max(m3)) : m0.min(m1).min(m2.min(m3));
            double acc = m.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
            for (; i < n; i++) acc = PlainKernels.combine(op, acc, x[a + i]);
            return acc;
        }
        return PlainKernels.reduce(op, x, a, n);
    }

    /** {@code out[o + i] = exp(x[a + i] - shift)}; returns the sum of the written values. */
    static double expShifted(float[] x, int a, double shift, float[] out, int o, int n) {
        int step = F.length(), i = 0;
        FloatVector s = FloatVector.broadcast(F, (float) shift);
        FloatVector acc = FloatVector.zero(F);
        for (; i + step <= n; i += step) {
            FloatVector e = FloatVector.fromArray(F, x, a + i).sub(s).lanewise(VectorOperators.EXP);
            e.intoArray(out, o + i);
            acc = acc.add(e);
        }
        return sumLanes(acc) + PlainKernels.expShiftedTail(x, a, shift, out, o, i, n);
    }

    static double reduce(ReduceOp op, double[] x, int a, int n) {
        int step = D.length(), i = 0;
        if (op == ReduceOp.SUM) {
            DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
            for (; i + 4 * step <= n; i += 4 * step) {
                s0 = s0.add(DoubleVector.fromArray(D, x, a + i));
                s1 = s1.add(DoubleVector.fromArray(D, x, a + i + step));
                s2 = s2.add(DoubleVector.fromArray(D, x, a + i + 2 * step));
                s3 = s3.add(DoubleVector.fromArray(D, x, a + i + 3 * step));
            }
            for (; i + step <= n; i += step) s0 = s0.add(DoubleVector.fromArray(D, x, a + i));
            double sum = sumLanes(s0.add(s1).add(s2.add(s3)));
            for (; i < n; i++) sum += x[a + i];
            return sum;
        }
        if ((op == ReduceOp.MAX || op == ReduceOp.MIN) && n >= step) {
            boolean max = op == ReduceOp.MAX;
            // Vector max/min follow Math.max/min per lane, so a NaN anywhere reaches the result.
            DoubleVector m0 = DoubleVector.fromArray(D, x, a), m1 = m0, m2 = m0, m3 = m0;
            for (i = step; i + 4 * step <= n; i += 4 * step) {
                DoubleVector v0 = DoubleVector.fromArray(D, x, a + i), v1 = DoubleVector.fromArray(D, x, a + i + step);
                DoubleVector v2 = DoubleVector.fromArray(D, x, a + i + 2 * step), v3 = DoubleVector.fromArray(D, x, a + i + 3 * step);
                m0 = max ? m0.max(v0) : m0.min(v0);
                m1 = max ? m1.max(v1) : m1.min(v1);
                m2 = max ? m2.max(v2) : m2.min(v2);
                m3 = max ? m3.max(v3) : m3.min(v3);
            }
            for (; i + step <= n; i += step) {
                DoubleVector v = DoubleVector.fromArray(D, x, a + i);
                m0 = max ? m0.max(v) : m0.min(v);
            }
            DoubleVector m = max ? m0.max(m1).max(m2.max(m3)) : m0.min(m1).min(m2.min(m3));
            double acc = m.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
            for (; i < n; i++) acc = PlainKernels.combine(op, acc, x[a + i]);
            return acc;
        }
        return PlainKernels.reduce(op, x, a, n);
    }

    /** {@code out[o + i] = exp(x[a + i] - shift)}; returns the sum of the written values. */
    static double expShifted(double[] x, int a, double shift, double[] out, int o, int n) {
        int step = D.length(), i = 0;
        DoubleVector s = DoubleVector.broadcast(D, shift);
        DoubleVector acc = DoubleVector.zero(D);
        for (; i + step <= n; i += step) {
            DoubleVector e = DoubleVector.fromArray(D, x, a + i).sub(s).lanewise(VectorOperators.EXP);
            e.intoArray(out, o + i);
            acc = acc.add(e);
        }
        return sumLanes(acc) + PlainKernels.expShiftedTail(x, a, shift, out, o, i, n);
    }

    /**
     * The lanes added in index order. Not {@code reduceLanes(ADD)}: its order is unspecified and
     * differs between the JIT's intrinsic and the interpreter, so a sum would depend on how warm
     * the code is.
     */
    static double sumLanes(FloatVector v) {
        double sum = 0;
        for (float lane : v.toArray()) sum += lane;
        return sum;
    }

    static double sumLanes(DoubleVector v) {
        double sum = 0;
        for (double lane : v.toArray()) sum += lane;
        return sum;
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
