package org.rlgrad.engine.ops;

import java.util.function.Supplier;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Tensor;

/**
 * In-place writes, for work outside the graph: optimiser steps, target-network updates,
 * adaptive coefficients. They refuse to run on a tensor that requires grad while recording is
 * on (that would silently corrupt the graph); every write raises the storage's version, so a
 * backward that saved the old values fails loudly instead of using the new ones.
 */
public final class InPlace {
    private InPlace() {}

    public static Tensor copy(Tensor dst, Tensor src) {
        OpSupport.sameDevice("copy_", dst, src);
        return overwrite("copy_", dst, () -> src);
    }

    public static Tensor fill(Tensor dst, double value) {
        return overwrite("fill_", dst, () -> Creation.full(new int[0], value, dst.dtype(), dst.backend()));
    }

    /** {@code dst += alpha * other}. */
    public static Tensor add(Tensor dst, Tensor other, double alpha) {
        return overwrite("add_", dst, () -> dst.add(other.detach(), alpha));
    }

    public static Tensor mul(Tensor dst, double s) {
        return overwrite("mul_", dst, () -> dst.mul(s));
    }

    /** {@code dst += weight * (end - dst)}. */
    public static Tensor lerp(Tensor dst, Tensor end, double weight) {
        return overwrite("lerp_", dst, () -> dst.lerp(end.detach(), weight));
    }

    /** Computes the new value without recording, then writes it (broadcast, cast) into {@code dst}. */
    private static Tensor overwrite(String op, Tensor dst, Supplier<Tensor> newValue) {
        if (dst.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place write to a tensor that requires grad while gradients are recorded; "
                    + "wrap the update in GradMode.noGrad()");
        }
        Tensor value;
        try (var scope = GradMode.noGrad()) {
            value = newValue.get();
        }
        dst.backend().copyInto(dst, value);
        return dst;
    }
}
