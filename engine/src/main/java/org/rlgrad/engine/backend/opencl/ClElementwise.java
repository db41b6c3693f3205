package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/** Copies, casts and fills on an {@link OpenClBackend} ({@code elementwise.cl}). */
final class ClElementwise {
    /** Work items per group of the one-dimensional kernels. */
    static final int GROUP = 64;

    private final OpenClBackend cl;

    ClElementwise(OpenClBackend cl) {
        this.cl = cl;
    }

    /** Enqueues {@code k} over {@code n} work items (rounded up to whole groups; kernels guard the tail). */
    static void launch(ClKernel k, int n) {
        if (n > 0) k.enqueue(new long[] {ClKernel.roundUp(n, GROUP)}, new long[] {GROUP});
    }

    Tensor copy(Tensor src, DType dtype) {
        Tensor out = cl.emptyForOverwrite(dtype, src.shapeRef());
        copyInto(out, src);
        return out;
    }

    /** Writes {@code src}, broadcast to {@code dst}'s shape and cast to its dtype, into the view {@code dst}. */
    void copyInto(Tensor dst, Tensor src) {
        int n = dst.numel();
        if (n == 0) return;
        ClKernel k = cl.kernel("elementwise.cl", ClTypes.options("TI", src.dtype(), "TO", dst.dtype()), "copy_cast");
        k.setBuffer(0, cl.buffer(dst)).setInts(1, ClLayout.of(dst));
        k.setBuffer(2, cl.buffer(src)).setInts(3, ClLayout.of(src, dst.shapeRef())).setInt(4, n);
        launch(k, n);
    }

    Tensor full(int[] shape, DType dtype, double value) {
        OpenClStorage s = cl.allocateForOverwrite(dtype, Shape.numel(shape));
        if (s.size() > 0) {
            ClBuffer b = s.buffer();
            switch (dtype) {
                case FLOAT32 -> b.fill((float) value);
                case FLOAT64 -> b.fill(value);
                case INT64 -> b.fill((long) value);
                case BOOL -> b.fill((byte) (value != 0 ? 1 : 0));
            }
        }
        return new Tensor(s, shape.clone());
    }

    /**
     * {@code start + i * step}, computed on the host in double as the CPU backend does (so both
     * round the same way) and uploaded: ranges are index vectors, small next to the kernels' data.
     */
    Tensor arange(int n, double start, double step, DType dtype) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = start + i * step;
        return new Tensor(cl.fromDoubles(dtype, values), new int[] {n});
    }
}
