package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** KL between categorical distributions: Σ p (ln p − ln q) with its two conventions at zero. */
class CategoricalKLTest {
    @Test
    void klByHand() {
        // p = (½, ½, 0), q = (¼, ¼, ½): ½ ln 2 + ½ ln 2 + 0 = ln 2. The reverse has q = 0 < p: +∞.
        Categorical p = Categorical.fromLogits(f64(new double[] {0, 0, Double.NEGATIVE_INFINITY}, 3));
        Categorical q = Categorical.fromProbs(f64(new double[] {0.25, 0.25, 0.5}, 3));
        assertEquals(Math.log(2), CategoricalKL.divergence(p, q).item(), 1e-15);
        assertEquals(Double.POSITIVE_INFINITY, CategoricalKL.divergence(q, p).item());
        assertEquals(0, CategoricalKL.divergence(q, q).item(), 1e-15);
    }

    @Test
    void oneHotAndMaskedPairsUseTheSameRule() {
        Tensor logits = f64(new double[] {0.3, -1, 2}, 3);
        Tensor other = f64(new double[] {1, 0, -0.5}, 3);
        double expected = CategoricalKL.divergence(Categorical.fromLogits(logits), Categorical.fromLogits(other)).item();
        assertEquals(expected, CategoricalKL.divergence(OneHotCategorical.fromLogits(logits), OneHotCategorical.fromLogits(other)).item(), 1e-15);
        Tensor all = Tensor.of(new boolean[] {true, true, true}, 3);
        MaskedCategorical mp = MaskedCategorical.builder().logits(logits).mask(all).build();
        MaskedCategorical mq = MaskedCategorical.builder().logits(other).mask(all).build();
        assertEquals(expected, CategoricalKL.divergence(mp, mq).item(), 1e-15);
        assertTrue(CategoricalKL.supports(mp, OneHotCategorical.fromLogits(other)));
    }

    @Test
    void maskedEntriesGiveAZeroGradientNotNaN() {
        Tensor pl = f64(new double[] {0.3, 9, 2}, 3).requiresGrad(true);
        Tensor ql = f64(new double[] {1, 4, -0.5}, 3).requiresGrad(true);
        Tensor m = Tensor.of(new boolean[] {true, false, true}, 3);
        Tensor kl = CategoricalKL.divergence(MaskedCategorical.builder().logits(pl).mask(m).build(),
                MaskedCategorical.builder().logits(ql).mask(m).build());
        assertTrue(Double.isFinite(kl.item()));
        List<Tensor> g = Autograd.grad(List.of(kl), List.of(pl, ql), null, false, false, false);
        for (Tensor t : g) for (double v : t.toDoubleArray()) assertFalse(Double.isNaN(v));
        assertEquals(0, g.get(0).toDoubleArray()[1]);
        assertEquals(0, g.get(1).toDoubleArray()[1]);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.of("CategoricalKL", xs -> CategoricalKL.divergence(Categorical.fromLogits(xs.get(0)), Categorical.fromProbs(xs.get(1))))
                .at(f64(new double[] {0.3, -1, 2, 0.1, 0.1, 0.4}, 2, 3), f64(new double[] {0.2, 0.5, 0.3, 0.6, 0.1, 0.3}, 2, 3)).check();
    }

    @Test
    void unsupportedPairsAndMismatchedCategoriesAreErrors() {
        Categorical three = Categorical.fromLogits(f64(new double[] {0, 0, 0}, 3));
        Categorical two = Categorical.fromLogits(f64(new double[] {0, 0}, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CategoricalKL.divergence(three, two));
        assertTrue(e.getMessage().startsWith("CategoricalKL: p has 3 categories and q has 2"), e.getMessage());
        Bernoulli b = Bernoulli.fromProbs(f64(new double[] {0.5}, 1));
        assertFalse(CategoricalKL.supports(three, b));
        assertThrows(UnsupportedOperationException.class, () -> CategoricalKL.divergence(three, b));
    }
}
