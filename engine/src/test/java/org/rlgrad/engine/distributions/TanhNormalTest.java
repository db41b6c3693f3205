package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.NormalTest.f64;
import static org.rlgrad.engine.distributions.NormalTest.noise;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** TanhNormal: the change of variables worked element by element with java.lang.Math, shapes, joint draws, quirks and errors. */
class TanhNormalTest {
    private static final double LN_2PI = Math.log(2 * Math.PI);

    /** log N(x; μ, σ) − ln(1 − tanh² x) − ln h, straight from the definitions. */
    private static double logDensity(double x, double mu, double sigma, double h) {
        double t = Math.tanh(x);
        return -(x - mu) * (x - mu) / (2 * sigma * sigma) - Math.log(sigma) - 0.5 * LN_2PI - Math.log(1 - t * t) - Math.log(h);
    }

    @Test
    void jointDrawIsScoredByTheChangeOfVariables() {
        double[] mu = {0.3, -0.8}, sigma = {0.5, 1.2}, eps = {0.4, -1.1};
        TanhNormal d = new TanhNormal(f64(mu), f64(sigma));
        SampleAndLogProb s = d.rsampleAndLogProb(noise("Normal.rsample", f64(eps)));
        double x0 = mu[0] + sigma[0] * eps[0], x1 = mu[1] + sigma[1] * eps[1];
        assertArrayEquals(new double[] {Math.tanh(x0), Math.tanh(x1)}, s.sample().toDoubleArray(), 1e-15);
        assertEquals(logDensity(x0, mu[0], sigma[0], 1) + logDensity(x1, mu[1], sigma[1], 1), s.logProb().item(), 1e-12);
        // Away from saturation, inverting the draw gives the same number.
        assertEquals(s.logProb().item(), d.logProb(s.sample()).item(), 1e-12);
    }

    @Test
    void boundsMapTheSquashedValueAndAddTheLogHalfWidth() {
        double low = -2, high = 3, m = 0.5, h = 2.5;
        TanhNormal d = TanhNormal.builder(f64(0.1), f64(0.7)).bounds(low, high).eventDims(0).build();
        assertTrue(d.nonTrivialBounds());
        SampleAndLogProb s = d.rsampleAndLogProb(noise("Normal.rsample", f64(0.9)));
        double x = 0.1 + 0.7 * 0.9;
        assertEquals(m + h * Math.tanh(x), s.sample().item(), 1e-15);
        assertEquals(logDensity(x, 0.1, 0.7, h), s.logProb().item(), 1e-12);
        assertEquals(logDensity(x, 0.1, 0.7, h), d.logProb(s.sample()).item(), 1e-12);
        assertEquals(m + h * Math.tanh(0.1), d.deterministicSample().item(), 1e-15);
    }

    /** With tanhLoc and non-trivial bounds TorchRL shifts the pre-tanh location by the midpoint (quirk kept). */
    @Test
    void tanhLocWithBoundsShiftsByTheMidpoint() {
        TanhNormal d = TanhNormal.builder(f64(0.4), f64(1)).bounds(0, 2).upscale(3).tanhLoc(true).build();
        double mu = 3 * Math.tanh(0.4 / 3) + 1;
        assertEquals(mu, d.baseLoc().item(), 1e-15);
        assertEquals(1 + Math.tanh(mu), d.deterministicSample().item(), 1e-15);
        TanhNormal plain = TanhNormal.builder(f64(0.4), f64(1)).upscale(3).tanhLoc(true).build();
        assertEquals(3 * Math.tanh(0.4 / 3), plain.baseLoc().item(), 1e-15);
    }

    @Test
    void shapesFollowEventDims() {
        Tensor loc = Tensor.zeros(DType.FLOAT64, 2, 3, 4), scale = Tensor.onesLike(loc);
        Generator gen = new Generator(3);
        TanhNormal one = new TanhNormal(loc, scale);
        assertArrayEquals(new int[] {2, 3}, one.batchShape());
        assertArrayEquals(new int[] {4}, one.eventShape());
        assertArrayEquals(new int[] {5, 2, 3}, one.logProb(one.sample(gen, 5)).shape());
        TanhNormal two = TanhNormal.builder(loc, scale).eventDims(2).build();
        assertArrayEquals(new int[] {2}, two.batchShape());
        assertArrayEquals(new int[] {3, 4}, two.eventShape());
        SampleAndLogProb s = two.rsampleAndLogProb(gen, 6);
        assertArrayEquals(new int[] {6, 2, 3, 4}, s.sample().shape());
        assertArrayEquals(new int[] {6, 2}, s.logProb().shape());
        TanhNormal none = TanhNormal.builder(loc, scale).eventDims(0).build();
        assertArrayEquals(new int[] {2, 3, 4}, none.logProb(none.sample(gen)).shape());
        assertArrayEquals(new int[0], new TanhNormal(f64(0.5).reshape(), f64(1).reshape()).eventShape());
    }

    @Test
    void drawsStayInsideTheBounds() {
        Tensor lo = f64(-0.5, 1), hi = f64(0.5, 4);
        Tensor loc = Tensor.zeros(DType.FLOAT64, 3, 2), scale = Tensor.fullLike(loc, 3);
        TanhNormal d = TanhNormal.builder(loc, scale).bounds(lo, hi).build();
        double[] x = d.sample(new Generator(11), 200).toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            int j = i % 2;
            assertTrue(x[i] >= lo.toDoubleArray()[j] && x[i] <= hi.toDoubleArray()[j], "draw " + x[i] + " outside its bounds");
        }
    }

    /** Values on or beyond the bounds are clamped with safe tanh: finite log-probabilities. */
    @Test
    void valuesOnTheBoundsScoreFinite() {
        TanhNormal d = TanhNormal.builder(f64(0.2, -0.3), f64(0.9, 1.1)).build();
        double lp = d.logProb(f64(1, -1)).item();
        assertTrue(Double.isFinite(lp), "log_prob on the bounds: " + lp);
        assertEquals(lp, d.logProb(f64(1.5, -7)).item(), 0);
        TanhNormal unsafe = TanhNormal.builder(f64(0.2, -0.3), f64(0.9, 1.1)).safeTanh(false).build();
        assertTrue(Double.isNaN(unsafe.logProb(f64(1.5, 0)).item()));
    }

    /** The joint non-reparameterised draw: no gradient in the value, a score-function gradient in the log-probability. */
    @Test
    void sampleAndLogProbDetachesOnlyTheDraw() {
        Tensor loc = f64(0.3).requiresGrad(true), scale = f64(0.5).requiresGrad(true);
        SampleAndLogProb s = new TanhNormal(loc, scale).sampleAndLogProb(noise("Normal.sample", f64(0.4)));
        assertFalse(s.sample().requiresGrad());
        double x = 0.3 + 0.5 * 0.4;
        List<Tensor> g = Autograd.grad(List.of(s.logProb()), List.of(loc, scale), null, false, false, false);
        // d/dμ log N(x; μ, σ) = (x − μ)/σ²; d/dσ = (x − μ)²/σ³ − 1/σ (x held fixed).
        assertEquals((x - 0.3) / 0.25, g.get(0).item(), 1e-12);
        assertEquals((x - 0.3) * (x - 0.3) / 0.125 - 2, g.get(1).item(), 1e-12);
    }

    @Test
    void rsampleAndLogProbGradientsMatchFiniteDifferences() {
        Tensor eps = Tensor.of(DType.FLOAT64, new double[] {0.4, -1.1, 0.2, 0.8, -0.5, 1.7}, 3, 2);
        Tensor lo = f64(-2, 0), hi = f64(1, 3);
        GradientCheck.ofMany("TanhNormal.rsampleAndLogProb", xs -> {
            SampleAndLogProb s = TanhNormal.builder(xs.get(0), xs.get(1)).bounds(lo, hi).tanhLoc(true).build()
                    .rsampleAndLogProb(noise("Normal.rsample", eps));
            return List.of(s.sample(), s.logProb());
        }).at(f64(0.3, -0.6, 1.1, 0.2, -0.4, 0.9).reshape(3, 2), f64(0.5, 0.8, 1.2, 0.3, 0.6, 0.9).reshape(3, 2)).check();
        Tensor value = Tensor.of(DType.FLOAT64, new double[] {0.3, -0.9, 0.0, 0.6}, 2, 2);
        GradientCheck.of("TanhNormal.logProb", xs -> new TanhNormal(xs.get(0), xs.get(1)).logProb(value))
                .at(f64(0.3, -0.6, 1.1, 0.2).reshape(2, 2), f64(0.5, 0.8, 1.2, 0.3).reshape(2, 2)).check();
    }

    /** float32, the fast path: a saturated draw stays 1e-6 inside the bounds and scores finite. */
    @Test
    void float32SaturatedDrawsStayFinite() {
        Tensor loc = Tensor.of(DType.FLOAT32, new double[] {20, -20}, 2), scale = Tensor.of(DType.FLOAT32, new double[] {0.1, 0.1}, 2);
        SampleAndLogProb s = new TanhNormal(loc, scale).rsampleAndLogProb(noise("Normal.rsample", Tensor.zeros(DType.FLOAT32, 2)));
        assertEquals(DType.FLOAT32, s.sample().dtype());
        assertArrayEquals(new float[] {(float) (1 - 1e-6), (float) -(1 - 1e-6)}, s.sample().toFloatArray());
        assertTrue(Double.isFinite(s.logProb().item()));
        assertTrue(Double.isFinite(new TanhNormal(loc, scale).logProb(s.sample()).item()));
    }

    @Test
    void klOfTwoTanhNormalsIsTheirBasesAndNeedsEqualBounds() {
        TanhNormal p = TanhNormal.builder(f64(0, 1), f64(1, 1)).bounds(-2, 3).build();
        TanhNormal q = TanhNormal.builder(f64(1, 1), f64(2, 1)).bounds(-2, 3).build();
        assertEquals(Math.log(2) + 0.25 - 0.5, KL.divergence(p, q).item(), 1e-15);
        TanhNormal other = TanhNormal.builder(f64(1, 1), f64(2, 1)).bounds(-2, 4).build();
        assertThrows(UnsupportedOperationException.class, () -> KL.divergence(p, other));
    }

    @Test
    void noClosedFormsAndClearErrors() {
        TanhNormal d = new TanhNormal(f64(0.1), f64(1));
        assertTrue(d.hasRsample());
        var mode = assertThrows(UnsupportedOperationException.class, d::mode);
        assertTrue(mode.getMessage().contains("deterministicSample"), mode.getMessage());
        assertThrows(UnsupportedOperationException.class, d::mean);
        assertThrows(UnsupportedOperationException.class, d::entropy);
        var bounds = assertThrows(IllegalArgumentException.class, () -> TanhNormal.builder(f64(0), f64(1)).bounds(1, 1).build());
        assertTrue(bounds.getMessage().startsWith("TanhNormal high values must be strictly greater than low values"), bounds.getMessage());
        var tensorBounds = assertThrows(IllegalArgumentException.class,
                () -> TanhNormal.builder(f64(0, 0), f64(1, 1)).bounds(f64(-1, 2), f64(1, 1)).build());
        assertTrue(tensorBounds.getMessage().contains("low = 2.0, high = 1.0"), tensorBounds.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TanhNormal(f64(0), f64(-1)));
    }
}
