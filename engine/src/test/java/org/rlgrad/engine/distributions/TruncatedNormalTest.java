package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.NormalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * TruncatedNormal against a different method: its density integrated numerically (Simpson's rule)
 * over [low, high] gives 1, the mean and the entropy, where the clamps of TorchRL's formulas are
 * inactive (the mass inside the bounds well above 1e-6).
 */
class TruncatedNormalTest {
    private static final int STEPS = 20_000;

    /** Simpson's rule of f over [a, b] with STEPS (even) intervals. */
    private static double simpson(java.util.function.DoubleUnaryOperator f, double a, double b) {
        double h = (b - a) / STEPS, s = f.applyAsDouble(a) + f.applyAsDouble(b);
        for (int i = 1; i < STEPS; i++) s += (i % 2 == 1 ? 4 : 2) * f.applyAsDouble(a + i * h);
        return s * h / 3;
    }

    /** The densities of a one-element event at every grid point, in one call. */
    private static double[] densities(TruncatedNormal d, double low, double high) {
        double[] x = new double[STEPS + 1];
        for (int i = 0; i <= STEPS; i++) x[i] = low + (high - low) * i / STEPS;
        // Keep the grid strictly inside, where the 1e-6 clamp of the value does not act.
        x[0] = low + 2e-6;
        x[STEPS] = high - 2e-6;
        double[] lp = d.logProb(Tensor.of(DType.FLOAT64, x, STEPS + 1, 1)).toDoubleArray();
        double[] p = new double[lp.length];
        for (int i = 0; i < p.length; i++) p[i] = Math.exp(lp[i]);
        return p;
    }

    @Test
    void densityIntegratesToOneAndGivesTheMeanAndTheEntropy() {
        double low = -0.5, high = 2;
        TruncatedNormal d = new TruncatedNormal(f64(0.3), f64(0.8), 5, low, high, false);
        double[] p = densities(d, low, high);
        double h = (high - low) / STEPS;
        java.util.function.IntToDoubleFunction x = i -> low + i * h;
        double mass = simpsonOnGrid(i -> p[i], h);
        double mean = simpsonOnGrid(i -> x.applyAsDouble(i) * p[i], h);
        double entropy = simpsonOnGrid(i -> -p[i] * Math.log(p[i]), h);
        assertEquals(1, mass, 1e-6);
        assertEquals(mean, d.mean().item(), 1e-6);
        assertEquals(entropy, d.entropy().item(), 1e-6);
        assertEquals(d.mean().item(), d.deterministicSample().item(), 0);
    }

    private static double simpsonOnGrid(java.util.function.IntToDoubleFunction f, double h) {
        double s = f.applyAsDouble(0) + f.applyAsDouble(STEPS);
        for (int i = 1; i < STEPS; i++) s += (i % 2 == 1 ? 4 : 2) * f.applyAsDouble(i);
        return s * h / 3;
    }

    @Test
    void simpsonItselfIntegratesAGaussian() {
        // Guards the integrator: ∫ N(0, 1) over [−1, 1] = erf(1/√2) = 0.682689492137086.
        assertEquals(0.682689492137086, simpson(x -> Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI), -1, 1), 1e-12);
    }

    @Test
    void outsideValuesScoreMinusInfinityForTheWholeEvent() {
        TruncatedNormal d = new TruncatedNormal(Tensor.zeros(DType.FLOAT64, 2, 2), Tensor.ones(DType.FLOAT64, 2, 2));
        double[] lp = d.logProb(Tensor.of(DType.FLOAT64, new double[] {0.2, 1.5, 0.1, -0.3}, 2, 2)).toDoubleArray();
        assertEquals(Double.NEGATIVE_INFINITY, lp[0]);
        assertTrue(Double.isFinite(lp[1]));
    }

    @Test
    void modeIsTheLocationClampedInside() {
        TruncatedNormal d = new TruncatedNormal(f64(-3, 0.25, 9), f64(1, 1, 1));
        assertArrayEquals(new double[] {-1 + 1e-6, 0.25, 1 - 1e-6}, d.mode().toDoubleArray(), 1e-16);
    }

    @Test
    void rsampleInvertsTheDistributionFunctionAndStaysInside() {
        Tensor loc = f64(0.2, -0.4), scale = f64(0.6, 2);
        TruncatedNormal d = new TruncatedNormal(loc, scale);
        Tensor u = f64(0.5, 0.999);
        Tensor x = d.rsample(new ReplayedDraws(List.of(new ReplayedDraws.Draw("Tensor.uniform_", ReplayedDraws.Kind.UNIFORM, u))));
        double[] got = x.toDoubleArray();
        // The distribution function of the draw is u: (Φ(z) − Φ(a)) / Z = u, checked through the density's integral.
        for (int j = 0; j < 2; j++) {
            double mu = loc.toDoubleArray()[j], s = scale.toDoubleArray()[j];
            double a = (-1 - mu) / s, b = (1 - mu) / s, z = (got[j] - mu) / s;
            double mass = simpson(t -> Math.exp(-t * t / 2), a, b), below = simpson(t -> Math.exp(-t * t / 2), a, z);
            assertEquals(u.toDoubleArray()[j], below / mass, 1e-9);
        }
        double[] many = d.sample(new Generator(5), 500).toDoubleArray();
        for (double v : many) assertTrue(v >= -1 && v <= 1, "draw " + v + " outside [-1, 1]");
        GradientCheck.of("TruncatedNormal.rsample", xs -> new TruncatedNormal(xs.get(0), xs.get(1))
                        .rsample(new ReplayedDraws(List.of(new ReplayedDraws.Draw("Tensor.uniform_", ReplayedDraws.Kind.UNIFORM, f64(0.3, 0.7))))))
                .at(f64(0.2, -0.4), f64(0.6, 2)).check();
    }

    @Test
    void gradientsOfLogProbEntropyAndMeanMatchFiniteDifferences() {
        Tensor value = Tensor.of(DType.FLOAT64, new double[] {0.3, -0.7, 0.9, 0.1}, 2, 2);
        Tensor loc = f64(0.2, -0.4, 0.5, 0.1).reshape(2, 2), scale = f64(0.6, 1.3, 0.4, 2).reshape(2, 2);
        GradientCheck.of("TruncatedNormal.logProb", xs -> new TruncatedNormal(xs.get(0), xs.get(1)).logProb(value)).at(loc, scale).check();
        GradientCheck.of("TruncatedNormal.entropy", xs -> new TruncatedNormal(xs.get(0), xs.get(1)).entropy()).at(loc, scale).check();
        GradientCheck.of("TruncatedNormal.mean", xs -> new TruncatedNormal(xs.get(0), xs.get(1)).mean()).at(loc, scale).check();
    }

    @Test
    void rejectsEmptyBounds() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TruncatedNormal(f64(0), f64(1), 5, 2, -1, false));
        assertTrue(e.getMessage().startsWith("TruncatedNormal high values must be strictly greater than low values"), e.getMessage());
    }
}
