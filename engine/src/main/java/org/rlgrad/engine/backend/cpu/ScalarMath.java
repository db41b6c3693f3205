package org.rlgrad.engine.backend.cpu;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.UnaryOp;

/**
 * The scalar definition of every element-wise op, in double precision. Generic kernels call
 * these per element; SIMD kernels must agree with them (tests compare the two).
 */
final class ScalarMath {
    private ScalarMath() {}

    static DoubleUnaryOperator unary(UnaryOp op, double a, double b) {
        return switch (op) {
            case NEG -> x -> -x;
            case ABS -> Math::abs;
            case SIGN -> x -> Double.isNaN(x) ? x : Math.signum(x) + 0.0;
            case EXP -> Math::exp;
            case EXPM1 -> Math::expm1;
            case LOG -> Math::log;
            case LOG1P -> Math::log1p;
            case SQRT -> Math::sqrt;
            case RSQRT -> x -> 1 / Math.sqrt(x);
            case SIN -> Math::sin;
            case COS -> Math::cos;
            case TANH -> Math::tanh;
            case ATANH -> ScalarMath::atanh;
            case SIGMOID -> ScalarMath::sigmoid;
            case LOG_SIGMOID -> x -> Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
            case RELU -> x -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            case ERF -> SpecialFunctions::erf;
            case ERFINV -> SpecialFunctions::erfinv;
            case FLOOR -> Math::floor;
            case CEIL -> Math::ceil;
            case ROUND -> Math::rint;
            case TRUNC -> x -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RECIPROCAL -> x -> 1 / x;
            case SQUARE -> x -> x * x;
            case ONE_MINUS_SQUARE -> x -> 1 - x * x;
            case LGAMMA -> SpecialFunctions::lgamma;
            case DIGAMMA -> SpecialFunctions::digamma;
            case TRIGAMMA -> SpecialFunctions::trigamma;
            case AFFINE -> x -> a * x + b;
            case POW_SCALAR -> x -> Math.pow(x, a);
            case SCALAR_POW -> x -> Math.pow(a, x);
            case CLAMP -> x -> clamp(x, a, b);
            case SOFTPLUS -> x -> a * x > b ? x : Math.log1p(Math.exp(a * x)) / a;
            case ELU -> x -> x > 0 ? x : a * Math.expm1(x);
            case LEAKY_RELU -> x -> x > 0 ? x : a * x;
            case LOGICAL_NOT -> x -> x == 0 ? 1 : 0;
            case IS_NAN -> x -> Double.isNaN(x) ? 1 : 0;
            case IS_INF -> x -> Double.isInfinite(x) ? 1 : 0;
            case IS_FINITE -> x -> Double.isFinite(x) ? 1 : 0;
        };
    }

    static DoubleBinaryOperator binary(BinaryOp op) {
        return switch (op) {
            case ADD -> Double::sum;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV -> (x, y) -> x / y;
            case POW -> Math::pow;
            case MAXIMUM -> (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case MINIMUM -> (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
            case EQ -> (x, y) -> x == y ? 1 : 0;
            case NE -> (x, y) -> x != y ? 1 : 0;
            case LT -> (x, y) -> x < y ? 1 : 0;
            case LE -> (x, y) -> x <= y ? 1 : 0;
            case GT -> (x, y) -> x > y ? 1 : 0;
            case GE -> (x, y) -> x >= y ? 1 : 0;
            case LOGICAL_AND -> (x, y) -> x != 0 && y != 0 ? 1 : 0;
            case LOGICAL_OR -> (x, y) -> x != 0 || y != 0 ? 1 : 0;
            case LOGICAL_XOR -> (x, y) -> (x != 0) != (y != 0) ? 1 : 0;
        };
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    static double atanh(double x) {
        // 0.5 * log((1 + x) / (1 - x)) written with log1p to stay accurate near 0, and on |x| so
        // that it stays accurate near -1 too: there 1 + x cancels, while 1 - |x| is exact.
        double a = Math.abs(x);
        return Math.copySign(0.5 * Math.log1p(2 * a / (1 - a)), x);
    }

    static double clamp(double x, double lo, double hi) {
        if (Double.isNaN(x)) return x;
        if (!Double.isNaN(lo) && x < lo) x = lo;
        if (!Double.isNaN(hi) && x > hi) x = hi;
        return x;
    }
}
