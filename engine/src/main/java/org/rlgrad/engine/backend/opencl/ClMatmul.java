package org.rlgrad.engine.backend.opencl;

import java.util.Arrays;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The batched matrix product on an {@link OpenClBackend} ({@code matmul.cl}): a local-memory
 * tiled kernel with register blocks, one work-group per square block of each batch entry's
 * result, each work item computing a 4 x 4 grid of it, reading both
 * operands through their strides (the scheme and the summation order are explained in the
 * kernel source). Every dtype the CPU backend multiplies is handled: float32 and float64 with
 * fused multiply-adds in the CPU's order, int64 exactly, bool as 0/1 summed then tested != 0.
 */
final class ClMatmul {
    /** Tile side when the device allows TILE x TILE work-groups; smaller devices get a smaller tile. */
    private static final int PREFERRED_TILE = 16;
    /** The side of each work item's block of outputs: matmul.cl's RB. */
    private static final int RB = 4;

    private final OpenClBackend cl;

    ClMatmul(OpenClBackend cl) {
        this.cl = cl;
    }

    /** {@code a} is {@code [*B, n, k]}, {@code b} is {@code [*B, k, m]} with identical batch dims; the result is {@code [*B, n, m]}. */
    Tensor matmul(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("matmul: expected operands of one dtype, got " + a.dtype() + " and " + b.dtype());
        }
        int r = a.dim();
        if (r < 2 || b.dim() != r) {
            throw new IllegalArgumentException("matmul: expected [*B, n, k] and [*B, k, m] of equal rank >= 2, got shapes "
                    + Shape.format(a.shapeRef()) + " and " + Shape.format(b.shapeRef()));
        }
        int n = a.shapeRef()[r - 2], k = a.shapeRef()[r - 1], m = b.shapeRef()[r - 1];
        int[] batch = Arrays.copyOf(a.shapeRef(), r - 2);
        if (b.shapeRef()[r - 2] != k || !Arrays.equals(batch, Arrays.copyOf(b.shapeRef(), r - 2))) {
            throw new IllegalArgumentException("matmul: expected [*B, n, k] and [*B, k, m] with equal batch dims, got shapes "
                    + Shape.format(a.shapeRef()) + " and " + Shape.format(b.shapeRef()));
        }
        Tensor out = cl.emptyForOverwrite(a.dtype(), Shape.concat(batch, new int[] {n, m}));
        if (out.numel() == 0) return out;
        if (batch.length > ClLayout.MAX_DIMS) {
            // Merging dims never adds any, so a Layout holds the batch dims of any contiguous operand.
            a = cl.contiguous(a);
            b = cl.contiguous(b);
        }
        int tile = tile();
        ClKernel kernel = kernel(a.dtype(), tile);
        // A GPU may allow fewer work items for this kernel than for the device (registers, local memory).
        while (tile > 1 && (long) tile * tile > kernel.maxWorkGroupSize()) kernel = kernel(a.dtype(), tile /= 2);
        int[] as = a.stridesRef(), bs = b.stridesRef();
        kernel.setBuffer(0, cl.buffer(out));
        kernel.setBuffer(1, cl.buffer(a)).setInts(2, batchLayout(a, batch)).setInt(3, as[r - 2]).setInt(4, as[r - 1]);
        kernel.setBuffer(5, cl.buffer(b)).setInts(6, batchLayout(b, batch)).setInt(7, bs[r - 2]).setInt(8, bs[r - 1]);
        kernel.setInt(9, n).setInt(10, k).setInt(11, m);
        // Each work item computes RB x RB outputs (matmul.cl): a group covers RB * tile rows and columns.
        long block = (long) RB * tile;
        kernel.enqueue(new long[] {ClKernel.roundUp(m, block) / RB, ClKernel.roundUp(n, block) / RB, Shape.numel(batch)},
                new long[] {tile, tile, 1});
        return out;
    }

    /** Where each batch entry of {@code t} starts: its batch dims (strides included, 0 for expanded ones) walked row-major. */
    private static int[] batchLayout(Tensor t, int[] batch) {
        return ClLayout.pack(batch, Arrays.copyOf(t.stridesRef(), batch.length), t.offset(), batch);
    }

    private ClKernel kernel(DType dtype, int tile) {
        return cl.kernel("matmul.cl", ClTypes.options("T", dtype) + " -DTILE=" + tile, "matmul");
    }

    /** The largest tile side up to {@link #PREFERRED_TILE} whose square work-group the device accepts. */
    private int tile() {
        ClDevice d = cl.clDevice();
        long[] sizes = d.maxWorkItemSizes();
        int tile = PREFERRED_TILE;
        while (tile > 1 && ((long) tile * tile > d.maxWorkGroupSize() || tile > sizes[0] || tile > sizes[1])) tile /= 2;
        return tile;
    }
}
