package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Cumulative sums and products, the first-order linear recurrence ({@code recurrence.cl}), and
 * stable sorting permutations, along one dim on an {@link OpenClBackend} ({@code scan.cl}). Both view the input with the dim moved last (see
 * {@link ClReductions#lastDims}) and write the contiguous result through the same permutation.
 * Semantics follow {@code CpuBackend}: scans keep the dtype (bool scans are a running OR / AND),
 * and sorting puts NaN above everything and -0.0 below +0.0, keeping equal keys in index order.
 */
final class ClScans {
    /** The most work items one row's scan gets. */
    private static final int MAX_GROUP = 256;
    /** Elements per work item below which a longer chunk is cheaper than another scan level. */
    private static final int CHUNK = 8;

    private final OpenClBackend cl;

    ClScans(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor scan(ScanOp op, Tensor x, int dim) {
        Tensor out = cl.emptyForOverwrite(x.dtype(), x.shapeRef());
        if (out.numel() == 0) return out;
        int len = x.shapeRef()[dim];
        int rows = out.numel() / len;
        int[] along = {dim};
        ClKernel k = cl.kernel("scan.cl", ClTypes.options("T", x.dtype()), "scan_rows");
        int group = (int) Math.min(Math.min(MAX_GROUP, k.maxWorkGroupSize()), (len + CHUNK - 1) / CHUNK);
        k.setBuffer(0, cl.buffer(out)).setInts(1, ClLayout.of(ClReductions.lastDims(out, along)));
        k.setBuffer(2, cl.buffer(x)).setInts(3, ClLayout.of(ClReductions.lastDims(x, along))).setInt(4, len);
        // A (value, rounding error) pair per work item: see scan.cl's scan_step.
        k.setInt(5, op == ScanOp.CUMSUM ? 0 : 1).setLocal(6, 2L * group * ClTypes.bytes(x.dtype()));
        k.enqueue(new long[] {(long) rows * group}, new long[] {group});
        return out;
    }

    /** {@code y_t = x_t + a_t y_{t±1}} along {@code dim} ({@code recurrence.cl}), rows in parallel. */
    Tensor linearRecurrence(Tensor x, Tensor a, int dim, boolean reverse) {
        Tensor out = cl.emptyForOverwrite(x.dtype(), x.shapeRef());
        if (out.numel() == 0) return out;
        int len = x.shapeRef()[dim];
        int rows = out.numel() / len;
        int[] along = {dim};
        String options = ClTypes.options("T", x.dtype());
        if (cl.clDevice().supportsDouble() && !options.contains("-DHAS_FP64")) options += " -DHAS_FP64"; // a double carry
        ClKernel k = cl.kernel("recurrence.cl", options, "linear_recurrence");
        k.setBuffer(0, cl.buffer(out)).setInts(1, ClLayout.of(ClReductions.lastDims(out, along)));
        k.setBuffer(2, cl.buffer(x)).setInts(3, ClLayout.of(ClReductions.lastDims(x, along)));
        k.setBuffer(4, cl.buffer(a)).setInts(5, ClLayout.of(ClReductions.lastDims(a, along)));
        k.setInt(6, rows).setInt(7, len).setInt(8, reverse ? 1 : 0);
        ClElementwise.launch(k, rows);
        return out;
    }

    Tensor sortIndices(Tensor x, int dim, boolean descending) {
        Tensor out = cl.emptyForOverwrite(DType.INT64, x.shapeRef());
        int n = out.numel();
        if (n == 0) return out;
        int len = x.shapeRef()[dim];
        int rows = n / len;
        int[] along = {dim};
        // The merge sort reads each key O(log len) times: gather them into contiguous rows once.
        Tensor keys = cl.contiguous(ClReductions.lastDims(x, along));
        Tensor a = cl.emptyForOverwrite(DType.INT64, new int[] {n});
        Tensor b = cl.emptyForOverwrite(DType.INT64, new int[] {n});
        ClKernel k = cl.kernel("scan.cl", ClTypes.options("T", x.dtype()), "sort_rows");
        k.setBuffer(0, cl.buffer(out)).setInts(1, ClLayout.of(ClReductions.lastDims(out, along)));
        k.setBuffer(2, cl.buffer(keys)).setInt(3, keys.offset());
        k.setBuffer(4, cl.buffer(a)).setBuffer(5, cl.buffer(b));
        k.setInt(6, rows).setInt(7, len).setInt(8, descending ? 1 : 0);
        ClElementwise.launch(k, rows);
        return out;
    }
}
