package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** Normal, Independent and IndependentNormal against closed forms worked by hand, in float64. */
class NormalTest {
    private static final double LN_2PI = Math.log(2 * Math.PI);

    static Tensor f64(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    static ReplayedDraws noise(String site, Tensor eps) {
        return new ReplayedDraws(List.of(new ReplayedDraws.Draw(site, ReplayedDraws.Kind.STANDARD_NORMAL, eps)));
    }

    @Test
    void logDensityAtAPoint() {
        // N(1, 2²) at 2: −1/8 − ln 2 − ½ ln 2π; N(−1, 0.5²) at −1: −ln 0.5 − ½ ln 2π.
        Normal n = new Normal(f64(1, -1), f64(2, 0.5));
        assertArrayEquals(new double[] {-0.125 - Math.log(2) - 0.5 * LN_2PI, Math.log(2) - 0.5 * LN_2PI},
                n.logProb(f64(2, -1)).toDoubleArray(), 1e-15);
    }

    @Test
    void entropyIsHalfLogOfTwoPiEVariance() {
        Normal n = new Normal(f64(0.3, 7), f64(2, 0.5));
        double[] expected = {0.5 * Math.log(2 * Math.PI * Math.E * 4), 0.5 * Math.log(2 * Math.PI * Math.E * 0.25)};
        assertArrayEquals(expected, n.entropy().toDoubleArray(), 1e-15);
    }

    @Test
    void klOfTwoNormalsIsTheTextbookFormula() {
        // KL(N(0, 1) ‖ N(1, 2²)) = ln 2 + (1 + 1)/8 − ½.
        Normal p = new Normal(f64(0, 3), f64(1, 1.5));
        Normal q = new Normal(f64(1, 3), f64(2, 1.5));
        assertArrayEquals(new double[] {Math.log(2) + 0.25 - 0.5, 0}, KL.divergence(p, q).toDoubleArray(), 1e-15);
    }

    @Test
    void klOfIndependentsSumsOverTheEventAndNeedsEqualEventDims() {
        Tensor loc = Tensor.of(DType.FLOAT64, new double[] {0, 0, 1, 1}, 2, 2);
        Tensor ones = Tensor.onesLike(loc);
        Independent p = new Independent(new Normal(loc, ones), 1);
        Independent q = new Independent(new Normal(Tensor.zerosLike(loc), ones.mul(2)), 1);
        // Per element: ln 2 + (1 + μ²)/8 − ½.
        double e0 = Math.log(2) + 1.0 / 8 - 0.5, e1 = Math.log(2) + 2.0 / 8 - 0.5;
        assertArrayEquals(new double[] {2 * e0, 2 * e1}, KL.divergence(p, q).toDoubleArray(), 1e-15);
        var e = assertThrows(UnsupportedOperationException.class, () -> KL.divergence(p, new Independent(new Normal(loc, ones), 2)));
        assertTrue(e.getMessage().contains("1 and 2"), e.getMessage());
    }

    @Test
    void klOfAnUnsupportedPairNamesBothClasses() {
        Normal n = new Normal(f64(0), f64(1));
        var e = assertThrows(UnsupportedOperationException.class, () -> KL.divergence(n, new Delta(f64(0))));
        assertTrue(e.getMessage().contains("Normal") && e.getMessage().contains("Delta"), e.getMessage());
    }

    @Test
    void shapesAreSampleThenBatchThenEvent() {
        Tensor loc = Tensor.zeros(DType.FLOAT64, 2, 3);
        Normal n = new Normal(loc, Tensor.onesLike(loc));
        assertArrayEquals(new int[] {2, 3}, n.batchShape());
        assertArrayEquals(new int[0], n.eventShape());
        Generator gen = new Generator(7);
        assertArrayEquals(new int[] {5, 2, 3}, n.sample(gen, 5).shape());
        assertArrayEquals(new int[] {5, 2, 3}, n.logProb(n.sample(gen, 5)).shape());
        Independent ind = new Independent(n, 1);
        assertArrayEquals(new int[] {2}, ind.batchShape());
        assertArrayEquals(new int[] {3}, ind.eventShape());
        assertArrayEquals(new int[] {4, 1, 2, 3}, ind.rsample(gen, 4, 1).shape());
        assertArrayEquals(new int[] {4, 1, 2}, ind.logProb(ind.rsample(gen, 4, 1)).shape());
        assertArrayEquals(new int[] {2}, ind.entropy().shape());
        IndependentNormal two = new IndependentNormal(Tensor.zeros(DType.FLOAT64, 2, 3, 4), Tensor.ones(DType.FLOAT64, 2, 3, 4), 5, false, 2);
        assertArrayEquals(new int[] {2}, two.batchShape());
        assertArrayEquals(new int[] {3, 4}, two.eventShape());
    }

    @Test
    void broadcastScaleGivesTheBroadcastBatchAndSumsGradientsBack() {
        Tensor loc = Tensor.zeros(DType.FLOAT64, 4, 3).requiresGrad(true);
        Tensor scale = f64(1, 2, 3).requiresGrad(true);
        Normal n = new Normal(loc, scale);
        assertArrayEquals(new int[] {4, 3}, n.stddev().shape());
        Tensor g = Autograd.grad(n.entropy().sum(), scale);
        assertArrayEquals(new double[] {4, 2, 4.0 / 3}, g.toDoubleArray(), 1e-15); // d/dσ of 4 ln σ
    }

    /** d/dμ Σ w (μ + σ ε) = Σ_samples w, d/dσ = Σ_samples w ε. */
    @Test
    void rsampleGradientIsThatOfLocPlusScaleTimesNoise() {
        Tensor loc = f64(0.5, -1).requiresGrad(true);
        Tensor scale = f64(2, 0.25).requiresGrad(true);
        Tensor eps = Tensor.of(DType.FLOAT64, new double[] {0.3, -1.2, 2.0, 0.7, -0.1, 0.4}, 3, 2);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2, -1, 0.5, 3, -2}, 3, 2);
        Tensor x = new Normal(loc, scale).rsample(noise("Normal.rsample", eps), 3);
        assertArrayEquals(new double[] {0.5 + 2 * 0.3, -1 + 0.25 * -1.2, 0.5 + 2 * 2.0, -1 + 0.25 * 0.7, 0.5 + 2 * -0.1, -1 + 0.25 * 0.4},
                x.toDoubleArray(), 1e-15);
        List<Tensor> g = Autograd.grad(List.of(x), List.of(loc, scale), List.of(w), false, false, false);
        assertArrayEquals(new double[] {1 - 1 + 3, 2 + 0.5 - 2}, g.get(0).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.3 - 2.0 - 0.3, -2.4 + 0.35 - 0.8}, g.get(1).toDoubleArray(), 1e-15);
    }

    @Test
    void sampleHasNoGradientAndAsksForThePlainSite() {
        Tensor loc = f64(0.5).requiresGrad(true);
        Normal n = new Normal(loc, f64(2));
        Tensor x = n.sample(noise("Normal.sample", f64(1.5)));
        assertFalse(x.requiresGrad());
        assertEquals(3.5, x.item(), 0);
        assertThrows(IllegalStateException.class, () -> n.sample(noise("Normal.rsample", f64(1.5))));
    }

    @Test
    void logProbGradientMatchesFiniteDifferences() {
        Tensor value = Tensor.of(DType.FLOAT64, new double[] {0.1, -2, 1.3, 0.4, 0.0, -0.7}, 2, 3);
        GradientCheck.of("Independent(Normal).logProb", xs -> new Independent(new Normal(xs.get(0), xs.get(1)), 1).logProb(value))
                .at(f64(0.2, -1, 0.5), f64(0.8, 1.5, 0.3)).check();
        GradientCheck.of("Normal.entropy", xs -> new Normal(xs.get(0), xs.get(1)).entropy()).at(f64(0.2, -1), f64(0.8, 1.5)).check();
    }

    @Test
    void pointEstimatesAreTheLocation() {
        Tensor loc = f64(0.2, -1);
        IndependentNormal n = new IndependentNormal(loc, f64(1, 2));
        assertArrayEquals(loc.toDoubleArray(), n.mean().toDoubleArray(), 0);
        assertArrayEquals(loc.toDoubleArray(), n.mode().toDoubleArray(), 0);
        assertArrayEquals(loc.toDoubleArray(), n.deterministicSample().toDoubleArray(), 0);
        assertTrue(n.hasRsample());
    }

    /** TorchRL applies tanhLoc only on an in-place update, never at construction (quirk kept; the vectors pin it). */
    @Test
    void independentNormalIgnoresTanhLocAtConstruction() {
        Tensor loc = f64(9, -9);
        IndependentNormal n = new IndependentNormal(loc, f64(1, 1), 5, true, 1);
        assertTrue(n.tanhLoc());
        assertArrayEquals(new double[] {9, -9}, n.mean().toDoubleArray(), 0);
    }

    @Test
    void badArgumentsSayWhatCame() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Normal(f64(0, 0), f64(1, -0.5)));
        assertTrue(e.getMessage().startsWith("Normal: scale must be positive, got -0.5"), e.getMessage());
        var z = assertThrows(IllegalArgumentException.class, () -> new Normal(f64(0), 0.0));
        assertTrue(z.getMessage().contains("scale must be positive, got 0.0"), z.getMessage());
        var k = assertThrows(IllegalArgumentException.class, () -> new Independent(new Normal(f64(0, 1), f64(1, 1)), 2));
        assertTrue(k.getMessage().contains("between 0 and the base's batch rank 1") && k.getMessage().contains("got 2"), k.getMessage());
    }
}
