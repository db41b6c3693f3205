package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Adam against a two-step example worked by hand, with lr = 0.1 and torch's defaults
 * (β1 = 0.9, β2 = 0.999, ε = 1e-8), p0 = [1, -2, 3], g1 = [0.5, -1, 0], g2 = [-0.5, -3, 2].
 *
 * <p>Step 1: m1 = 0.1 g1 = [0.05, -0.1, 0]; v1 = 0.001 g1^2 = [0.00025, 0.001, 0]. The bias
 * corrections are 1 - 0.9 = 0.1 and 1 - 0.999 = 0.001, so the step size is 0.1 / 0.1 = 1 and
 * sqrt(v1) / sqrt(0.001) = |g1| = [0.5, 1, 0]: denom = [0.5 + 1e-8, 1 + 1e-8, 1e-8] and
 * p1 = p0 - m1 / denom = [1 - 0.05 / 0.50000001, -2 + 0.1 / 1.00000001, 3]
 * = [0.900000002, -1.900000001, 3] (the first step moves every coordinate with a gradient by
 * about lr, and the one with a zero gradient not at all).
 *
 * <p>Step 2: m2 = 0.9 m1 + 0.1 g2 = [-0.005, -0.39, 0.2]; v2 = 0.999 v1 + 0.001 g2^2
 * = [0.00049975, 0.009999, 0.004]. Bias corrections 1 - 0.81 = 0.19 and 1 - 0.998001 = 0.001999,
 * step size 0.1 / 0.19. v2 / 0.001999 = [0.25 (exactly), 5.002001..., 2.0010005...], so
 * denom = [0.50000001, 2.2365153800567877, 1.4145672584014767] and
 * p2 = p1 - (0.1 / 0.19) m2 / denom = [0.90526315978947365, -1.8082218895123316, 2.9255863181693539].
 */
class AdamTest {
    private static final double[] P0 = {1, -2, 3};
    private static final double[] G1 = {0.5, -1, 0};
    private static final double[] G2 = {-0.5, -3, 2};

    private static final double[] M1 = {0.05, -0.1, 0};
    private static final double[] V1 = {0.00025, 0.001, 0};
    private static final double[] P1 = {0.9000000019999999600, -1.9000000009999999900, 3};
    private static final double[] M2 = {-0.005, -0.39, 0.2};
    private static final double[] V2 = {0.00049975, 0.009999, 0.004};
    private static final double[] P2 = {0.90526315978947364632, -1.8082218895123316279, 2.9255863181693538935};

    @Test
    void twoStepsMatchTheHandWorkedExampleInFloat64() {
        Tensor p = Tensor.of(DType.FLOAT64, P0.clone(), 3).requiresGrad(true);
        Adam adam = new Adam(List.of(p), 0.1);

        p.setGrad(Tensor.of(DType.FLOAT64, G1, 3));
        adam.step();
        assertArrayEquals(M1, adam.expAvg(0).toDoubleArray(), 1e-15);
        assertArrayEquals(V1, adam.expAvgSq(0).toDoubleArray(), 1e-15);
        assertArrayEquals(P1, p.toDoubleArray(), 1e-14);

        adam.zeroGrad();
        assertNull(p.grad(), "zeroGrad sets the gradient to none");
        p.setGrad(Tensor.of(DType.FLOAT64, G2, 3));
        adam.step();
        assertArrayEquals(M2, adam.expAvg(0).toDoubleArray(), 1e-15);
        assertArrayEquals(V2, adam.expAvgSq(0).toDoubleArray(), 1e-15);
        assertArrayEquals(P2, p.toDoubleArray(), 1e-14);
        assertEquals(2, adam.steps(0));
    }

    @Test
    void twoStepsMatchTheHandWorkedExampleInFloat32() {
        Tensor p = Tensor.of(DType.FLOAT32, P0.clone(), 3).requiresGrad(true);
        Adam adam = new Adam(List.of(p), 0.1);
        p.setGrad(Tensor.of(DType.FLOAT32, G1, 3));
        adam.step();
        adam.zeroGrad();
        p.setGrad(Tensor.of(DType.FLOAT32, G2, 3));
        adam.step();
        assertEquals(DType.FLOAT32, p.dtype());
        assertEquals(DType.FLOAT32, adam.expAvg(0).dtype());
        // A few float32 ulps of the values (about 1e-7 relative).
        assertArrayEquals(P2, p.toDoubleArray(), 5e-7);
        assertArrayEquals(V2, adam.expAvgSq(0).toDoubleArray(), 1e-9);
    }

    @Test
    void gradientsFromBackwardDriveTheSameUpdate() {
        // loss = sum(g1 * p) has gradient g1: the same first step as above.
        Tensor p = Tensor.of(DType.FLOAT64, P0.clone(), 3).requiresGrad(true);
        Adam adam = new Adam(List.of(p), 0.1);
        adam.zeroGrad();
        p.mul(Tensor.of(DType.FLOAT64, G1, 3)).sum().backward();
        adam.step();
        assertArrayEquals(P1, p.toDoubleArray(), 1e-14);
        assertTrue(p.requiresGrad() && p.isLeaf(), "the step leaves the parameter a leaf that requires grad");
    }

    @Test
    void parametersWithoutAGradientAreSkippedAndKeepTheirOwnStepCount() {
        Tensor a = Tensor.of(DType.FLOAT64, P0.clone(), 3).requiresGrad(true);
        Tensor b = Tensor.of(DType.FLOAT64, P0.clone(), 3).requiresGrad(true);
        Adam adam = new Adam(List.of(a, b), 0.1);
        a.setGrad(Tensor.of(DType.FLOAT64, G1, 3));
        adam.step(); // b has no gradient: untouched, no state, step count 0
        assertArrayEquals(P0, b.toDoubleArray(), 0);
        assertNull(adam.expAvg(1));
        assertEquals(0, adam.steps(1));
        // b's first step is a first step (bias corrections of t = 1) even though a is at t = 2.
        a.setGrad(Tensor.of(DType.FLOAT64, G2, 3));
        b.setGrad(Tensor.of(DType.FLOAT64, G1, 3));
        adam.step();
        assertArrayEquals(P2, a.toDoubleArray(), 1e-14);
        assertArrayEquals(P1, b.toDoubleArray(), 1e-14);
        assertEquals(2, adam.steps(0));
        assertEquals(1, adam.steps(1));
    }

    @Test
    void theStepWritesInPlace() {
        Tensor p = Tensor.of(DType.FLOAT32, P0.clone(), 3).requiresGrad(true);
        Adam adam = new Adam(List.of(p), 0.1);
        p.setGrad(Tensor.of(DType.FLOAT32, G1, 3));
        adam.step();
        Tensor m = adam.expAvg(0);
        p.setGrad(Tensor.of(DType.FLOAT32, G2, 3));
        adam.step();
        assertSame(p, adam.params().get(0));
        assertArrayEquals(P2, p.toDoubleArray(), 5e-7);
        assertSame(m, adam.expAvg(0), "the moments are updated in place, not replaced");
    }

    @Test
    void badArgumentsAreRejectedWithTheReason() {
        Tensor p = Tensor.zeros(2).requiresGrad(true);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), -1)).getMessage().contains("learning rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), 0.1, 1.0, 0.999, 1e-8)).getMessage()
                .contains("beta parameter at index 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p), 0.1, 0.9, -0.1, 1e-8)).getMessage()
                .contains("beta parameter at index 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(Tensor.zeros(2)), 0.1)).getMessage()
                .contains("does not require grad"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p, p), 0.1)).getMessage()
                .contains("more than once"));
        Tensor nonLeaf = p.mul(2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(nonLeaf), 0.1)).getMessage()
                .contains("not a leaf"));
    }
}
