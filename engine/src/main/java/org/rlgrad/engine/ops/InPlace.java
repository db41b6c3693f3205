package org.rlgrad.engine.ops;

import java.util.Arrays;
import java.util.function.Supplier;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Shape;
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

    /**
     * One Adam update of {@code param} and its moments {@code expAvg} (m) and {@code expAvgSq} (v)
     * from {@code grad}, in place, as torch 1.13's per-tensor loop computes it:
     * <pre>
     * exp_avg.mul_(β1).add_(grad, alpha=1 - β1)
     * exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 - β2)
     * denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(ε)
     * param.addcdiv_(exp_avg, denom, value=-step_size)
     * </pre>
     * The backend fuses it into one pass that allocates nothing where it can
     * ({@link org.rlgrad.engine.backend.Backend#adam}); otherwise it runs as those ops.
     */
    public static void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                            double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        for (Tensor t : new Tensor[] {grad, expAvg, expAvgSq}) {
            OpSupport.sameDevice("adam_", param, t);
            if (!Arrays.equals(t.shapeRef(), param.shapeRef())) {
                throw new IllegalArgumentException("adam_: expected the gradient and both moments in the parameter's shape "
                        + Shape.format(param.shapeRef()) + ", got " + Shape.format(t.shapeRef()));
            }
        }
        for (Tensor t : new Tensor[] {param, expAvg, expAvgSq}) {
            if (t.requiresGrad() && GradMode.isEnabled()) {
                throw new IllegalStateException("adam_: in-place write to a tensor that requires grad while gradients are recorded; "
                        + "wrap the update in GradMode.noGrad()");
            }
        }
        if (param.backend().adam(param, grad, expAvg, expAvgSq, beta1, beta2, stepSize, biasCorrection2Sqrt, eps)) return;
        adamComposed(param, grad, expAvg, expAvgSq, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
    }

    /** {@link #adam} as separate ops, for backends without the fused form (and to test it against). */
    static void adamComposed(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                             double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        try (var scope = GradMode.noGrad()) {
            Tensor g = grad.detach();
            mul(expAvg, beta1);
            add(expAvg, g, 1 - beta1);
            mul(expAvgSq, beta2);
            overwrite("addcmul_", expAvgSq, () -> expAvgSq.add(g.mul(1 - beta2).mul(g)));
            // Divisions by 0-d tensors, not by Java scalars: div(double) multiplies by the reciprocal.
            Tensor denom = expAvgSq.sqrt().div(param.newScalar(biasCorrection2Sqrt, param.dtype())).add(eps);
            overwrite("addcdiv_", param, () -> param.add(expAvg.div(denom).mul(-stepSize)));
        }
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
