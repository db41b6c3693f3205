package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** MultivariateNormal with a Cholesky factor, against a 2×2 case inverted by hand. */
class MultivariateNormalTest {
    private static final double LN_2PI = Math.log(2 * Math.PI);

    @Test
    void logDensityAndEntropyOfATwoByTwoCase() {
        // L = [[2, 0], [1, 3]]: Σ = [[4, 2], [2, 10]], det 36, Σ⁻¹ = [[10, −2], [−2, 4]] / 36.
        // d = (1, 2): dᵀ Σ⁻¹ d = (10 − 8 + 16) / 36 = ½, so log p = −ln 2π − ¼ − ln 6.
        MultivariateNormal d = new MultivariateNormal(f64(new double[] {0.5, -1}, 2), f64(new double[] {2, 0, 1, 3}, 2, 2));
        assertEquals(-LN_2PI - 0.25 - Math.log(6), d.logProb(f64(new double[] {1.5, 1}, 2)).item(), 1e-15);
        assertEquals(1 + LN_2PI + Math.log(6), d.entropy().item(), 1e-15);
        assertArrayEquals(new double[] {4, 2, 2, 10}, d.covarianceMatrix().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {4, 10}, d.variance().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.5, -1}, d.mode().toDoubleArray());
    }

    @Test
    void aBatchOfDiagonalFactorsIsASumOfIndependentNormals() {
        Tensor scale = f64(new double[] {2, 0, 0, 0.5, 1, 0, 0, 3}, 2, 2, 2);
        MultivariateNormal d = new MultivariateNormal(f64(new double[] {0, 0}, 2), scale);
        assertArrayEquals(new int[] {2}, d.batchShape());
        Tensor lp = d.logProb(f64(new double[] {1, 1, 1, 1, -2, 3, 0, 0}, 2, 2, 2));
        assertArrayEquals(new int[] {2, 2}, lp.shape());
        double n1 = -0.5 * LN_2PI;
        double[] expected = {
            n1 - 1.0 / 8 - Math.log(2) + n1 - 2 - Math.log(0.5),
            n1 - 0.5 + n1 - 1.0 / 18 - Math.log(3),
            n1 - 0.5 - Math.log(2) + n1 - 18 - Math.log(0.5),
            n1 + n1 - Math.log(3)};
        assertArrayEquals(expected, lp.toDoubleArray(), 1e-14);
    }

    @Test
    void onlyTheLowerTriangleEntersTheDensity() {
        Tensor withJunk = f64(new double[] {2, 7, 1, 3}, 2, 2).requiresGrad(true);
        MultivariateNormal d = new MultivariateNormal(f64(new double[] {0.5, -1}, 2), withJunk);
        Tensor lp = d.logProb(f64(new double[] {1.5, 1}, 2));
        assertEquals(-LN_2PI - 0.25 - Math.log(6), lp.item(), 1e-15);
        double[] g = Autograd.grad(List.of(lp.add(d.entropy())), List.of(withJunk), null, false, false, false).get(0).toDoubleArray();
        assertEquals(0, g[1], "the entry above the diagonal gets no gradient from the density");
    }

    @Test
    void rsampleIsLocPlusFactorTimesNoise() {
        Tensor noise = f64(new double[] {1, -1, 0.5, 2}, 2, 2);
        ReplayedDraws draws = new ReplayedDraws(List.of(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, noise)));
        MultivariateNormal d = new MultivariateNormal(f64(new double[] {0.5, -1}, 2), f64(new double[] {2, 0, 1, 3}, 2, 2));
        // (2, 1 − 3) and (1, 0.5 + 6), each plus loc.
        assertArrayEquals(new double[] {2.5, -3, 1.5, 5.5}, d.rsample(draws, 2).toDoubleArray(), 1e-15);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.ofMany("MultivariateNormal", xs -> {
            MultivariateNormal d = new MultivariateNormal(xs.get(0), xs.get(1));
            return List.of(d.logProb(f64(new double[] {0.3, -0.2, 1.1, 0.0, 0.5, -0.7}, 2, 3)), d.entropy());
        }).at(f64(new double[] {0.1, 0.4, -0.3}, 3), f64(new double[] {1.2, 0, 0, 0.3, 0.8, 0, -0.5, 0.2, 1.5}, 3, 3)).check();
    }

    @Test
    void shapesAndTheDiagonalAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MultivariateNormal(f64(new double[] {0, 0}, 2), f64(new double[] {1, 0, 0, 1, 0, 0, 0, 0, 1}, 3, 3)));
        assertEquals("MultivariateNormal: scale_tril must be [..., 2, 2] to match loc of shape [2], got [3, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultivariateNormal(f64(new double[] {0, 0}, 2), f64(new double[] {1, 0, 0, -1}, 2, 2)));
        assertEquals("MultivariateNormal: the diagonal of scale_tril must be positive and finite, got -1.0 at diagonal entry 1 of matrix 0", e.getMessage());
    }
}
