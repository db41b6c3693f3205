package org.rlgrad.engine.distributions;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code KL(p ‖ q) = Σ p (ln p − ln q)} for pairs from the categorical family (spec/engine.md
 * section 4.10): {@link Categorical}, {@link OneHotCategorical} (either convention) and
 * {@link MaskedCategorical} with a dense mask, in any combination with the same number of
 * categories, as PyTorch's {@code _kl_categorical_categorical} (TorchRL's classes extend
 * Categorical, so PyTorch applies the same rule to them).
 *
 * <p>Terms with {@code p = 0} contribute 0, a term with {@code q = 0 < p} makes the divergence
 * +∞. The log-probabilities are the distributions' normalised logits (for a distribution built from
 * probabilities, PyTorch's clamped {@code ln p}); where a term is fixed to 0 or +∞ the difference
 * of logits is replaced before it is multiplied, so that a masked −∞ logit gives a zero gradient,
 * not NaN.
 */
public final class CategoricalKL {
    private CategoricalKL() {}

    /** Whether {@link #divergence} handles this pair. */
    public static boolean supports(Distribution p, Distribution q) {
        return logits(p) != null && logits(q) != null;
    }

    /** {@code KL(p ‖ q)}, of the broadcast batch shape. */
    public static Tensor divergence(Distribution p, Distribution q) {
        Tensor pLogits = logits(p);
        Tensor qLogits = logits(q);
        if (pLogits == null || qLogits == null) {
            throw new UnsupportedOperationException("CategoricalKL: no closed form for KL(" + p.getClass().getSimpleName() + " ‖ "
                    + q.getClass().getSimpleName() + "); expected Categorical, OneHotCategorical or MaskedCategorical (dense mask) on both sides");
        }
        if (pLogits.size(-1) != qLogits.size(-1)) {
            throw new IllegalArgumentException("CategoricalKL: p has " + pLogits.size(-1) + " categories and q has " + qLogits.size(-1)
                    + " (logits of shapes " + Shape.format(pLogits.shapeRef()) + " and " + Shape.format(qLogits.shapeRef()) + ")");
        }
        Tensor pProbs = probs(p);
        Tensor qProbs = probs(q);
        Tensor pZero = pProbs.eq(0);
        Tensor qZero = qProbs.eq(0);
        Tensor fixed = pZero.logicalOr(qZero);
        Tensor difference = Tensor.where(fixed, 0.0, pLogits.sub(qLogits));
        Tensor terms = pProbs.mul(difference);
        Tensor infinite = qZero.logicalAnd(pZero.logicalNot());
        return Tensor.where(infinite, Double.POSITIVE_INFINITY, terms).sum(-1);
    }

    private static Tensor logits(Distribution d) {
        if (d instanceof Categorical c) return c.logits();
        if (d instanceof OneHotCategorical c) return c.logits();
        if (d instanceof MaskedCategorical c && c.indices() == null) return c.logits();
        return null;
    }

    private static Tensor probs(Distribution d) {
        if (d instanceof Categorical c) return c.probs();
        if (d instanceof OneHotCategorical c) return c.probs();
        return ((MaskedCategorical) d).probs();
    }
}
