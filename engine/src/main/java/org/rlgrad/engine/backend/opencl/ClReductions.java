package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Reductions, arg-reductions, softmax and log-sum-exp on an {@link OpenClBackend}
 * ({@code reduce.cl}). Each one views its input with the reduced dims moved last, which makes it
 * {@code rows} rows of {@code len} elements without copying, and runs one work-group per row: the
 * kernels read the strided view through its Layout and combine partial results in a fixed tree, so
 * results are deterministic. Semantics (result dtypes, NaN, signed zeros, empty dims and their
 * errors) follow {@code CpuBackend}.
 */
final class ClReductions {
    /** The largest work-group a row gets; more items only add tree levels for no more bandwidth. */
    private static final int MAX_GROUP = 256;

    private final OpenClBackend cl;

    ClReductions(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        int[] inShape = x.shapeRef();
        int[] outShape = Shape.reduced(inShape, dims, keepdim);
        DType outType = op.resultType(x.dtype());
        int rows = Shape.numel(outShape);
        if ((op == ReduceOp.MAX || op == ReduceOp.MIN) && x.numel() == 0 && rows > 0) {
            throw new IllegalArgumentException((op == ReduceOp.MAX ? "amax" : "amin") + ": cannot reduce an empty dim of shape "
                    + Shape.format(inShape) + " (there is no identity)");
        }
        Tensor out = cl.emptyForOverwrite(outType, outShape);
        if (rows == 0) return out;
        Tensor view = lastDims(x, dims);
        int len = x.numel() / rows;
        // ANY/ALL accumulate 0/1 in the input's type (sharing the program of its other reductions) and write bool.
        boolean logical = op == ReduceOp.ANY || op == ReduceOp.ALL;
        DType accType = logical ? x.dtype() : outType;
        ClKernel k = cl.kernel("reduce.cl", ClTypes.options("T", x.dtype(), "TO", accType), logical ? "any_all_rows" : "reduce_rows");
        int group = groupSize(len, k);
        k.setBuffer(0, cl.buffer(out)).setBuffer(1, cl.buffer(x)).setInts(2, ClLayout.of(view)).setInt(3, len);
        // Two values per work item: float products carry their rounding error (reduce.cl's product_row).
        k.setInt(4, opCode(op)).setLocal(5, 2L * group * ClTypes.bytes(accType));
        k.enqueue(new long[] {(long) rows * group}, new long[] {group});
        return out;
    }

    Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        int[] shape = x.shapeRef();
        int len = shape[dim];
        if (len == 0) {
            throw new IllegalArgumentException((max ? "argmax" : "argmin") + ": dim " + dim + " of shape " + Shape.format(shape) + " is empty");
        }
        int[] outShape = Shape.reduced(shape, new int[] {dim}, keepdim);
        Tensor out = cl.emptyForOverwrite(DType.INT64, outShape);
        int rows = out.numel();
        if (rows == 0) return out;
        ClKernel k = cl.kernel("reduce.cl", ClTypes.options("T", x.dtype(), "TO", x.dtype()), "arg_reduce_rows");
        int group = groupSize(len, k);
        k.setBuffer(0, cl.buffer(out)).setBuffer(1, cl.buffer(x)).setInts(2, ClLayout.of(lastDims(x, new int[] {dim})));
        k.setInt(3, len).setInt(4, max ? 1 : 0);
        k.setLocal(5, (long) group * ClTypes.bytes(x.dtype())).setLocal(6, group * 4L);
        k.enqueue(new long[] {(long) rows * group}, new long[] {group});
        return out;
    }

    Tensor softmax(Tensor x, int dim, boolean log) {
        requireFloat(x);
        Tensor out = cl.emptyForOverwrite(x.dtype(), x.shapeRef());
        int len = x.shapeRef()[dim];
        if (out.numel() == 0) return out;
        int rows = out.numel() / len;
        int[] along = {dim};
        ClKernel k = cl.kernel("reduce.cl", ClTypes.options("T", x.dtype(), "TO", x.dtype()), "softmax_rows");
        int group = groupSize(len, k);
        k.setBuffer(0, cl.buffer(out)).setInts(1, ClLayout.of(lastDims(out, along)));
        k.setBuffer(2, cl.buffer(x)).setInts(3, ClLayout.of(lastDims(x, along))).setInt(4, len).setInt(5, log ? 1 : 0);
        k.setLocal(6, (long) group * ClTypes.bytes(x.dtype()));
        k.enqueue(new long[] {(long) rows * group}, new long[] {group});
        return out;
    }

    Tensor logSumExp(Tensor x, int dim, boolean keepdim) {
        requireFloat(x);
        int len = x.shapeRef()[dim];
        Tensor out = cl.emptyForOverwrite(x.dtype(), Shape.reduced(x.shapeRef(), new int[] {dim}, keepdim));
        int rows = out.numel();
        if (rows == 0) return out;
        ClKernel k = cl.kernel("reduce.cl", ClTypes.options("T", x.dtype(), "TO", x.dtype()), "logsumexp_rows");
        int group = groupSize(len, k);
        k.setBuffer(0, cl.buffer(out)).setBuffer(1, cl.buffer(x)).setInts(2, ClLayout.of(lastDims(x, new int[] {dim})));
        k.setInt(3, len).setLocal(4, (long) group * ClTypes.bytes(x.dtype()));
        k.enqueue(new long[] {(long) rows * group}, new long[] {group});
        return out;
    }

    private static void requireFloat(Tensor x) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException("softmax/logsumexp: expected a float tensor, got " + x.dtype());
    }

    /** The {@code OP_*} constant of {@code reduce.cl}. */
    private static int opCode(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> 2;
            case MIN -> 3;
            case ANY -> 4;
            case ALL -> 5;
        };
    }

    /**
     * The work-group for rows of {@code len}: the smallest power of two that covers the row, capped
     * at {@link #MAX_GROUP} and what the device allows for kernel {@code k} (the kernels' trees
     * need a power of two).
     */
    static int groupSize(int len, ClKernel k) {
        long cap = Math.min(MAX_GROUP, Long.highestOneBit(k.maxWorkGroupSize()));
        int g = 1;
        while (g < len && g < cap) g <<= 1;
        return g;
    }

    /**
     * A view of {@code t} with the sorted {@code dims} moved after the others (each group keeps its
     * order), so that the reduced elements of output element r are walk positions
     * {@code r * len .. r * len + len - 1}. Built directly from shape and strides: a backend view
     * records no autograd history.
     */
    static Tensor lastDims(Tensor t, int[] dims) {
        int n = t.dim();
        boolean[] moved = new boolean[n];
        for (int d : dims) moved[d] = true;
        int[] shape = new int[n], strides = new int[n];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int d = 0; d < n; d++) {
                if (moved[d] == (pass == 1)) {
                    shape[k] = t.shapeRef()[d];
                    strides[k++] = t.stridesRef()[d];
                }
            }
        }
        return new Tensor(t.storage(), shape, strides, t.offset());
    }
}
