package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@link InPlace#adam}: the backend's fused pass against the same update composed from ops
 * ({@link InPlace#adamComposed}). Both round once per torch kernel, in torch's order, so they
 * agree exactly, also with a transposed (non-contiguous) gradient such as a linear layer's weight
 * gets. The hand-worked numbers are in {@code org.rlgrad.engine.optim.AdamTest}.
 */
class InPlaceAdamTest {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    @Test
    void fusedAndComposedAgreeExactlyInFloat32AndFloat64() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Random random = new Random(7);
            Tensor p = random(random, dtype, 5, 7), m = random(random, dtype, 5, 7), v = random(random, dtype, 5, 7).abs();
            Tensor g = random(random, dtype, 7, 5).mT(); // strides (1, 5)
            assertTrue(!g.isContiguous());
            Tensor p1 = p.clone(), m1 = m.clone(), v1 = v.clone();
            Tensor p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
            for (int t = 1; t <= 3; t++) {
                double stepSize = 1e-2 / (1 - Math.pow(BETA1, t)), bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, t));
                InPlace.adam(p1, g, m1, v1, BETA1, BETA2, stepSize, bc2Sqrt, EPS);
                InPlace.adamComposed(p2, g, m2, v2, BETA1, BETA2, stepSize, bc2Sqrt, EPS);
            }
            assertArrayEquals(m2.toDoubleArray(), m1.toDoubleArray(), 0, dtype + " m");
            assertArrayEquals(v2.toDoubleArray(), v1.toDoubleArray(), 0, dtype + " v");
            assertArrayEquals(p2.toDoubleArray(), p1.toDoubleArray(), 0, dtype + " p");
            assertTrue(!java.util.Arrays.equals(p.toDoubleArray(), p1.toDoubleArray()), "the update moved the parameter");
        }
    }

    @Test
    void contiguousRowsTakeTheSimdPathAndStillAgreeExactly() {
        // Lengths around the vector width: SIMD body, scalar tail, and rows with only a tail.
        int checked = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n = 0; n <= 67; n++) {
                Random random = new Random(n);
                Tensor p = random(random, dtype, n), g = random(random, dtype, n);
                Tensor m = random(random, dtype, n), v = random(random, dtype, n).abs();
                Tensor p1 = p.clone(), m1 = m.clone(), v1 = v.clone();
                Tensor p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
                for (int t = 1; t <= 2; t++) {
                    double stepSize = 1e-2 / (1 - Math.pow(BETA1, t)), bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, t));
                    InPlace.adam(p1, g, m1, v1, BETA1, BETA2, stepSize, bc2Sqrt, EPS);
                    InPlace.adamComposed(p2, g, m2, v2, BETA1, BETA2, stepSize, bc2Sqrt, EPS);
                }
                assertArrayEquals(m2.toDoubleArray(), m1.toDoubleArray(), 0, dtype + " m, n=" + n);
                assertArrayEquals(v2.toDoubleArray(), v1.toDoubleArray(), 0, dtype + " v, n=" + n);
                assertArrayEquals(p2.toDoubleArray(), p1.toDoubleArray(), 0, dtype + " p, n=" + n);
                checked++;
            }
        }
        assertEquals(2 * 68, checked);
    }

    @Test
    void everyWrittenTensorGetsANewVersion() {
        Random random = new Random(1);
        Tensor p = random(random, DType.FLOAT32, 4), g = random(random, DType.FLOAT32, 4);
        Tensor m = Tensor.zeros(4), v = Tensor.zeros(4);
        int pv = p.storage().version(), mv = m.storage().version(), vv = v.storage().version(), gv = g.storage().version();
        InPlace.adam(p, g, m, v, BETA1, BETA2, 1e-3, 1, EPS);
        assertTrue(p.storage().version() > pv && m.storage().version() > mv && v.storage().version() > vv);
        assertEquals(gv, g.storage().version(), "the gradient is only read");
    }

    @Test
    void refusesToWriteAParameterWhileGradientsAreRecorded() {
        Tensor p = Tensor.zeros(3).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> InPlace.adam(p, Tensor.ones(3), Tensor.zeros(3), Tensor.zeros(3), BETA1, BETA2, 1e-3, 1, EPS));
        assertTrue(e.getMessage().contains("GradMode.noGrad()"), e.getMessage());
        try (var scope = GradMode.noGrad()) {
            InPlace.adam(p, Tensor.ones(3), Tensor.zeros(3), Tensor.zeros(3), BETA1, BETA2, 1e-3, 1, EPS);
        }
    }

    @Test
    void aMomentOfAnotherShapeIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InPlace.adam(Tensor.zeros(3), Tensor.ones(3), Tensor.zeros(4), Tensor.zeros(3), BETA1, BETA2, 1e-3, 1, EPS));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    private static Tensor random(Random random, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = random.nextGaussian();
        return Tensor.of(dtype, values, shape);
    }
}
