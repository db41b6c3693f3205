package org.rlgrad.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

class AutogradBasicsTest {
    @Test
    void chainRuleThroughBroadcastAndReduction() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1, 2, 2, 2}, 2, 3);
        Tensor loss = x.mul(w).sum();
        loss.backward();
        assertArrayEquals(new double[] {3, 3, 3}, w.grad().toDoubleArray(), 0);
        assertEquals(18, loss.item(), 0);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {2}, 1).requiresGrad(true);
        w.square().sum().backward();
        w.square().sum().backward();
        assertArrayEquals(new double[] {8}, w.grad().toDoubleArray(), 0);
    }

    @Test
    void secondOrderGradientOfCube() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {3}, 1).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        Tensor dy = Autograd.grad(List.of(y), List.of(x), null, true, true, false).get(0);
        assertArrayEquals(new double[] {27}, dy.toDoubleArray(), 1e-12);
        Tensor d2 = Autograd.grad(List.of(dy.sum()), List.of(x), null, false, false, false).get(0);
        assertArrayEquals(new double[] {18}, d2.toDoubleArray(), 1e-12);
    }

    @Test
    void inPlaceWriteToSavedTensorIsDetected() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(2);
        Tensor y = h.exp().sum();
        try (var scope = GradMode.noGrad()) {
            // exp saved its output; overwrite the storage it depends on through a view of the output's input
        }
        Tensor e = x.exp();
        Tensor loss = e.sum();
        e.detach().fill_(0);
        IllegalStateException err = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(err.getMessage().contains("'exp'"), err.getMessage());
        assertTrue(err.getMessage().contains("modified in place"), err.getMessage());
        y.backward();
    }
}
