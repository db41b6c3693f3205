package org.rlgrad.losses;

import java.util.Arrays;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The reduction of a per-element loss {@code L} (spec losses.md §1.8), with an optional validity
 * mask {@code M} and optional priority weights {@code w}.
 * <ul>
 *   <li>masked: {@code L ← where(M, L, 0)} (a selection, so NaN at masked positions poisons
 *       neither value nor gradient); {@code none → L·w}, {@code mean → Σ(L·w·M)/Σ(w·M)} (without
 *       weights {@code ΣL / max(1, ΣM)}), {@code sum → Σ(L·w·M)};</li>
 *   <li>unmasked: {@code none → L·w}, {@code mean → Σ(L·w)/Σw} (or {@code mean L}),
 *       {@code sum → Σ(L·w)}; the weights must have exactly {@code L}'s shape.</li>
 * </ul>
 */
public final class MaskedReduction {
    private MaskedReduction() {}

    /** Reduces {@code loss}; {@code mask} and {@code weights} may be null. */
    public static Tensor reduce(Tensor loss, Reduction reduction, Tensor mask, Tensor weights) {
        if (mask == null) return unmasked(loss, reduction, weights);
        Tensor m = shapeMask(mask, loss);
        Tensor l = Tensor.where(m, loss, 0.0);
        Tensor mf = m.to(loss.dtype());
        if (weights == null) {
            return switch (reduction) {
                case NONE -> l;
                case SUM -> l.sum();
                case MEAN -> l.sum().div(mf.sum().clampMin(1.0));
            };
        }
        Tensor w = shapeLike(weights, loss).to(loss.dtype());
        return switch (reduction) {
            case NONE -> l.mul(w);
            case SUM -> l.mul(w).mul(mf).sum();
            case MEAN -> l.mul(w).mul(mf).sum().div(w.mul(mf).sum());
        };
    }

    private static Tensor unmasked(Tensor loss, Reduction reduction, Tensor weights) {
        if (weights == null) {
            return switch (reduction) {
                case NONE -> loss;
                case SUM -> loss.sum();
                case MEAN -> loss.mean();
            };
        }
        if (!Arrays.equals(weights.shapeRef(), loss.shapeRef())) {
            throw new IllegalArgumentException("loss reduction: the priority weights must have the loss's shape " + Shape.format(loss.shapeRef())
                    + ", got " + Shape.format(weights.shapeRef()));
        }
        Tensor w = weights.to(loss.dtype());
        return switch (reduction) {
            case NONE -> loss.mul(w);
            case SUM -> loss.mul(w).sum();
            case MEAN -> loss.mul(w).sum().div(w.sum());
        };
    }

    /**
     * The mask shaped against {@code loss}: trailing singleton dims are dropped while it has more
     * dims than the loss (more non-singleton dims is an error), then singleton dims are appended
     * and it is broadcast to the loss's shape. Returned as a bool tensor.
     */
    static Tensor shapeMask(Tensor mask, Tensor loss) {
        Tensor m = mask.dtype() == DType.BOOL ? mask : mask.ne(0.0);
        return shapeLike(m, loss);
    }

    private static Tensor shapeLike(Tensor t, Tensor loss) {
        Tensor m = t;
        while (m.dim() > loss.dim() && m.size(m.dim() - 1) == 1) m = m.squeeze(m.dim() - 1);
        if (m.dim() > loss.dim()) {
            throw new IllegalArgumentException("loss reduction: the mask " + Shape.format(t.shapeRef()) + " has more non-singleton dimensions than the loss "
                    + Shape.format(loss.shapeRef()));
        }
        while (m.dim() < loss.dim()) m = m.unsqueeze(m.dim());
        return m.expand(loss.shape());
    }
}
