package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Element-wise unary ops, broadcasting binary ops and {@code where} on an {@link OpenClBackend}
 * ({@code pointwise.cl}), with the CPU backend's semantics ({@code ScalarMath},
 * {@code SpecialFunctions}): one work item per output element, reading the operands through
 * their strided (possibly broadcast) layouts, into a fresh contiguous result.
 *
 * <p>The CPU backend reads every operand as a double and computes in double (float32 data on its
 * SIMD paths in float, which gives the same results for the exact ops). Here float32 data is
 * computed in float, where the CPU's float and double evaluations agree (+, -, *, /, comparisons,
 * rounding ops) or differ within float precision (transcendental functions), so that float32
 * kernels need no fp64. The rest computes in double: float64, int64 (whose DIV and POW truncate
 * the real result, as the CPU's do), bool, mixed operand dtypes (a float64 scalar compared with a
 * float32 tensor must not be rounded first), and the special functions erfinv, lgamma, digamma
 * and trigamma, whose float evaluation would lose digits. On a device without {@code cl_khr_fp64}
 * those fall back to float, exact where the values are (bool, small integers) and approximate
 * otherwise.
 *
 * <p>Each kernel takes the op as a uniform {@code int} (see {@link #code(UnaryOp)}), so one
 * program per dtype combination serves every op.
 */
final class ClPointwise {
    private static final String SOURCE = "pointwise.cl";

    private final OpenClBackend cl;

    ClPointwise(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor unary(UnaryOp op, Tensor x, double a, double b) {
        DType outType = op.producesBool() ? DType.BOOL : x.dtype();
        Tensor out = cl.emptyForOverwrite(outType, x.shapeRef());
        int n = out.numel();
        if (n == 0) return out;
        DType real = x.dtype() == DType.FLOAT32 ? DType.FLOAT32 : wide();
        String options = "-DUNARY " + ClTypes.options("T", x.dtype(), "TO", outType, "R", real, "S", wide());
        ClKernel k = cl.kernel(SOURCE, options, "unary");
        k.setBuffer(0, cl.buffer(out)).setBuffer(1, cl.buffer(x)).setInts(2, ClLayout.of(x));
        k.setInt(3, n).setInt(4, code(op));
        setReal(k, 5, real, a);
        setReal(k, 6, real, b);
        ClElementwise.launch(k, n);
        return out;
    }

    Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType) {
        int[] shape = Shape.broadcast(op.displayName(), a.shapeRef(), b.shapeRef());
        DType outType = op.producesBool() ? DType.BOOL : computeType;
        Tensor out = cl.emptyForOverwrite(outType, shape);
        int n = out.numel();
        if (n == 0) return out;
        // The CPU's exact int64 forms; int64 DIV, POW and the logical ops go through double there too.
        boolean longExact = computeType == DType.INT64 && !op.isLogical() && op != BinaryOp.DIV && op != BinaryOp.POW;
        DType real = longExact ? DType.FLOAT32 : binaryReal(computeType, a.dtype(), b.dtype());
        String options = "-DBINARY " + (longExact ? "-DLONG_EXACT " : "")
                + ClTypes.options("TA", a.dtype(), "TB", b.dtype(), "TO", outType, "R", real);
        ClKernel k = cl.kernel(SOURCE, options, "binary");
        k.setBuffer(0, cl.buffer(out));
        k.setBuffer(1, cl.buffer(a)).setInts(2, ClLayout.of(a, shape));
        k.setBuffer(3, cl.buffer(b)).setInts(4, ClLayout.of(b, shape));
        k.setInt(5, n).setInt(6, code(op));
        ClElementwise.launch(k, n);
        return out;
    }

    Tensor where(Tensor cond, Tensor a, Tensor b, DType outType) {
        int[] shape = Shape.broadcast("where", cond.shapeRef(), a.shapeRef(), b.shapeRef());
        Tensor out = cl.emptyForOverwrite(outType, shape);
        int n = out.numel();
        if (n == 0) return out;
        String options = "-DWHERE " + ClTypes.options("TC", cond.dtype(), "TA", a.dtype(), "TB", b.dtype(), "TO", outType);
        // int64 into float32 goes through double, as the CPU's (float) (double) x does.
        boolean longToFloat = outType == DType.FLOAT32 && (a.dtype() == DType.INT64 || b.dtype() == DType.INT64);
        if (longToFloat && cl.clDevice().supportsDouble() && !options.contains("-DHAS_FP64")) options += " -DHAS_FP64";
        ClKernel k = cl.kernel(SOURCE, options, "where");
        k.setBuffer(0, cl.buffer(out));
        k.setBuffer(1, cl.buffer(cond)).setInts(2, ClLayout.of(cond, shape));
        k.setBuffer(3, cl.buffer(a)).setInts(4, ClLayout.of(a, shape));
        k.setBuffer(5, cl.buffer(b)).setInts(6, ClLayout.of(b, shape));
        k.setInt(7, n);
        ClElementwise.launch(k, n);
        return out;
    }

    /** double where the device has it, else float. */
    private DType wide() {
        return cl.clDevice().supportsDouble() ? DType.FLOAT64 : DType.FLOAT32;
    }

    /**
     * Float only where it gives the CPU's double results rounded: a float32 (or bool) result from
     * float32 or bool operands, whose values float holds exactly (a bool result needs double as
     * soon as an operand is not bool: a float product may underflow to 0 where the double one
     * does not).
     */
    private DType binaryReal(DType computeType, DType a, DType b) {
        boolean floatOperands = (a == DType.FLOAT32 || a == DType.BOOL) && (b == DType.FLOAT32 || b == DType.BOOL);
        boolean boolOperands = a == DType.BOOL && b == DType.BOOL;
        if (computeType == DType.FLOAT32 && floatOperands) return DType.FLOAT32;
        if (computeType == DType.BOOL && boolOperands) return DType.FLOAT32;
        return computeType == DType.FLOAT64 ? DType.FLOAT64 : wide();
    }

    private static void setReal(ClKernel k, int index, DType real, double value) {
        if (real == DType.FLOAT32) k.setFloat(index, (float) value);
        else k.setDouble(index, value);
    }

    /**
     * The op's case in {@code unary_op} of {@code pointwise.cl}. Spelled out rather than taken
     * from the ordinal, so that reordering or extending the enum cannot silently shift the
     * kernel's cases (a new op fails to compile here until it has one).
     */
    static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case ABS -> 1;
            case SIGN -> 2;
            case EXP -> 3;
            case EXPM1 -> 4;
            case LOG -> 5;
            case LOG1P -> 6;
            case SQRT -> 7;
            case RSQRT -> 8;
            case SIN -> 9;
            case COS -> 10;
            case TANH -> 11;
            case ATANH -> 12;
            case SIGMOID -> 13;
            case LOG_SIGMOID -> 14;
            case RELU -> 15;
            case ERF -> 16;
            case ERFINV -> 17;
            case FLOOR -> 18;
            case CEIL -> 19;
            case ROUND -> 20;
            case TRUNC -> 21;
            case RECIPROCAL -> 22;
            case SQUARE -> 23;
            case ONE_MINUS_SQUARE -> 24;
            case LGAMMA -> 25;
            case DIGAMMA -> 26;
            case TRIGAMMA -> 27;
            case AFFINE -> 28;
            case POW_SCALAR -> 29;
            case SCALAR_POW -> 30;
            case CLAMP -> 31;
            case SOFTPLUS -> 32;
            case ELU -> 33;
            case LEAKY_RELU -> 34;
            case LOGICAL_NOT -> 35;
            case IS_NAN -> 36;
            case IS_INF -> 37;
            case IS_FINITE -> 38;
        };
    }

    /** The op's case in {@code binary_op} of {@code pointwise.cl} (as {@link #code(UnaryOp)}). */
    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAXIMUM -> 5;
            case MINIMUM -> 6;
            case EQ -> 7;
            case NE -> 8;
            case LT -> 9;
            case LE -> 10;
            case GT -> 11;
            case GE -> 12;
            case LOGICAL_AND -> 13;
            case LOGICAL_OR -> 14;
            case LOGICAL_XOR -> 15;
        };
    }
}
