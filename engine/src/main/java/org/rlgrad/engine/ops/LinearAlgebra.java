package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import java.util.Arrays;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/** Matrix products with PyTorch's matmul rules. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * torch.matmul: 1-d x 1-d is a dot product; a 1-d left (right) operand is a row (column) that
     * is removed from the result; otherwise the last two dims multiply and the leading (batch)
     * dims broadcast.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        OpSupport.sameDevice("matmul", a, b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least one dim, got shapes "
                    + Shape.format(a.shapeRef()) + " and " + Shape.format(b.shapeRef()));
        }
        // Checked before 1-d operands are promoted, so that the message shows the shapes as given.
        int k = a.size(-1), kb = b.size(b.dim() == 1 ? 0 : -2);
        if (kb != k) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.format(a.shapeRef()) + " and " + Shape.format(b.shapeRef())
                    + " do not align (" + k + " != " + kb + ")");
        }
        if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        boolean batched = a.isBatched() || b.isBatched();
        if (a.dim() == 2 && b.dim() == 2 && a.dtype() == b.dtype() && !batched) return batchedProduct(a, b); // nothing to broadcast or cast
        int[] batchA = Arrays.copyOf(a.shapeRef(), a.dim() - 2), batchB = Arrays.copyOf(b.shapeRef(), b.dim() - 2);
        int[] batch;
        try {
            batch = Shape.broadcast("matmul", batchA, batchB);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("matmul: the batch dims of shapes " + Shape.format(a.shapeRef()) + " and "
                    + Shape.format(b.shapeRef()) + " do not broadcast (" + Shape.format(batchA) + " vs " + Shape.format(batchB) + ")", e);
        }
        if (batched) return Batching.broadcasting(a, b, LinearAlgebra::matmul); // after the checks, so that errors show the entries' shapes
        DType type = DType.promote(a, b);
        Tensor ea = a.to(type).expand(Shape.concat(batch, new int[] {a.size(-2), k}));
        Tensor eb = b.to(type).expand(Shape.concat(batch, new int[] {k, b.size(-1)}));
        return batchedProduct(ea, eb);
    }

    /**
     * [*B, n, k] x [*B, k, m] with equal batch dims. dA = g B^T and dB = A^T g: matrix products
     * again, so second derivatives come for free.
     */
    private static Tensor batchedProduct(Tensor a, Tensor b) {
        Tensor y = a.backend().matmul(a, b);
        return Autograd.record("matmul", y, inputs(a, b), new Tensor[] {a, b}, g -> grads(
                a.requiresGrad() ? batchedProduct(g, b.mT()) : null,
                b.requiresGrad() ? batchedProduct(a.mT(), g) : null));
    }

    /** Batched product of two 3-d tensors with the same batch size (no broadcasting). */
    public static Tensor bmm(Tensor a, Tensor b) {
        if (a.dim() != 3 || b.dim() != 3 || a.size(0) != b.size(0)) {
            throw new IllegalArgumentException("bmm: expected [B, n, k] and [B, k, m], got " + Shape.format(a.shapeRef())
                    + " and " + Shape.format(b.shapeRef()));
        }
        return matmul(a, b);
    }
}
