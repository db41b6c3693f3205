package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * {@link SafeTanh}: finite-difference checks in float64 inside the clamp (where the gradients are
 * those of tanh and atanh), first and second order, and the gradients TorchRL defines where the
 * clamp is active, worked by hand.
 */
class SafeTanhGradientProperties {
    static List<GradCase> cases() {
        return List.of(
                GradCase.of("SafeTanh.safeTanh", g -> GradientCheck.of("safeTanh", xs -> SafeTanh.safeTanh(xs.get(0)))
                        .at(g.uniform(g.shape(0, 4), -4, 4)).check()),
                GradCase.of("SafeTanh.safeAtanh", g -> GradientCheck.of("safeAtanh", xs -> SafeTanh.safeAtanh(xs.get(0)))
                        .at(g.uniform(g.shape(0, 4), -0.95, 0.95)).check()),
                GradCase.of("SafeTanh.safeTanh second order", List.of("SafeTanh.safeTanh"), g -> GradientCheck.of("safeTanh",
                        xs -> SafeTanh.safeTanh(xs.get(0))).at(g.uniform(g.shape(0, 3), -3, 3)).checkSecondOrder()),
                GradCase.of("SafeTanh.safeAtanh second order", List.of("SafeTanh.safeAtanh"), g -> GradientCheck.of("safeAtanh",
                        xs -> SafeTanh.safeAtanh(xs.get(0))).at(g.uniform(g.shape(0, 3), -0.9, 0.9)).checkSecondOrder()));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }

    @Test
    void epsilonIsTheDtypeResolution() {
        assertEquals(1e-6, SafeTanh.epsilon(DType.FLOAT32));
        assertEquals(1e-15, SafeTanh.epsilon(DType.FLOAT64));
    }

    /** Saturated tanh stays 1 − ε away from ±1, and its gradient is g (1 − y²) at the clamped y, not zero. */
    @Test
    void saturatedTanhIsClampedAndKeepsAGradient() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {40, -40, 0.5}, 3).requiresGrad(true);
        Tensor y = SafeTanh.safeTanh(x);
        double lim = 1 - 1e-15;
        double[] ys = y.toDoubleArray();
        assertArrayEquals(new double[] {lim, -lim}, Arrays.copyOf(ys, 2), 0);
        // Inside the clamp it is the backend's tanh: SIMD tanh may differ from Math.tanh by an ulp.
        assertEquals(Math.tanh(0.5), ys[2], 2 * Math.ulp(Math.tanh(0.5)));
        Tensor g = Autograd.grad(y.sum(), x);
        double atLimit = 1 - lim * lim;
        assertTrue(atLimit > 0);
        assertArrayEquals(new double[] {atLimit, atLimit, 1 - Math.tanh(0.5) * Math.tanh(0.5)}, g.toDoubleArray(), 1e-15);
    }

    /** Beyond ±(1 − ε) atanh is finite, and its gradient is g / (1 − c²) at the clamped c (TorchRL's), not zero. */
    @Test
    void atanhBeyondTheClampIsFiniteWithTorchRlsGradient() {
        Tensor y = Tensor.of(DType.FLOAT64, new double[] {1.5, -1, 0.25}, 3).requiresGrad(true);
        Tensor x = SafeTanh.safeAtanh(y);
        double lim = 1 - 1e-15;
        double atanhLim = 0.5 * Math.log((1 + lim) / (1 - lim));
        assertArrayEquals(new double[] {atanhLim, -atanhLim, 0.5 * Math.log(1.25 / 0.75)}, x.toDoubleArray(), 1e-12);
        Tensor g = Autograd.grad(x.sum(), y);
        assertArrayEquals(new double[] {1 / (1 - lim * lim), 1 / (1 - lim * lim), 1 / (1 - 0.0625)}, g.toDoubleArray(), 1e-9 / (1 - lim * lim));
    }

    /** float32 clamps at 1 − 1e-6. */
    @Test
    void float32ClampsAtItsOwnResolution() {
        Tensor y = SafeTanh.safeTanh(Tensor.of(DType.FLOAT32, new double[] {20}, 1));
        assertEquals((float) (1 - 1e-6), y.toFloatArray()[0]);
    }
}
