package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.testing.GradientCheck;

/** Bernoulli from probabilities and from logits against values worked by hand. */
class BernoulliTest {
    @Test
    void logProbEntropyAndMomentsByHand() {
        Bernoulli b = Bernoulli.fromProbs(f64(new double[] {0.2, 0.9, 0.5}, 3));
        assertArrayEquals(new double[] {Math.log(0.2), Math.log(0.1), Math.log(0.5)}, b.logProb(f64(new double[] {1, 0, 1}, 3)).toDoubleArray(), 1e-15);
        double h = -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8));
        double h9 = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1));
        assertArrayEquals(new double[] {h, h9, Math.log(2)}, b.entropy().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.16, 0.09, 0.25}, b.variance().toDoubleArray(), 1e-16);
        double[] mode = b.mode().toDoubleArray();
        assertEquals(0, mode[0]);
        assertEquals(1, mode[1]);
        assertEquals(Double.NaN, mode[2], "no single mode at one half (PyTorch's NaN)");
    }

    @Test
    void logitsAreStableForLargeMagnitudes() {
        // σ(40) = 1 − 4e−18: ln p(0) = −40 − ln(1 + e^−40), exact without overflow or a log of 0.
        Bernoulli b = Bernoulli.fromLogits(f64(new double[] {40, -40}, 2));
        assertArrayEquals(new double[] {-40 - Math.exp(-40), -Math.exp(-40)}, b.logProb(f64(new double[] {0, 0}, 2)).toDoubleArray(), 1e-15);
    }

    @Test
    void gradientsMatchFiniteDifferencesAndDrawsTheFrequencies() {
        GradientCheck.ofMany("Bernoulli(logits)", xs -> {
            Bernoulli b = Bernoulli.fromLogits(xs.get(0));
            return List.of(b.logProb(f64(new double[] {1, 0, 1}, 3)), b.entropy());
        }).at(f64(new double[] {0.3, -2.0, 0.0}, 3)).check();
        GradientCheck.ofMany("Bernoulli(probs)", xs -> {
            Bernoulli b = Bernoulli.fromProbs(xs.get(0));
            return List.of(b.logProb(f64(new double[] {1, 0, 1}, 3)), b.entropy());
        }).at(f64(new double[] {0.3, 0.8, 0.55}, 3)).check();
        int n = 100_000;
        double[] x = Bernoulli.fromProbs(f64(new double[] {0.3}, 1)).sample(new Generator(6), n).toDoubleArray();
        double mean = 0;
        for (double v : x) mean += v;
        assertEquals(0.3, mean / n, 5 * Math.sqrt(0.21 / n));
    }

    @Test
    void probsOutsideTheUnitIntervalAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bernoulli.fromProbs(f64(new double[] {0.5, 1.5}, 2)));
        assertEquals("Bernoulli: probs must lie in [0, 1], got 1.5 at flat index 1 of a tensor of shape [2]", e.getMessage());
    }
}
