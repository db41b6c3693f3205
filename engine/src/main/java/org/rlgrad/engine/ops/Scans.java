package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import java.util.List;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/** Inclusive scans along one dim: running sums and products, and the first-order linear recurrence. */
public final class Scans {
    private Scans() {}

    /** The gradient of a running sum is the reversed running sum of the gradient. */
    public static Tensor cumsum(Tensor x, int dim) {
        int d = Shape.normalizeDim("cumsum", dim, x.dim());
        if (x.dim() == 0) return Views.cloneTensor(x);
        if (x.isBatched()) return Batching.alongDim(x, d, Scans::cumsum);
        Tensor y = x.backend().scan(ScanOp.CUMSUM, x, d);
        return Autograd.record("cumsum", y, inputs(x), g -> grads(reverseCumsum(g, d)));
    }

    private static Tensor reverseCumsum(Tensor g, int d) {
        return g.flip(d).cumsum(d).flip(d);
    }

    /**
     * Running product. With y_i = prod_{j &lt;= i} x_j, dL/dx_k = sum_{i &gt;= k} g_i prod_{j &lt;= i, j != k} x_j.
     * Before the first zero of a line this is revcumsum(g y)_k / x_k; at the first zero z it is
     * revcumsum(g y')_z with y' the running product of x with x_z replaced by 1; after it, every
     * term contains x_z = 0. So zeros get exact gradients, with no division by zero.
     */
    public static Tensor cumprod(Tensor x, int dim) {
        int d = Shape.normalizeDim("cumprod", dim, x.dim());
        if (x.dim() == 0) return Views.cloneTensor(x);
        if (x.isBatched()) return Batching.alongDim(x, d, Scans::cumprod);
        Tensor y = x.backend().scan(ScanOp.CUMPROD, x, d);
        return Autograd.record("cumprod", y, inputs(x), new Tensor[] {x, y}, g -> grads(cumprodBackward(x, y, g, d)));
    }

    private static Tensor cumprodBackward(Tensor x, Tensor y, Tensor g, int d) {
        Tensor isZero = x.eq(0);
        Tensor zerosSoFar = isZero.toLong().cumsum(d);
        Tensor beforeFirstZero = zerosSoFar.eq(0);
        Tensor safeX = Arithmetic.where(beforeFirstZero, x, 1);
        Tensor regular = reverseCumsum(g.mul(y), d).div(safeX);
        if (isZero.any().item() == 0) return regular;
        Tensor firstZero = isZero.logicalAnd(zerosSoFar.eq(1));
        Tensor xWithoutFirstZero = Arithmetic.where(firstZero, 1, x);
        Tensor yWithoutFirstZero = xWithoutFirstZero.cumprod(d);
        if (!GradMode.isEnabled()) {
            Tensor atZero = reverseCumsum(g.mul(yWithoutFirstZero), d);
            return Arithmetic.where(beforeFirstZero, regular, Arithmetic.where(firstZero, atZero, 0));
        }
        // Recorded for a second derivative: after z the gradient is x_z times the gradient at x
        // with x_z = 1. Its value is 0, as above, but its derivative in x_z is not, and a constant
        // 0 would lose it. The recursion ends when no zeros remain (one level per zero in a line).
        Tensor others = cumprodBackward(xWithoutFirstZero, yWithoutFirstZero, g, d);
        Tensor xz = Reductions.sum(Arithmetic.where(firstZero, x, 0), new int[] {d}, true);
        return Arithmetic.where(beforeFirstZero, regular, Arithmetic.where(firstZero, others, others.mul(xz)));
    }

    /**
     * The first-order linear recurrence along {@code dim}: with {@code reverse},
     * {@code y_t = x_t + a_t y_{t+1}} from the end of each line ({@code y} past the end is 0), the
     * discounted sum {@code y_t = Σ_{k≥t} (Π_{t≤i<k} a_i) x_k} of value estimation (a reward-to-go
     * with per-step discounts, a GAE with {@code a = γλ(1 − done)}); without, {@code y_t = x_t +
     * a_t y_{t-1}} from the start. {@code x} and {@code a} broadcast to one shape; float dtypes.
     *
     * <p>Gradient (reverse form): {@code ∂L/∂x_t = u_t} with {@code u_t = g_t + a_{t-1} u_{t-1}},
     * the same recurrence run forward with the coefficients moved one step later, and
     * {@code ∂L/∂a_t = u_t y_{t+1}}. The forward form mirrors it. Both are recorded ops, so
     * higher derivatives follow.
     */
    public static Tensor linearRecurrence(Tensor x, Tensor a, int dim, boolean reverse) {
        if (!x.dtype().isFloating() || !a.dtype().isFloating()) {
            throw new IllegalArgumentException("linearRecurrence: expected float tensors, got " + x.dtype() + " and " + a.dtype());
        }
        int[] shape = Shape.broadcast("linearRecurrence", x.shapeRef(), a.shapeRef());
        int d = Shape.normalizeDim("linearRecurrence", dim, shape.length);
        // 0-d operands are one line of one step (as cumsum treats them): y = x.
        if (shape.length == 0) return Views.reshape(linearRecurrence(Views.reshape(x, new int[] {1}), a, 0, reverse), new int[0]);
        DType type = DType.promote(x, a);
        Tensor xe = Pointwise.cast(x, type).expand(shape), ae = Pointwise.cast(a, type).expand(shape);
        if (xe.isBatched() || ae.isBatched()) {
            return Batching.indexed(new Tensor[] {xe, ae}, d, (p, pd) -> linearRecurrence(p[0], p[1], pd, reverse));
        }
        Tensor y = xe.backend().linearRecurrence(xe, ae, d, reverse);
        return Autograd.record("linear_recurrence", y, inputs(xe, ae), new Tensor[] {ae, y}, g -> {
            // u: the recurrence of g running the other way, each coefficient moved one step toward where it runs from.
            Tensor u = linearRecurrence(g, shiftAlong(ae, d, reverse), d, !reverse);
            return grads(u, ae.requiresGrad() ? u.mul(shiftAlong(y, d, !reverse)) : null);
        });
    }

    /**
     * {@code v} moved one step along {@code d}, the emptied end filled with 0: toward later steps
     * ({@code later}: {@code out_t = v_{t-1}}) or earlier ones ({@code out_t = v_{t+1}}).
     */
    private static Tensor shiftAlong(Tensor v, int d, boolean later) {
        int len = v.size(d);
        int[] one = v.shape();
        one[d] = 1;
        Tensor zero = v.newZeros(v.dtype(), one);
        if (len <= 1) return zero.expand(v.shape());
        return later ? Joining.cat(List.of(zero, v.narrow(d, 0, len - 1)), d) : Joining.cat(List.of(v.narrow(d, 1, len - 1), zero), d);
    }
}
