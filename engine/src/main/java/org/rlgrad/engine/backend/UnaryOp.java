package org.rlgrad.engine.backend;

/**
 * Element-wise unary kernels a backend must provide. Parameterised ops read their parameters
 * from the two doubles passed alongside ({@code a}, {@code b}); their meaning is given here.
 * The math of each op is defined once per backend (CPU: {@code ScalarMath}); the op layer in
 * {@code org.rlgrad.engine.ops} adds gradients on top.
 */
public enum UnaryOp {
    NEG, ABS, SIGN, EXP, EXPM1, LOG, LOG1P, SQRT, RSQRT, SIN, COS, TANH, ATANH,
    SIGMOID, LOG_SIGMOID, RELU, ERF, ERFINV, FLOOR, CEIL,
    /** Round half to even, as torch.round. */
    ROUND,
    TRUNC, RECIPROCAL, SQUARE,
    /** {@code 1 - x^2}: tanh's derivative from its output, in one pass. */
    ONE_MINUS_SQUARE,
    LGAMMA, DIGAMMA,
    /** The derivative of digamma. */
    TRIGAMMA,
    /** {@code a * x + b}. */
    AFFINE,
    /** {@code x ^ a}. */
    POW_SCALAR,
    /** {@code a ^ x}. */
    SCALAR_POW,
    /** {@code min(max(x, a), b)}; a NaN bound is not applied. NaN inputs stay NaN. */
    CLAMP,
    /** {@code log(1 + exp(a x)) / a}, or {@code x} where {@code a x > b} (PyTorch's threshold). */
    SOFTPLUS,
    /** {@code x} if {@code x > 0} else {@code a (e^x - 1)}. */
    ELU,
    /** {@code x} if {@code x > 0} else {@code a x}. */
    LEAKY_RELU,
    /** Bool results. */
    LOGICAL_NOT, IS_NAN, IS_INF, IS_FINITE;

    /** Whether the result is bool whatever the input dtype. */
    public boolean producesBool() {
        return this == LOGICAL_NOT || this == IS_NAN || this == IS_INF || this == IS_FINITE;
    }
}
