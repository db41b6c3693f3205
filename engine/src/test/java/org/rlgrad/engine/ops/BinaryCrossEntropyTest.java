package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/** BCE at the ends of [0, 1], where PyTorch's gradient formula and the clamped logs disagree. */
class BinaryCrossEntropyTest {
    @Test
    void gradientAtTheBoundsFollowsPyTorch() {
        Tensor p = Tensor.of(DType.FLOAT64, new double[] {0, 0, 1, 1, 0.25}, 5).requiresGrad(true);
        Tensor t = Tensor.of(DType.FLOAT64, new double[] {0, 1, 0, 1, 1}, 5).requiresGrad(true);
        Tensor loss = Functional.binaryCrossEntropy(p, t, Reduction.NONE);
        // log terms clamp at -100: -(t log p + (1 - t) log(1 - p))
        assertArrayEquals(new double[] {0, 100, 100, 0, Math.log(4)}, loss.toDoubleArray(), 1e-12);
        loss.sum().backward();
        // d/dp = (p - t) / max(p (1 - p), 1e-12)
        assertArrayEquals(new double[] {0, -1e12, 1e12, 0, (0.25 - 1) / (0.25 * 0.75)}, p.grad().toDoubleArray(), 1e-3);
        // d/dt = log(1 - p) - log(p), each clamped at -100
        assertArrayEquals(new double[] {100, 100, -100, -100, Math.log(0.75) - Math.log(0.25)}, t.grad().toDoubleArray(), 1e-12);
    }
}
