package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** Categorical against values worked by hand, draw frequencies, and its errors. */
class CategoricalTest {
    static Tensor f64(double[] v, int... shape) {
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    static Tensor longs(long... v) {
        return Tensor.of(v, v.length);
    }

    /** −Σ p ln p, by hand. */
    static double entropyOf(double... p) {
        double h = 0;
        for (double x : p) if (x > 0) h -= x * Math.log(x);
        return h;
    }

    @Test
    void logitsAreNormalisedAndScoreTheChosenIndex() {
        // logits ln(2), ln(3), ln(5) + any shift: probabilities 0.2, 0.3, 0.5.
        double shift = 7.25;
        Categorical c = Categorical.fromLogits(f64(new double[] {Math.log(2) + shift, Math.log(3) + shift, Math.log(5) + shift}, 3));
        assertArrayEquals(new double[] {0.2, 0.3, 0.5}, c.probs().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {Math.log(0.2), Math.log(0.3), Math.log(0.5)}, c.logits().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {Math.log(0.3), Math.log(0.5), Math.log(0.2)}, c.logProb(longs(1, 2, 0)).toDoubleArray(), 1e-15);
        assertEquals(entropyOf(0.2, 0.3, 0.5), c.entropy().item(), 1e-15);
        assertEquals(2, c.mode().longItem());
        assertFalse(c.hasRsample());
    }

    @Test
    void probsAreNormalisedAndTheirLogitsClamped() {
        // Weights 1, 3, 0 -> 0.25, 0.75, 0; the zero scores ln(eps), PyTorch's clamp, not −∞.
        Categorical c = Categorical.fromProbs(f64(new double[] {1, 3, 0}, 3));
        assertArrayEquals(new double[] {0.25, 0.75, 0}, c.probs().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {Math.log(0.25), Math.log(0.75), Math.log(Math.ulp(1.0))}, c.logits().toDoubleArray(), 1e-15);
        assertEquals(entropyOf(0.25, 0.75), c.entropy().item(), 1e-15);
    }

    @Test
    void aLeadingSampleDimScoresEveryRow() {
        Categorical c = Categorical.fromProbs(f64(new double[] {0.5, 0.5, 0.1, 0.9}, 2, 2));
        Tensor lp = c.logProb(Tensor.of(new long[] {0, 1, 1, 1, 1, 0}, 3, 2));
        assertArrayEquals(new int[] {3, 2}, lp.shape());
        double h = Math.log(0.5);
        assertArrayEquals(new double[] {h, Math.log(0.9), h, Math.log(0.9), h, Math.log(0.1)}, lp.toDoubleArray(), 1e-15);
    }

    @Test
    void entropyIsFiniteWithMinusInfinityLogits() {
        // exp(−∞) = 0: the clamp to finfo.min turns 0 · (−∞) into 0 · (−max) = 0.
        Categorical c = Categorical.fromLogits(f64(new double[] {0, Double.NEGATIVE_INFINITY, 0}, 3));
        assertEquals(Math.log(2), c.entropy().item(), 1e-15);
    }

    @Test
    void drawFrequenciesMatchTheProbabilitiesWithinFiveStandardErrors() {
        double[] p = {0.1, 0.2, 0.3, 0.4, 0};
        Categorical c = Categorical.fromProbs(f64(p, 5));
        int n = 100_000;
        long[] draws = c.sample(new Generator(11), n).toLongArray();
        int[] counts = new int[5];
        for (long d : draws) counts[(int) d]++;
        for (int k = 0; k < 5; k++) {
            double se = Math.sqrt(p[k] * (1 - p[k]) / n);
            assertEquals(p[k], counts[k] / (double) n, 5 * se + 1e-12, "category " + k);
        }
        assertEquals(0, counts[4], "a category of probability zero is never drawn");
    }

    @Test
    void drawsInvertTheCumulativeDistributionAtTheUniform() {
        // cdf 0.2, 0.5, 1: u = 0.1 -> 0, 0.2 -> 1 (the cdf value itself starts the next category), 0.7 -> 2, 0.4999 -> 1.
        Categorical c = Categorical.fromProbs(f64(new double[] {0.2, 0.3, 0.5}, 3));
        Tensor u = f64(new double[] {0.1, 0.2, 0.7, 0.4999}, 4);
        ReplayedDraws draws = new ReplayedDraws(List.of(new ReplayedDraws.Draw("Categorical.sample", ReplayedDraws.Kind.UNIFORM, u)));
        assertArrayEquals(new long[] {0, 1, 2, 1}, c.sample(draws, 4).toLongArray());
    }

    @Test
    void logProbGradientIsOneHotMinusProbs() {
        GradientCheck.of("Categorical.logProb", xs -> Categorical.fromLogits(xs.get(0)).logProb(longs(2, 0)))
                .at(f64(new double[] {0.3, -1.2, 0.8, 0.1, 0.4, -0.5}, 2, 3)).check();
        GradientCheck.of("Categorical.entropy", xs -> Categorical.fromProbs(xs.get(0)).entropy())
                .at(f64(new double[] {0.3, 1.2, 0.8, 0.1, 0.4, 0.5}, 2, 3)).check();
    }

    @Test
    void errorsSayWhatWasExpected() {
        Categorical c = Categorical.fromLogits(f64(new double[] {0, 0, 0}, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.logProb(longs(3)));
        assertTrue(e.getMessage().contains("expected 0 <= index < 3, got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Categorical.fromProbs(f64(new double[] {0.5, -0.1}, 2)));
        assertTrue(e.getMessage().contains("probs must be finite and non-negative, got -0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Categorical.fromProbs(f64(new double[] {0, 0}, 2)));
        assertTrue(e.getMessage().contains("positive sum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Categorical.fromLogits(Tensor.of(new long[] {1, 2}, 2)));
        assertTrue(e.getMessage().contains("logits must be a float tensor, got int64"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, c::mean);
        assertThrows(UnsupportedOperationException.class, () -> c.rsample(new Generator(1)));
    }
}
