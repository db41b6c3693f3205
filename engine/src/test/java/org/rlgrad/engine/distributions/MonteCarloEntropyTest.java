package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/** The Monte-Carlo entropy and PPO's rule for when to use it. */
class MonteCarloEntropyTest {
    /** A categorical whose closed-form entropy is NaN, as a distribution with a broken formula would give. */
    record NaNEntropy(Categorical inner) implements Distribution {
        @Override public int[] batchShape() { return inner.batchShape(); }
        @Override public int[] eventShape() { return inner.eventShape(); }
        @Override public Support support() { return inner.support(); }
        @Override public Tensor sample(RandomSource random, int... s) { return inner.sample(random, s); }
        @Override public boolean hasRsample() { return false; }
        @Override public Tensor logProb(Tensor value) { return inner.logProb(value); }
        @Override public Tensor entropy() { return Tensor.fullLike(inner.entropy(), Double.NaN); }
    }

    @Test
    void theClosedFormWinsWhenItIsFinite() {
        Categorical c = Categorical.fromProbs(f64(new double[] {0.25, 0.75}, 2));
        assertEquals(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), MonteCarloEntropy.closedFormOrEstimate(c, new Generator(1), 3).item(), 1e-15);
    }

    @Test
    void aNonFiniteClosedFormFallsBackToDrawsWithoutReparameterisation() {
        // −ln p(x) over draws of (¼, ¾): mean H, variance E[(ln p)²] − H².
        double h = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        double second = 0.25 * Math.log(0.25) * Math.log(0.25) + 0.75 * Math.log(0.75) * Math.log(0.75);
        int n = 40_000;
        Tensor estimate = MonteCarloEntropy.closedFormOrEstimate(new NaNEntropy(Categorical.fromProbs(f64(new double[] {0.25, 0.75}, 2))), new Generator(3), n);
        assertEquals(h, estimate.item(), 5 * Math.sqrt((second - h * h) / n));
    }

    @Test
    void reparameterisedEstimatesNeedAnRsample() {
        Categorical c = Categorical.fromProbs(f64(new double[] {0.5, 0.5}, 2));
        assertThrows(UnsupportedOperationException.class, () -> MonteCarloEntropy.estimate(c, new Generator(1), 4, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MonteCarloEntropy.estimate(c, new Generator(1), 0, false));
        assertEquals("MonteCarloEntropy: expected at least one draw, got 0", e.getMessage());
    }
}
