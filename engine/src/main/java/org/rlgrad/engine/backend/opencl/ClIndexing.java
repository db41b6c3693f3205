package org.rlgrad.engine.backend.opencl;

import java.lang.ref.Reference;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * gather and scatter / scatter_add on an {@link OpenClBackend} ({@code indexing.cl}), with the
 * CPU backend's results: gather copies elements exactly; scatter writes each line of the index
 * in order from one work item, so repeated indices end as on the CPU (the last write wins, sums
 * add in the CPU's order) and results never depend on scheduling.
 *
 * <p>Indices are checked on the device: a kernel skips an index outside the dim and records the
 * first one (in row-major order over the index, the order the CPU checks them) in a flag that the
 * host reads after the launch, throwing the CPU's {@link IndexOutOfBoundsException}. Reading the
 * flag waits for the kernel; an error must surface at the call that caused it.
 */
final class ClIndexing {
    private final OpenClBackend cl;

    ClIndexing(OpenClBackend cl) {
        this.cl = cl;
    }

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1, and so on (torch.gather). */
    Tensor gather(Tensor x, int dim, Tensor index) {
        int[] shape = index.shapeRef();
        Tensor out = cl.emptyForOverwrite(x.dtype(), shape);
        int n = out.numel();
        if (n == 0) return out;
        index = asInt64(index);
        int[] xStrides = x.stridesRef().clone();
        int step = xStrides[dim], size = x.shapeRef()[dim];
        xStrides[dim] = 0; // the index supplies the position along dim
        OpenClStorage bad = flag();
        ClKernel k = cl.kernel("indexing.cl", ClTypes.options("T", x.dtype()), "gather");
        k.setBuffer(0, cl.buffer(out)).setBuffer(1, cl.buffer(x));
        k.setInts(2, ClLayout.pack(shape, xStrides, x.offset(), shape)).setInt(3, step).setInt(4, size);
        k.setBuffer(5, cl.buffer(index)).setInts(6, ClLayout.of(index)).setInt(7, n).setBuffer(8, bad.buffer());
        ClElementwise.launch(k, n);
        throwIfBad(bad, "gather", index, n, dim, size);
        return out;
    }

    /** A copy of {@code base} with {@code src} written (or added) at the positions {@code index} names along {@code dim}. */
    Tensor scatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate) {
        Tensor out = cl.copy(base, base.dtype());
        int[] shape = index.shapeRef();
        int n = index.numel();
        if (n == 0) return out;
        index = asInt64(index);
        if (src.dtype() != base.dtype()) src = cl.copy(src, base.dtype()); // the CPU stores src's values in base's dtype
        int len = shape[dim], lines = n / len, inner = 1;
        for (int d = dim + 1; d < shape.length; d++) inner *= shape[d];
        int[] lineShape = shape.clone();
        lineShape[dim] = 1;
        String op = accumulate ? "scatter_add" : "scatter";
        int size = out.shapeRef()[dim];
        OpenClStorage bad = flag();
        ClKernel k = cl.kernel("indexing.cl", ClTypes.options("T", base.dtype()), "scatter");
        k.setBuffer(0, cl.buffer(out)).setInts(1, ClLayout.pack(lineShape, out.stridesRef(), out.offset(), lineShape));
        k.setInt(2, out.stridesRef()[dim]).setInt(3, size);
        k.setBuffer(4, cl.buffer(index)).setInts(5, ClLayout.pack(lineShape, index.stridesRef(), index.offset(), lineShape));
        k.setInt(6, index.stridesRef()[dim]);
        k.setBuffer(7, cl.buffer(src)).setInts(8, ClLayout.pack(lineShape, src.stridesRef(), src.offset(), lineShape));
        k.setInt(9, src.stridesRef()[dim]);
        k.setInt(10, lines).setInt(11, len).setInt(12, inner).setInt(13, n).setInt(14, accumulate ? 1 : 0).setBuffer(15, bad.buffer());
        ClElementwise.launch(k, lines);
        throwIfBad(bad, op, index, n, dim, size);
        return out;
    }

    /** The CPU reads any index tensor as longs (floats truncated); so does this, on the device. */
    private Tensor asInt64(Tensor index) {
        return index.dtype() == DType.INT64 ? index : cl.copy(index, DType.INT64);
    }

    /**
     * A zeroed int on the device for the kernels' first-bad-index report (in a one-element int64
     * storage, the smallest the backend allocates; the kernels see its first four bytes).
     */
    private OpenClStorage flag() {
        return (OpenClStorage) cl.allocate(DType.INT64, 1);
    }

    private void throwIfBad(OpenClStorage bad, String op, Tensor index, int n, int dim, int size) {
        int[] flag = new int[1];
        bad.buffer().read(0, flag, 0, 1);
        // The storage owns the buffer: unreachable, its buffer could go back to the pool mid-read.
        Reference.reachabilityFence(bad);
        if (flag[0] == 0) return;
        long idx = cl.toLongs(index)[n - flag[0]];
        // The CPU backend's exception and message (CpuBackend.checkIndex).
        throw new IndexOutOfBoundsException(op + ": index " + idx + " is out of range for dim " + dim + " of size " + size);
    }
}
