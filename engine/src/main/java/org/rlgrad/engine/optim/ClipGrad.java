package org.rlgrad.engine.optim;

import java.util.ArrayList;
import java.util.List;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}.
 *
 * <p>Unlike torch, the clipped gradient is a new tensor set with {@link Tensor#setGrad} rather
 * than the old one written in place: here two parameters' gradients may share one buffer (backward
 * may hand both leaves of {@code a + b} the same tensor), and scaling it in place for each
 * parameter would scale it twice. A caller that kept the old gradient tensor sees it unchanged.
 */
public final class ClipGrad {
    /** torch's guard against dividing by a zero norm in {@code clip_coef = max_norm / (total + 1e-6)}. */
    public static final double NORM_EPS = 1e-6;

    private ClipGrad() {}

    /** {@link #clipGradNorm(List, double, double, boolean)} with the 2-norm and no error on a non-finite norm. */
    public static Tensor clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2, false);
    }

    /**
     * Scales every gradient by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the
     * {@code normType}-norm of all gradients concatenated into one vector, computed as torch does:
     * the norm of the per-gradient norms, or their maximum for {@code normType = ∞}. Returns the
     * total (a 0-d tensor on the gradients' device, before clipping) without reading it back, so a
     * step on a device does not wait for it. Parameters without a gradient are skipped; with none
     * at all the result is 0.
     *
     * @param errorIfNonfinite throw when the total is NaN or infinite (this reads it back) instead
     *                         of scaling by it (which turns every gradient into NaN or zero)
     */
    public static Tensor clipGradNorm(List<Tensor> params, double maxNorm, double normType, boolean errorIfNonfinite) {
        if (Double.isNaN(normType)) throw new IllegalArgumentException("clipGradNorm: the norm type must be a number, got NaN");
        List<Tensor> owners = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                owners.add(p);
                grads.add(p.grad());
            }
        }
        if (grads.isEmpty()) return params.isEmpty() ? Tensor.scalar(0) : params.get(0).newScalar(0, DType.FLOAT32);
        try (var scope = GradMode.noGrad()) {
            DType dtype = grads.get(0).dtype();
            for (Tensor g : grads) {
                if (!g.device().equals(grads.get(0).device())) {
                    throw new IllegalArgumentException("clipGradNorm: gradients on " + grads.get(0).device() + " and " + g.device()
                            + "; expected one device");
                }
                dtype = DType.max(dtype, g.dtype());
            }
            List<Tensor> norms = new ArrayList<>();
            for (Tensor g : grads) norms.add(g.detach().norm(normType, null, false).to(dtype));
            Tensor stacked = Tensor.stack(norms, 0);
            Tensor total = normType == Double.POSITIVE_INFINITY ? stacked.max() : stacked.norm(normType, null, false);
            if (errorIfNonfinite && !total.isFinite().toBooleanArray()[0]) {
                throw new IllegalStateException("clipGradNorm: the total norm of order " + normType + " of the gradients is "
                        + total.item() + " (non-finite), so it cannot be clipped; expected a finite norm (pass errorIfNonfinite = false "
                        + "to scale the gradients by it anyway)");
            }
            Tensor coef = total.add(NORM_EPS).rdiv(maxNorm).clampMax(1.0);
            for (int i = 0; i < grads.size(); i++) {
                Tensor g = grads.get(i);
                owners.get(i).setGrad(g.detach().mul(coef.to(g.dtype())));
            }
            return total;
        }
    }

    /** Clamps every gradient to {@code [-clipValue, clipValue]} (torch's {@code clip_grad_value_}). */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        if (Double.isNaN(clipValue)) throw new IllegalArgumentException("clipGradValue: the clip value must be a number, got NaN");
        try (var scope = GradMode.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) p.setGrad(g.detach().clamp(-clipValue, clipValue));
            }
        }
    }
}
