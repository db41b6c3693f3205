package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** Dirichlet: closed forms by hand, draws on the simplex with the right mean, and gradients. */
class DirichletTest {
    @Test
    void closedFormsByHand() {
        // Dirichlet(1, 1, 1) is uniform on the triangle of area ½ (in the first two coordinates): density Γ(3) = 2, entropy −ln 2.
        Dirichlet flat = new Dirichlet(f64(new double[] {1, 1, 1}, 3));
        assertEquals(Math.log(2), flat.logProb(f64(new double[] {0.2, 0.5, 0.3}, 3)).item(), 1e-15);
        assertEquals(-Math.log(2), flat.entropy().item(), 1e-15);
        // Dirichlet(2, 3, 4): density Γ(9)/(Γ(2)Γ(3)Γ(4)) x y² z³ = 40320/12 x y² z³.
        Dirichlet d = new Dirichlet(f64(new double[] {2, 3, 4}, 3));
        double x = 0.2, y = 0.3, z = 0.5;
        assertEquals(Math.log(3360 * x * y * y * z * z * z), d.logProb(f64(new double[] {x, y, z}, 3)).item(), 1e-14);
        assertArrayEquals(new double[] {2.0 / 9, 3.0 / 9, 4.0 / 9}, d.mean().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {1.0 / 6, 2.0 / 6, 3.0 / 6}, d.mode().toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {2.0 * 7 / 810, 3.0 * 6 / 810, 4.0 * 5 / 810}, d.variance().toDoubleArray(), 1e-16);
        // All below one: (α − 1)⁺ is all zero and its first arg-max picks the first vertex (PyTorch's choice).
        assertArrayEquals(new double[] {1, 0, 0}, new Dirichlet(f64(new double[] {0.5, 0.9, 0.2}, 3)).mode().toDoubleArray());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.ofMany("Dirichlet", xs -> {
            Dirichlet d = new Dirichlet(xs.get(0));
            return List.of(d.logProb(f64(new double[] {0.1, 0.6, 0.3, 0.25, 0.25, 0.5}, 2, 3)), d.entropy(), d.variance());
        }).at(f64(new double[] {1.5, 0.7, 2.2, 3.1, 1.2, 0.9}, 2, 3)).check();
    }

    @Test
    void drawsLieOnTheSimplexWithTheDirichletMean() {
        int n = 20_000;
        Tensor alpha = f64(new double[] {0.5, 2, 3.5}, 3).requiresGrad(true);
        Tensor x = new Dirichlet(alpha).rsample(new Generator(31), n);
        assertArrayEquals(new int[] {n, 3}, x.shape());
        double[] v = x.toDoubleArray();
        double[] mean = new double[3];
        for (int i = 0; i < n; i++) {
            assertEquals(1, v[3 * i] + v[3 * i + 1] + v[3 * i + 2], 1e-12);
            for (int k = 0; k < 3; k++) mean[k] += v[3 * i + k] / n;
        }
        double[] a = {0.5, 2, 3.5};
        for (int k = 0; k < 3; k++) {
            double m = a[k] / 6, var = m * (1 - m) / 7;
            assertEquals(m, mean[k], 5 * Math.sqrt(var / n), "coordinate " + k);
        }
        // d E[x_0] / d α_0 = (a0 − α_0) / a0² = 5.5 / 36: the sample mean of the gradient estimates it.
        Tensor g = Autograd.grad(List.of(x.select(-1, 0).mean()), List.of(alpha), null, false, false, false).get(0);
        assertEquals(5.5 / 36, g.toDoubleArray()[0], 0.01);
    }

    @Test
    void needsACategoryDim() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dirichlet(Tensor.scalar(1, org.rlgrad.engine.tensor.DType.FLOAT64)));
        assertEquals("Dirichlet: concentration must have at least one dim (the categories), got shape []", e.getMessage());
    }
}
