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
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gamma: closed forms, the moments of Marsaglia–Tsang draws, and the implicit reparameterisation
 * gradient against a closed form (α = 1), against finite differences of the inverse CDF (computed
 * here with the textbook series and continued fraction of the incomplete gamma function), and in
 * expectation ({@code E[dx/dα] = d E[x]/dα = 1}).
 */
class GammaTest {
    private static final double EULER_GAMMA = 0.5772156649015329;

    static double lgamma(double a) {
        return Tensor.scalar(a, DType.FLOAT64).lgamma().item();
    }

    static double digamma(double a) {
        return Tensor.scalar(a, DType.FLOAT64).digamma().item();
    }

    @Test
    void logDensityEntropyAndMomentsByHand() {
        // Gamma(2, 3) at 0.5: 3² · 0.5 · e^(−1.5) / Γ(2); Gamma(1, 2) at 0.25: the exponential, ln 2 − 0.5.
        Gamma g = new Gamma(f64(new double[] {2, 1}, 2), f64(new double[] {3, 2}, 2));
        assertArrayEquals(new double[] {Math.log(4.5) - 1.5, Math.log(2) - 0.5}, g.logProb(f64(new double[] {0.5, 0.25}, 2)).toDoubleArray(), 1e-15);
        // Exponential entropy 1 − ln λ; Gamma(2, 3): 2 − ln 3 + ln Γ(2) + (1 − 2) ψ(2), ψ(2) = 1 − γ.
        assertArrayEquals(new double[] {2 - Math.log(3) - (1 - EULER_GAMMA), 1 - Math.log(2)}, g.entropy().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {2.0 / 3, 0.5}, g.mean().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {2.0 / 9, 0.25}, g.variance().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {1.0 / 3, 0}, g.mode().toDoubleArray(), 1e-16);
    }

    @Test
    void logProbAndEntropyGradientsMatchFiniteDifferences() {
        GradientCheck.ofMany("Gamma", xs -> {
            Gamma g = new Gamma(xs.get(0), xs.get(1));
            return List.of(g.logProb(f64(new double[] {0.7, 2.5, 0.1}, 3)), g.entropy());
        }).at(f64(new double[] {0.6, 2.0, 4.5}, 3), f64(new double[] {1.3, 0.4, 2.0}, 3)).check();
    }

    @Test
    void drawsHaveTheGammaMeanAndVariance() {
        for (double alpha : new double[] {0.5, 1, 3}) {
            int n = 100_000;
            double[] x = new Generator(1234).gamma(Tensor.full(new int[] {n}, alpha, DType.FLOAT64)).toDoubleArray();
            double mean = 0;
            for (double v : x) {
                assertTrue(v >= 0, "a negative draw at alpha " + alpha);
                mean += v;
            }
            mean /= n;
            double var = 0;
            for (double v : x) var += (v - mean) * (v - mean);
            var /= n - 1;
            // Gamma(α, 1): mean α, variance α, fourth central moment 3α² + 6α.
            assertEquals(alpha, mean, 5 * Math.sqrt(alpha / n), "mean at alpha " + alpha);
            assertEquals(alpha, var, 5 * Math.sqrt((2 * alpha * alpha + 6 * alpha) / n), "variance at alpha " + alpha);
        }
    }

    @Test
    void drawsDependOnlyOnTheSeed() {
        Tensor alpha = f64(new double[] {0.3, 1, 7, 0.05}, 4);
        assertArrayEquals(new Generator(8).gamma(alpha).toDoubleArray(), new Generator(8).gamma(alpha).toDoubleArray());
        assertEquals(DType.FLOAT32, new Generator(8).gamma(alpha.to(DType.FLOAT32)).dtype());
    }

    /** α = 1: F = 1 − e^(−x), and ∂F/∂α gives dx/dα = ln x + γ + e^x E₁(x) (E₁ by its power series). */
    @Test
    void implicitGradientAtAlphaOneIsTheExponentialIntegralFormula() {
        for (double x : new double[] {1e-6, 0.1, 0.5, 1, 2}) {
            double series = 0;
            double term = 1;
            for (int k = 1; k < 60; k++) {
                term *= -x / k;
                series += term / k;
            }
            double e1 = -EULER_GAMMA - Math.log(x) - series;
            double expected = Math.log(x) + EULER_GAMMA + Math.exp(x) * e1;
            assertEquals(expected, StandardGamma.implicitGradient(1, x, digamma(1)), 1e-12 * Math.max(1, Math.abs(expected)), "x = " + x);
        }
        // Deep in the upper tail the series cancels and the integral takes over; e^x E₁(x) by its continued fraction.
        for (double x : new double[] {12, 40, 300}) {
            double t = x + 401;
            for (int k = 199; k >= 0; k--) t = x + 2 * k + 1 - (k + 1.0) * (k + 1.0) / t;
            double expected = Math.log(x) + EULER_GAMMA + 1 / t;
            assertEquals(expected, StandardGamma.implicitGradient(1, x, digamma(1)), 1e-9 * expected, "x = " + x);
        }
    }

    /** The regularised lower incomplete gamma P(a, x) (series below a + 1, Lentz's continued fraction for Q above). */
    static double lowerRegularised(double a, double x) {
        double lg = lgamma(a);
        if (x < a + 1) {
            double sum = 1 / a;
            double term = sum;
            for (int n = 1; n < 10_000 && Math.abs(term) > 1e-18 * sum; n++) {
                term *= x / (a + n);
                sum += term;
            }
            return sum * Math.exp(-x + a * Math.log(x) - lg);
        }
        double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return 1 - Math.exp(-x + a * Math.log(x) - lg) * h;
    }

    /** x with P(a, x) = u, by Newton's method on ln x. */
    static double inverseCdf(double a, double u, double start) {
        double x = start;
        for (int i = 0; i < 200; i++) {
            double f = Math.exp((a - 1) * Math.log(x) - x - lgamma(a));
            double step = (lowerRegularised(a, x) - u) / (f * x);
            x *= Math.exp(-Math.max(-1, Math.min(1, step)));
            if (Math.abs(step) < 1e-15) break;
        }
        return x;
    }

    @Test
    void implicitGradientMatchesFiniteDifferencesOfTheInverseCdf() {
        double h = 1e-5;
        for (double a : new double[] {0.3, 0.5, 3, 20}) {
            for (double x : new double[] {0.05 * a, 0.5 * a, a, 2 * a + 1}) {
                double u = lowerRegularised(a, x);
                double numeric = (inverseCdf(a + h, u, x) - inverseCdf(a - h, u, x)) / (2 * h);
                double analytic = StandardGamma.implicitGradient(a, x, digamma(a));
                assertEquals(numeric, analytic, 1e-6 * Math.abs(numeric) + 1e-9, "alpha = " + a + ", x = " + x);
            }
        }
    }

    @Test
    void theReparameterisedGradientHasExpectationOne() {
        // E[X] = α for X ~ Gamma(α, 1), so E[dX/dα] = 1.
        for (double alpha : new double[] {0.5, 3}) {
            int n = 20_000;
            Tensor a = Tensor.scalar(alpha, DType.FLOAT64).requiresGrad(true);
            Tensor x = new Gamma(a, Tensor.scalar(1, DType.FLOAT64)).rsample(new Generator(99), n);
            double total = Autograd.grad(List.of(x.sum()), List.of(a), null, false, false, false).get(0).item();
            double[] per = StandardGamma.implicitGradient(Tensor.full(new int[] {n}, alpha, DType.FLOAT64), x.detach()).toDoubleArray();
            double mean = 0, sq = 0;
            for (double v : per) {
                mean += v;
                sq += v * v;
            }
            mean /= n;
            assertEquals(total / n, mean, 1e-12, "autograd carries dx/dα");
            double sd = Math.sqrt(sq / n - mean * mean);
            assertEquals(1, mean, 5 * sd / Math.sqrt(n), "alpha = " + alpha);
        }
    }

    @Test
    void rateScalesTheDrawAndItsGradient() {
        Tensor a = f64(new double[] {2.5}, 1);
        Tensor rate = f64(new double[] {4}, 1).requiresGrad(true);
        Tensor x = new Gamma(a, rate).rsample(new Generator(5));
        Tensor standard = new Generator(5).gamma(a);
        assertEquals(standard.item() / 4, x.item(), 1e-15);
        double g = Autograd.grad(List.of(x.sum()), List.of(rate), null, false, false, false).get(0).item();
        assertEquals(-standard.item() / 16, g, 1e-15);
    }

    @Test
    void errorsSayWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Gamma(f64(new double[] {1, -0.5}, 2), f64(new double[] {1, 1}, 2)));
        assertEquals("Gamma: concentration must be positive and finite, got -0.5 at flat index 1 of a tensor of shape [2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Generator(1).gamma(f64(new double[] {0}, 1)));
        assertTrue(e.getMessage().startsWith("gamma: concentration must be positive and finite, got 0.0"), e.getMessage());
        Gamma g = new Gamma(f64(new double[] {1}, 1), f64(new double[] {1}, 1));
        e = assertThrows(IllegalArgumentException.class, () -> g.rsample(new ReplayedDraws(List.of())));
        assertTrue(e.getMessage().contains("gamma draws need a Generator"), e.getMessage());
    }
}
