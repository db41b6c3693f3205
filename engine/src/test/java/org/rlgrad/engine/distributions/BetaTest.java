package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** Beta: densities and entropies worked by hand, its mode's vertex rule, and its reparameterised draws. */
class BetaTest {
    @Test
    void closedFormsByHand() {
        // Beta(2, 3) at 0.4: 12 · 0.4 · 0.6² = 1.728. Beta(1, 1) is uniform: density 1, entropy 0.
        // Beta(2, 1): density 2x, entropy −∫ 2x ln 2x dx = ½ − ln 2. Beta(2, 3): ln B(2, 3) − ψ(2) − 2ψ(3) + 3ψ(5)
        // with B = 1/12, ψ(2) = 1 − γ, ψ(3) = 3/2 − γ, ψ(5) = 25/12 − γ: 9/4 − ln 12 (γ cancels).
        Beta b = new Beta(f64(new double[] {2, 1, 2}, 3), f64(new double[] {3, 1, 1}, 3));
        assertArrayEquals(new double[] {Math.log(1.728), 0, Math.log(1.4)}, b.logProb(f64(new double[] {0.4, 0.3, 0.7}, 3)).toDoubleArray(), 1e-14);
        assertArrayEquals(new double[] {2.25 - Math.log(12), 0, 0.5 - Math.log(2)}, b.entropy().toDoubleArray(), 1e-13);
        assertArrayEquals(new double[] {0.4, 0.5, 2.0 / 3}, b.mean().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {6.0 / (25 * 6), 1.0 / 12, 2.0 / 36}, b.variance().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {1.0 / 3}, new Beta(f64(new double[] {2}, 1), f64(new double[] {3}, 1)).mode().toDoubleArray(), 1e-16);
        // Both concentrations below one: PyTorch's Dirichlet picks the first vertex, so the mode is 1.
        assertArrayEquals(new double[] {1}, new Beta(f64(new double[] {0.5}, 1), f64(new double[] {0.7}, 1)).mode().toDoubleArray());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.ofMany("Beta", xs -> {
            Beta b = new Beta(xs.get(0), xs.get(1));
            return List.of(b.logProb(f64(new double[] {0.3, 0.81}, 2)), b.entropy(), b.mean(), b.mode());
        }).at(f64(new double[] {1.7, 3.2}, 2), f64(new double[] {2.4, 1.5}, 2)).check();
    }

    @Test
    void drawsHaveTheBetaMeanAndTheirGradientTheMeansDerivative() {
        // Beta(2, 3): mean 0.4, variance 0.04; d mean / da = b / (a + b)² = 0.12.
        int n = 50_000;
        Tensor a = Tensor.full(new int[] {n}, 2, DType.FLOAT64).requiresGrad(true);
        Tensor x = new Beta(a, Tensor.full(new int[] {n}, 3, DType.FLOAT64)).rsample(new Generator(17));
        double[] v = x.toDoubleArray();
        double mean = 0;
        for (double e : v) {
            assertTrue(e > 0 && e < 1);
            mean += e;
        }
        assertEquals(0.4, mean / n, 5 * Math.sqrt(0.04 / n));
        double[] g = Autograd.grad(List.of(x.sum()), List.of(a), null, false, false, false).get(0).toDoubleArray();
        double gm = 0, gs = 0;
        for (double e : g) {
            gm += e;
            gs += e * e;
        }
        gm /= n;
        double sd = Math.sqrt(gs / n - gm * gm);
        assertEquals(0.12, gm, 5 * sd / Math.sqrt(n));
    }

    @Test
    void concentrationsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Beta(f64(new double[] {1}, 1), f64(new double[] {0}, 1)));
        assertEquals("Beta: concentration0 must be positive and finite, got 0.0 at flat index 0 of a tensor of shape [1]", e.getMessage());
    }
}
