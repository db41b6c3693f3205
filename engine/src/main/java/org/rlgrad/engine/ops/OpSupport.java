package org.rlgrad.engine.ops;

import java.util.Arrays;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/** Checks and gradient plumbing shared by the op classes. */
final class OpSupport {
    private OpSupport() {}

    static Tensor[] grads(Tensor... g) {
        return g;
    }

    static Tensor[] inputs(Tensor... t) {
        return t;
    }

    static void sameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": tensors on different devices: " + a.device() + " (shape "
                    + Shape.format(a.shapeRef()) + ") and " + b.device() + " (shape " + Shape.format(b.shapeRef()) + ")");
        }
    }

    /**
     * Sums a broadcast gradient back to an input's shape: every broadcasting op ends its backward
     * with this (leading dims that broadcasting added are summed away, stretched size-1 dims are
     * summed with keepdim).
     */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shapeRef();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims[n++] = i;
        }
        Tensor r = n == 0 ? g : Reductions.sum(g, Arrays.copyOf(dims, n), true);
        return Views.reshape(r, shape);
    }

    /** Re-inserts reduced dims (when keepdim was false) and broadcasts back to {@code shape}. */
    static Tensor expandBack(Tensor g, int[] shape, int[] sortedDims, boolean keepdim) {
        Tensor r = g;
        if (!keepdim) {
            for (int d : sortedDims) r = Views.unsqueeze(r, d);
        }
        return Views.expand(r, shape);
    }

    static void requireInt64(String op, String what, Tensor index) {
        if (index.dtype() != org.rlgrad.engine.tensor.DType.INT64) {
            throw new IllegalArgumentException(op + ": " + what + " must be int64, got " + index.dtype());
        }
    }
}
