package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/** Inclusive scans along one dim. */
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
}
