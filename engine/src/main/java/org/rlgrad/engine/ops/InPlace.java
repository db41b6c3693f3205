package org.rlgrad.engine.ops;

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

    private static void check(String op, Tensor dst) {
        if (dst.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place write to a tensor that requires grad while gradients are recorded; "
                    + "wrap the update in GradMode.noGrad()");
        }
    }

    public static Tensor copy(Tensor dst, Tensor src) {
        check("copy_", dst);
        OpSupport.sameDevice("copy_", dst, src);
        dst.backend().copyInto(dst, src);
        return dst;
    }

    public static Tensor fill(Tensor dst, double value) {
        check("fill_", dst);
        dst.backend().copyInto(dst, Creation.full(new int[0], value, dst.dtype(), dst.backend()));
        return dst;
    }

    public static Tensor add(Tensor dst, Tensor other, double alpha) {
        check("add_", dst);
        Tensor sum;
        try (var scope = GradMode.noGrad()) {
            sum = dst.add(other.detach(), alpha);
        }
        dst.backend().copyInto(dst, sum);
        return dst;
    }

    public static Tensor mul(Tensor dst, double s) {
        check("mul_", dst);
        Tensor product;
        try (var scope = GradMode.noGrad()) {
            product = dst.mul(s);
        }
        dst.backend().copyInto(dst, product);
        return dst;
    }

    public static Tensor lerp(Tensor dst, Tensor end, double weight) {
        check("lerp_", dst);
        Tensor mixed;
        try (var scope = GradMode.noGrad()) {
            mixed = dst.lerp(end.detach(), weight);
        }
        dst.backend().copyInto(dst, mixed);
        return dst;
    }
}
