package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/**
 * Element-wise functions of one tensor, each with its derivative right beside it. The derivative
 * is a Tensor expression of the input {@code x}, the output {@code y} and the incoming gradient
 * {@code g}, so it can be differentiated again. Under vmap every op here acts per element, so
 * its batching rule ({@link Batching#perElement}) keeps the batch dim where it is.
 */
public final class Pointwise {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Pointwise() {}

    /** Runs a kernel; float-only math on an int or bool tensor first converts it to float32 (as PyTorch does). */
    private static Tensor kernel(UnaryOp op, Tensor x, double a, double b) {
        Tensor in = x.dtype().isFloating() || keepsIntegers(op) ? x : x.backend().copy(x, DType.FLOAT32);
        return in.backend().unary(op, in, a, b);
    }

    private static boolean keepsIntegers(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SIGN, SQUARE, RELU, FLOOR, CEIL, ROUND, TRUNC, CLAMP, LOGICAL_NOT, IS_NAN, IS_INF, IS_FINITE -> true;
            default -> false;
        };
    }

    private static Tensor zeroGradient(String name, UnaryOp op, Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, v -> zeroGradient(name, op, v));
        Tensor y = kernel(op, x, 0, 0);
        return Autograd.record(name, y, inputs(x), g -> grads(Tensor.zerosLike(g)));
    }

    public static Tensor neg(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::neg);
        Tensor y = kernel(UnaryOp.NEG, x, 0, 0);
        return Autograd.record("neg", y, inputs(x), g -> grads(g.neg()));
    }

    /** d|x|/dx = sign(x), which is 0 at 0. */
    public static Tensor abs(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::abs);
        Tensor y = kernel(UnaryOp.ABS, x, 0, 0);
        return Autograd.record("abs", y, inputs(x), g -> grads(g.mul(x.sign())));
    }

    /** Piecewise constant: zero gradient everywhere, as in PyTorch. */
    public static Tensor sign(Tensor x) { return zeroGradient("sign", UnaryOp.SIGN, x); }
    public static Tensor floor(Tensor x) { return zeroGradient("floor", UnaryOp.FLOOR, x); }
    public static Tensor ceil(Tensor x) { return zeroGradient("ceil", UnaryOp.CEIL, x); }
    public static Tensor round(Tensor x) { return zeroGradient("round", UnaryOp.ROUND, x); }
    public static Tensor trunc(Tensor x) { return zeroGradient("trunc", UnaryOp.TRUNC, x); }

    public static Tensor exp(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::exp);
        Tensor y = kernel(UnaryOp.EXP, x, 0, 0);
        return Autograd.record("exp", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(y)));
    }

    public static Tensor expm1(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::expm1);
        Tensor y = kernel(UnaryOp.EXPM1, x, 0, 0);
        return Autograd.record("expm1", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(y.add(1))));
    }

    public static Tensor log(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::log);
        Tensor y = kernel(UnaryOp.LOG, x, 0, 0);
        return Autograd.record("log", y, inputs(x), new Tensor[] {x}, g -> grads(g.div(x)));
    }

    public static Tensor log1p(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::log1p);
        Tensor y = kernel(UnaryOp.LOG1P, x, 0, 0);
        return Autograd.record("log1p", y, inputs(x), new Tensor[] {x}, g -> grads(g.div(x.add(1))));
    }

    /** d sqrt(x) = 1 / (2 sqrt(x)). */
    public static Tensor sqrt(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::sqrt);
        Tensor y = kernel(UnaryOp.SQRT, x, 0, 0);
        return Autograd.record("sqrt", y, inputs(x), new Tensor[] {y}, g -> grads(g.div(y.mul(2))));
    }

    /** d x^(-1/2) = -1/2 x^(-3/2) = -y^3 / 2. */
    public static Tensor rsqrt(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::rsqrt);
        Tensor y = kernel(UnaryOp.RSQRT, x, 0, 0);
        return Autograd.record("rsqrt", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(y.pow(3)).mul(-0.5)));
    }

    public static Tensor sin(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::sin);
        Tensor y = kernel(UnaryOp.SIN, x, 0, 0);
        return Autograd.record("sin", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(x.cos())));
    }

    public static Tensor cos(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::cos);
        Tensor y = kernel(UnaryOp.COS, x, 0, 0);
        return Autograd.record("cos", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(x.sin()).neg()));
    }

    /** d tanh = 1 - tanh^2. */
    public static Tensor tanh(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::tanh);
        Tensor y = kernel(UnaryOp.TANH, x, 0, 0);
        return Autograd.record("tanh", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(oneMinusSquare(y))));
    }

    /** {@code 1 - y^2} in one kernel (tanh's derivative from its output); its own derivative is -2y. */
    private static Tensor oneMinusSquare(Tensor y) {
        Tensor out = kernel(UnaryOp.ONE_MINUS_SQUARE, y, 0, 0);
        return Autograd.record("one_minus_square", out, inputs(y), new Tensor[] {y}, g -> grads(g.mul(y).mul(-2)));
    }

    /** d atanh = 1 / (1 - x^2). */
    public static Tensor atanh(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::atanh);
        Tensor y = kernel(UnaryOp.ATANH, x, 0, 0);
        return Autograd.record("atanh", y, inputs(x), new Tensor[] {x}, g -> grads(g.div(x.square().rsub(1))));
    }

    /** d sigmoid = sigmoid (1 - sigmoid). */
    public static Tensor sigmoid(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::sigmoid);
        Tensor y = kernel(UnaryOp.SIGMOID, x, 0, 0);
        return Autograd.record("sigmoid", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(y).mul(y.rsub(1))));
    }

    /** log sigmoid(x) = -softplus(-x); its derivative is sigmoid(-x). */
    public static Tensor logSigmoid(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::logSigmoid);
        Tensor y = kernel(UnaryOp.LOG_SIGMOID, x, 0, 0);
        return Autograd.record("log_sigmoid", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(x.neg().sigmoid())));
    }

    /** relu'(0) = 0. */
    public static Tensor relu(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::relu);
        Tensor y = kernel(UnaryOp.RELU, x, 0, 0);
        return Autograd.record("relu", y, inputs(x), new Tensor[] {x}, g -> grads(Arithmetic.where(x.gt(0), g, 0)));
    }

    /** elu'(x) = 1 for x &gt; 0, else alpha e^x (so alpha at 0, as PyTorch). */
    public static Tensor elu(Tensor x, double alpha) {
        if (x.isBatched()) return Batching.perElement(x, v -> elu(v, alpha));
        Tensor y = kernel(UnaryOp.ELU, x, alpha, 0);
        return Autograd.record("elu", y, inputs(x), new Tensor[] {x},
                g -> grads(Arithmetic.where(x.gt(0), g, g.mul(x.exp()).mul(alpha))));
    }

    /** Slope 1 for x &gt; 0, {@code negativeSlope} for x &lt;= 0. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        if (x.isBatched()) return Batching.perElement(x, v -> leakyRelu(v, negativeSlope));
        Tensor y = kernel(UnaryOp.LEAKY_RELU, x, negativeSlope, 0);
        return Autograd.record("leaky_relu", y, inputs(x), new Tensor[] {x},
                g -> grads(Arithmetic.where(x.gt(0), g, g.mul(negativeSlope))));
    }

    /**
     * softplus(x) = log(1 + e^(beta x)) / beta, and x itself where beta x &gt; threshold (strictly),
     * where the gradient is exactly 1; elsewhere the gradient is sigmoid(beta x).
     */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        if (x.isBatched()) return Batching.perElement(x, v -> softplus(v, beta, threshold));
        Tensor y = kernel(UnaryOp.SOFTPLUS, x, beta, threshold);
        return Autograd.record("softplus", y, inputs(x), new Tensor[] {x}, g -> {
            Tensor bx = x.mul(beta);
            return grads(Arithmetic.where(bx.gt(threshold), g, g.mul(bx.sigmoid())));
        });
    }

    /** x sigmoid(x); its gradient comes from the composition. */
    public static Tensor silu(Tensor x) {
        return x.mul(x.sigmoid());
    }

    /**
     * GELU: x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, or the tanh approximation
     * x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2. Gradients come from the composition.
     */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) {
        if (tanhApproximation) {
            Tensor inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
            return x.mul(inner.tanh().add(1)).mul(0.5);
        }
        return x.mul(x.mul(1 / Math.sqrt(2)).erf().add(1)).mul(0.5);
    }

    /** d erf = 2/sqrt(pi) e^(-x^2). */
    public static Tensor erf(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::erf);
        Tensor y = kernel(UnaryOp.ERF, x, 0, 0);
        return Autograd.record("erf", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(x.square().neg().exp()).mul(TWO_OVER_SQRT_PI)));
    }

    /** d erfinv(x) = sqrt(pi)/2 e^(erfinv(x)^2). */
    public static Tensor erfinv(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::erfinv);
        Tensor y = kernel(UnaryOp.ERFINV, x, 0, 0);
        return Autograd.record("erfinv", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(y.square().exp()).mul(1 / TWO_OVER_SQRT_PI)));
    }

    /** d (1/x) = -1/x^2. */
    public static Tensor reciprocal(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::reciprocal);
        Tensor y = kernel(UnaryOp.RECIPROCAL, x, 0, 0);
        return Autograd.record("reciprocal", y, inputs(x), new Tensor[] {y}, g -> grads(g.mul(y.square()).neg()));
    }

    public static Tensor square(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::square);
        Tensor y = kernel(UnaryOp.SQUARE, x, 0, 0);
        return Autograd.record("square", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(x).mul(2)));
    }

    /** d lgamma = digamma. */
    public static Tensor lgamma(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::lgamma);
        Tensor y = kernel(UnaryOp.LGAMMA, x, 0, 0);
        return Autograd.record("lgamma", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(x.digamma())));
    }

    /**
     * digamma, differentiable once: its derivative, trigamma, is computed by a kernel that is not
     * itself differentiable (asking for a third derivative of lgamma is an error).
     */
    public static Tensor digamma(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Pointwise::digamma);
        Tensor y = kernel(UnaryOp.DIGAMMA, x, 0, 0);
        return Autograd.record("digamma", y, inputs(x), new Tensor[] {x}, g -> {
            Tensor trigamma = kernel(UnaryOp.TRIGAMMA, x, 0, 0);
            return grads(Autograd.record("trigamma", g.mul(trigamma), inputs(x), gg -> {
                throw new UnsupportedOperationException("trigamma: derivatives beyond the second of lgamma are not available");
            }));
        });
    }

    /** d x^a = a x^(a-1); exponent 0 gives a zero gradient (PyTorch's convention, also at x = 0). */
    public static Tensor pow(Tensor x, double exponent) {
        if (x.isBatched()) return Batching.perElement(x, v -> pow(v, exponent));
        Tensor y = kernel(UnaryOp.POW_SCALAR, x, exponent, 0);
        return Autograd.record("pow", y, inputs(x), new Tensor[] {x}, g -> {
            if (exponent == 0) return grads(Tensor.zerosLike(g));
            return grads(g.mul(x.pow(exponent - 1)).mul(exponent));
        });
    }

    /** {@code base ^ x}: d = base^x ln(base); with base 0 the gradient is 0 where x &gt;= 0 (PyTorch). */
    public static Tensor rpow(double base, Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, v -> rpow(base, v));
        Tensor y = kernel(UnaryOp.SCALAR_POW, x, base, 0);
        return Autograd.record("pow", y, inputs(x), new Tensor[] {y, x}, g -> {
            Tensor d = g.mul(y).mul(Math.log(base));
            return grads(base == 0 ? Arithmetic.where(x.ge(0), Tensor.zerosLike(d), d) : d);
        });
    }

    /**
     * Clamp to [min, max] (a NaN bound is not applied). The gradient passes where min &lt;= x &lt;= max,
     * inclusive, as in PyTorch.
     */
    public static Tensor clamp(Tensor x, double min, double max) {
        if (x.isBatched()) return Batching.perElement(x, v -> clamp(v, min, max));
        Tensor y = kernel(UnaryOp.CLAMP, x, min, max);
        return Autograd.record("clamp", y, inputs(x), new Tensor[] {x}, g -> {
            Tensor inside = null;
            if (!Double.isNaN(min)) inside = x.ge(min);
            if (!Double.isNaN(max)) inside = inside == null ? x.le(max) : inside.logicalAnd(x.le(max));
            return grads(inside == null ? g : Arithmetic.where(inside, g, 0));
        });
    }

    /** Element-wise tests: no gradient, and under vmap the batch dim stays where it is. */
    private static Tensor predicate(UnaryOp op, Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, v -> predicate(op, v));
        return kernel(op, x, 0, 0);
    }

    public static Tensor logicalNot(Tensor x) { return predicate(UnaryOp.LOGICAL_NOT, x); }
    public static Tensor isNan(Tensor x) { return predicate(UnaryOp.IS_NAN, x); }
    public static Tensor isInf(Tensor x) { return predicate(UnaryOp.IS_INF, x); }
    public static Tensor isFinite(Tensor x) { return predicate(UnaryOp.IS_FINITE, x); }

    /**
     * Converts to another dtype. Between float dtypes the graph is kept (the gradient is cast
     * back); a conversion to int64 truncates toward zero, to bool tests {@code != 0}.
     */
    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        if (x.isBatched()) return Batching.perElement(x, v -> cast(v, dtype));
        Tensor y = x.backend().copy(x, dtype);
        if (!dtype.isFloating() || !x.dtype().isFloating()) return y;
        return Autograd.record("to_" + dtype, y, inputs(x), g -> grads(g.to(x.dtype())));
    }
}
