package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;
import static org.rlgrad.engine.ops.OpSupport.sumTo;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/**
 * Broadcasting binary ops, comparisons, selection. Every gradient ends with
 * {@link OpSupport#sumTo}, which sums a broadcast gradient back to its input's shape.
 */
public final class Arithmetic {
    private Arithmetic() {}

    /**
     * The batching rule of the broadcasting arithmetic ops: the logical shapes are checked here, so
     * that a mismatch is reported as the loop would report it, then {@link Batching#broadcasting}.
     */
    private static Tensor batched(String name, Tensor a, Tensor b, java.util.function.BinaryOperator<Tensor> op) {
        Shape.broadcast(name, a.shapeRef(), b.shapeRef());
        return Batching.broadcasting(a, b, op);
    }

    private static Tensor kernel(String name, BinaryOp op, Tensor a, Tensor b) {
        OpSupport.sameDevice(name, a, b);
        Shape.broadcast(name, a.shapeRef(), b.shapeRef()); // fails early, naming the op and both shapes
        DType type = op.isLogical() ? DType.BOOL : DType.promote(a, b);
        if ((op == BinaryOp.DIV || op == BinaryOp.POW) && !type.isFloating()) type = DType.FLOAT32; // true division
        return a.backend().binary(op, a, b, type);
    }

    public static Tensor add(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("add", a, b, Arithmetic::add);
        Tensor y = kernel("add", BinaryOp.ADD, a, b);
        return Autograd.record("add", y, inputs(a, b), g -> grads(sumTo(g, a.shapeRef()), sumTo(g, b.shapeRef())));
    }

    /** {@code a + alpha * b}. */
    public static Tensor add(Tensor a, Tensor b, double alpha) {
        return alpha == 1 ? add(a, b) : add(a, b.mul(alpha));
    }

    public static Tensor sub(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("sub", a, b, Arithmetic::sub);
        Tensor y = kernel("sub", BinaryOp.SUB, a, b);
        return Autograd.record("sub", y, inputs(a, b), g -> grads(sumTo(g, a.shapeRef()), sumTo(g.neg(), b.shapeRef())));
    }

    public static Tensor mul(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("mul", a, b, Arithmetic::mul);
        Tensor y = kernel("mul", BinaryOp.MUL, a, b);
        return Autograd.record("mul", y, inputs(a, b), new Tensor[] {a, b},
                g -> grads(a.requiresGrad() ? sumTo(g.mul(b), a.shapeRef()) : null,
                           b.requiresGrad() ? sumTo(g.mul(a), b.shapeRef()) : null));
    }

    /** d(a/b) = 1/b da - a/b^2 db. */
    public static Tensor div(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("div", a, b, Arithmetic::div);
        Tensor y = kernel("div", BinaryOp.DIV, a, b);
        return Autograd.record("div", y, inputs(a, b), new Tensor[] {a, b},
                g -> grads(a.requiresGrad() ? sumTo(g.div(b), a.shapeRef()) : null,
                           b.requiresGrad() ? sumTo(g.mul(a).div(b.mul(b)).neg(), b.shapeRef()) : null));
    }

    /** {@code s / x}: d = -s / x^2. */
    public static Tensor rdiv(double s, Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, v -> rdiv(s, v));
        Tensor in = x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
        Tensor y = in.backend().unary(UnaryOp.RECIPROCAL, in, 0, 0);
        y = y.backend().unary(UnaryOp.AFFINE, y, s, 0);
        return Autograd.record("rdiv", y, inputs(x), new Tensor[] {x}, g -> grads(g.mul(-s).div(x.mul(x))));
    }

    /** {@code s * x + t} for Java scalars: the scalar forms of mul, add, sub and div. */
    public static Tensor affine(Tensor x, double s, double t) {
        if (x.isBatched()) return Batching.perElement(x, v -> affine(v, s, t));
        Tensor in = x;
        if (!x.dtype().isFloating() && (s != Math.rint(s) || t != Math.rint(t))) in = x.to(DType.FLOAT32);
        else if (x.dtype() == DType.BOOL) in = x.to(DType.INT64);
        Tensor y = in.backend().unary(UnaryOp.AFFINE, in, s, t);
        return Autograd.record(t == 0 ? "mul" : s == 1 ? "add" : "affine", y, inputs(x), g -> grads(s == 1 ? g : g.mul(s)));
    }

    /**
     * a^b with tensor exponent. d/da = b a^(b-1) (0 where b = 0); d/db = a^b ln a (0 where
     * a = 0 and b &gt;= 0), PyTorch's conventions.
     */
    public static Tensor pow(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("pow", a, b, Arithmetic::pow);
        Tensor y = kernel("pow", BinaryOp.POW, a, b);
        return Autograd.record("pow", y, inputs(a, b), new Tensor[] {a, b, y}, g -> {
            Tensor ga = null, gb = null;
            if (a.requiresGrad()) {
                Tensor d = g.mul(b).mul(a.pow(b.sub(1)));
                ga = sumTo(where(b.eq(0), 0, d), a.shapeRef());
            }
            if (b.requiresGrad()) {
                Tensor d = g.mul(y).mul(a.log());
                gb = sumTo(where(a.eq(0).logicalAnd(b.ge(0)), 0, d), b.shapeRef());
            }
            return grads(ga, gb);
        });
    }

    /** Element-wise max; on ties each side gets half the gradient (PyTorch). */
    public static Tensor maximum(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("maximum", a, b, Arithmetic::maximum);
        Tensor y = kernel("maximum", BinaryOp.MAXIMUM, a, b);
        return Autograd.record("maximum", y, inputs(a, b), new Tensor[] {a, b}, g -> splitOnTies(g, a, b, a.gt(b), a.lt(b)));
    }

    /** Element-wise min; on ties each side gets half the gradient (PyTorch). */
    public static Tensor minimum(Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) return batched("minimum", a, b, Arithmetic::minimum);
        Tensor y = kernel("minimum", BinaryOp.MINIMUM, a, b);
        return Autograd.record("minimum", y, inputs(a, b), new Tensor[] {a, b}, g -> splitOnTies(g, a, b, a.lt(b), a.gt(b)));
    }

    private static Tensor[] splitOnTies(Tensor g, Tensor a, Tensor b, Tensor aWins, Tensor bWins) {
        Tensor half = g.mul(0.5);
        Tensor tie = a.eq(b);
        Tensor ga = where(aWins, g, where(tie, half, 0));
        Tensor gb = where(bWins, g, where(tie, half, 0));
        return grads(sumTo(ga, a.shapeRef()), sumTo(gb, b.shapeRef()));
    }

    /**
     * Clamp with tensor bounds (either may be null), broadcasting. The input gets the gradient
     * where min &lt;= x &lt;= max (inclusive); an active bound gets it where x is strictly outside
     * it; where min &gt; max the result is max and so is the gradient's destination.
     */
    public static Tensor clamp(Tensor x, Tensor min, Tensor max) {
        if (min == null && max == null) throw new IllegalArgumentException("clamp: at least one of min and max must be given");
        if (x.isBatched() || (min != null && min.isBatched()) || (max != null && max.isBatched())) {
            Shape.broadcast("clamp", x.shapeRef(), min == null ? new int[0] : min.shapeRef(), max == null ? new int[0] : max.shapeRef());
            return Batching.broadcasting(new Tensor[] {x, min, max}, true, p -> clamp(p[0], p[1], p[2]));
        }
        Tensor y = x;
        try (var scope = org.rlgrad.engine.autograd.GradMode.noGrad()) {
            if (min != null) y = kernel("clamp", BinaryOp.MAXIMUM, y, min);
            if (max != null) y = kernel("clamp", BinaryOp.MINIMUM, y, max);
        }
        Tensor out = y;
        Tensor[] in = inputs(x, min, max);
        return Autograd.record("clamp", out, in, new Tensor[] {x}, g -> {
            Tensor inside = null, belowMin = null, aboveMax = null;
            if (min != null) {
                inside = x.ge(min);
                belowMin = x.lt(min);
                if (max != null) belowMin = belowMin.logicalAnd(min.le(max));
            }
            if (max != null) {
                inside = inside == null ? x.le(max) : inside.logicalAnd(x.le(max));
                aboveMax = x.gt(max);
                if (min != null) aboveMax = aboveMax.logicalOr(max.lt(min));
            }
            return grads(
                    x.requiresGrad() ? sumTo(where(inside, g, 0), x.shapeRef()) : null,
                    min != null && min.requiresGrad() ? sumTo(where(belowMin, g, 0), min.shapeRef()) : null,
                    max != null && max.requiresGrad() ? sumTo(where(aboveMax, g, 0), max.shapeRef()) : null);
        });
    }

    /** {@code a + w (b - a)}. */
    public static Tensor lerp(Tensor a, Tensor b, Tensor w) {
        return a.add(w.mul(b.sub(a)));
    }

    public static Tensor lerp(Tensor a, Tensor b, double w) {
        return a.add(b.sub(a).mul(w));
    }

    /** Comparisons and logical ops: no gradient; under vmap, broadcasting (in the operands' own dtypes). */
    private static Tensor compare(String name, BinaryOp op, Tensor a, Tensor b) {
        if (a.isBatched() || b.isBatched()) {
            Shape.broadcast(name, a.shapeRef(), b.shapeRef());
            return Batching.broadcasting(new Tensor[] {a, b}, false, p -> compare(name, op, p[0], p[1]));
        }
        return kernel(name, op, a, b);
    }

    public static Tensor eq(Tensor a, Tensor b) { return compare("eq", BinaryOp.EQ, a, b); }
    public static Tensor ne(Tensor a, Tensor b) { return compare("ne", BinaryOp.NE, a, b); }
    public static Tensor lt(Tensor a, Tensor b) { return compare("lt", BinaryOp.LT, a, b); }
    public static Tensor le(Tensor a, Tensor b) { return compare("le", BinaryOp.LE, a, b); }
    public static Tensor gt(Tensor a, Tensor b) { return compare("gt", BinaryOp.GT, a, b); }
    public static Tensor ge(Tensor a, Tensor b) { return compare("ge", BinaryOp.GE, a, b); }
    public static Tensor logicalAnd(Tensor a, Tensor b) { return compare("logical_and", BinaryOp.LOGICAL_AND, a, b); }
    public static Tensor logicalOr(Tensor a, Tensor b) { return compare("logical_or", BinaryOp.LOGICAL_OR, a, b); }
    public static Tensor logicalXor(Tensor a, Tensor b) { return compare("logical_xor", BinaryOp.LOGICAL_XOR, a, b); }

    /**
     * {@code cond ? a : b}, broadcasting all three. The gradient goes to the selected branch only
     * (zeros to the other), summed back to each branch's shape.
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype() + " of shape " + Shape.format(cond.shapeRef()));
        }
        OpSupport.sameDevice("where", cond, a);
        OpSupport.sameDevice("where", a, b);
        if (cond.isBatched() || a.isBatched() || b.isBatched()) {
            Shape.broadcast("where", cond.shapeRef(), a.shapeRef(), b.shapeRef());
            return Batching.broadcasting(new Tensor[] {cond, a, b}, true, p -> where(p[0], p[1], p[2]));
        }
        DType type = DType.promote(a, b);
        Tensor y = a.backend().where(cond, a, b, type);
        return Autograd.record("where", y, inputs(a, b), new Tensor[] {cond}, g -> {
            Tensor zero = g.newScalar(0, g.dtype());
            return grads(a.requiresGrad() ? sumTo(where(cond, g, zero), a.shapeRef()) : null,
                         b.requiresGrad() ? sumTo(where(cond, zero, g), b.shapeRef()) : null);
        });
    }

    /** {@code cond ? a : value}; the scalar takes {@code a}'s dtype. */
    public static Tensor where(Tensor cond, Tensor a, double value) {
        return where(cond, a, scalarFor(a, value));
    }

    public static Tensor where(Tensor cond, double value, Tensor b) {
        return where(cond, scalarFor(b, value), b);
    }

    private static Tensor scalarFor(Tensor like, double value) {
        return org.rlgrad.engine.ops.Creation.full(new int[0], value, DType.promoteWithScalar(like.dtype()), like.backend());
    }

    /** {@code value} where {@code mask} (broadcast to x's shape), x elsewhere. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill: mask must be bool, got " + mask.dtype() + " of shape " + Shape.format(mask.shapeRef()));
        }
        int[] shape = Shape.broadcast("masked_fill", x.shapeRef(), mask.shapeRef());
        if (!java.util.Arrays.equals(shape, x.shapeRef())) {
            throw new IllegalArgumentException("masked_fill: mask of shape " + Shape.format(mask.shapeRef())
                    + " does not broadcast to the input's shape " + Shape.format(x.shapeRef()));
        }
        Tensor v = org.rlgrad.engine.ops.Creation.full(new int[0], value, x.dtype(), x.backend());
        return where(mask, v, x);
    }
}
