package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

/**
 * Gradient clipping against norms worked by hand. The gradients are g_a = [3, -4] and g_b = [12]:
 * concatenated, [3, -4, 12], whose 1-norm is 19, 2-norm sqrt(9 + 16 + 144) = 13, ∞-norm 12 and
 * 3-norm (27 + 64 + 1728)^(1/3) = 1819^(1/3).
 */
class ClipGradTest {
    private static List<Tensor> params(DType dtype) {
        Tensor a = Tensor.of(dtype, new double[] {0, 0}, 2).requiresGrad(true);
        Tensor b = Tensor.of(dtype, new double[] {0}, 1).requiresGrad(true);
        Tensor c = Tensor.of(dtype, new double[] {0}, 1).requiresGrad(true); // no gradient: skipped
        a.setGrad(Tensor.of(dtype, new double[] {3, -4}, 2));
        b.setGrad(Tensor.of(dtype, new double[] {12}, 1));
        return List.of(a, b, c);
    }

    private static void check(double normType, double norm) {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double tol = dtype == DType.FLOAT64 ? 1e-13 : 1e-5;
            // Clipped to 1: every gradient scaled by 1 / (norm + 1e-6).
            List<Tensor> ps = params(dtype);
            Tensor total = ClipGrad.clipGradNorm(ps, 1, normType, true);
            assertEquals(norm, total.item(), tol * norm, "norm " + normType);
            double c = 1 / (norm + 1e-6);
            assertArrayEquals(new double[] {3 * c, -4 * c}, ps.get(0).grad().toDoubleArray(), tol, "norm " + normType);
            assertArrayEquals(new double[] {12 * c}, ps.get(1).grad().toDoubleArray(), tol, "norm " + normType);
            assertNull(ps.get(2).grad());
            // A bound above the norm leaves the gradients as they were (the coefficient is clamped to 1).
            ps = params(dtype);
            ClipGrad.clipGradNorm(ps, norm * 2, normType, false);
            assertArrayEquals(new double[] {3, -4}, ps.get(0).grad().toDoubleArray(), 0);
            assertArrayEquals(new double[] {12}, ps.get(1).grad().toDoubleArray(), 0);
        }
    }

    @Test
    void normsOneTwoInfinityAndThreeMatchTheHandWorkedValues() {
        check(1, 19);
        check(2, 13);
        check(Double.POSITIVE_INFINITY, 12);
        check(3, Math.cbrt(1819));
    }

    @Test
    void aNonFiniteNormIsAnErrorWhenAskedFor() {
        Tensor p = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        p.setGrad(Tensor.of(DType.FLOAT64, new double[] {1, Double.NaN}, 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClipGrad.clipGradNorm(List.of(p), 1, 2, true));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("non-finite"), e.getMessage());
        p.setGrad(Tensor.of(DType.FLOAT64, new double[] {1, Double.POSITIVE_INFINITY}, 2));
        assertThrows(IllegalStateException.class, () -> ClipGrad.clipGradNorm(List.of(p), 1, 2, true));
        // Without the check, torch scales by the non-finite norm anyway: max_norm / (inf + 1e-6) = 0, times inf is NaN.
        Tensor total = ClipGrad.clipGradNorm(List.of(p), 1, 2, false);
        assertEquals(Double.POSITIVE_INFINITY, total.item(), 0);
        double[] g = p.grad().toDoubleArray();
        assertEquals(0, g[0], 0);
        assertTrue(Double.isNaN(g[1]));
    }

    @Test
    void withNoGradientsTheNormIsZero() {
        Tensor p = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        assertEquals(0, ClipGrad.clipGradNorm(List.of(p), 1).item(), 0);
        assertNull(p.grad());
    }

    @Test
    void clippingNeverIncreasesTheNormAndBoundsIt() {
        Property.forAll("clipGradNorm never increases the norm and leaves it <= maxNorm", 60, gen -> {
            double normType = gen.choose(1, 2, 3, Double.POSITIVE_INFINITY);
            double maxNorm = gen.uniform(0.01, 10);
            gen.note("normType", normType).note("maxNorm", maxNorm);
            List<Tensor> ps = new ArrayList<>();
            for (int i = gen.intIn(1, 3); i > 0; i--) {
                int[] shape = gen.shape(0, 2);
                Tensor p = Tensor.zeros(DType.FLOAT64, shape).requiresGrad(true);
                p.setGrad(gen.uniform(shape, -5, 5).toDouble());
                ps.add(p);
            }
            double before = ClipGrad.clipGradNorm(ps, Double.MAX_VALUE, normType, true).item();
            double after = ClipGrad.clipGradNorm(ps, maxNorm, normType, true).item();
            assertEquals(before, after, 1e-12 * (1 + before), "the returned norm is the norm before clipping");
            double clipped = ClipGrad.clipGradNorm(ps, Double.MAX_VALUE, normType, true).item();
            assertTrue(clipped <= before * (1 + 1e-12), "clipped " + clipped + " > unclipped " + before);
            assertTrue(clipped <= maxNorm * (1 + 1e-12), "clipped " + clipped + " > maxNorm " + maxNorm);
        });
    }

    @Test
    void clipGradValueClampsEveryGradient() {
        List<Tensor> ps = params(DType.FLOAT64);
        ClipGrad.clipGradValue(ps, 3.5);
        assertArrayEquals(new double[] {3, -3.5}, ps.get(0).grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {3.5}, ps.get(1).grad().toDoubleArray(), 0);
        assertNull(ps.get(2).grad());
    }

    @Test
    void aSharedGradientBufferIsScaledOnce() {
        // Backward hands both leaves of a + b the same gradient values; clipping each must not
        // rescale the other's.
        Tensor a = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true), b = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        a.add(b).mul(Tensor.of(DType.FLOAT64, new double[] {3, 4}, 2)).sum().backward();
        ClipGrad.clipGradNorm(List.of(a, b), 1);
        double c = 1 / (Math.sqrt(50) + 1e-6);
        assertArrayEquals(new double[] {3 * c, 4 * c}, a.grad().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {3 * c, 4 * c}, b.grad().toDoubleArray(), 1e-15);
    }
}
