package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.NormalTest.f64;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** Delta and TanhDelta: TorchRL's point masses, quirks included. */
class DeltaTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void logProbIsPlusInfinityAtTheAtomOnEveryEventEntry() {
        Tensor param = Tensor.of(DType.FLOAT64, new double[] {1, 2, -3, 0}, 2, 2);
        Delta d = new Delta(param);
        assertArrayEquals(new int[] {2}, d.batchShape());
        assertArrayEquals(new int[] {2}, d.eventShape());
        // Sample 0: exact; sample 1: within atol + rtol |param| = 1e-6 + 2e-6 on entry 1; sample 2: one entry off.
        Tensor v = Tensor.of(DType.FLOAT64, new double[] {1, 2, -3, 0, 1 + 5e-7, 2 + 2.5e-6, -3, 0, 1, 2.1, -3, 1e-7}, 3, 2, 2);
        assertArrayEquals(new double[] {INF, INF, INF, INF, -INF, INF}, d.logProb(v).toDoubleArray(), 0);
    }

    @Test
    void drawsArePointsAndOnlyRsampleKeepsTheGraph() {
        Tensor param = f64(0.5, -1).requiresGrad(true);
        Delta d = new Delta(param);
        assertFalse(d.hasRsample());
        Tensor s = d.sample(new Generator(1), 3);
        assertArrayEquals(new int[] {3, 2}, s.shape());
        assertFalse(s.requiresGrad());
        Tensor r = d.rsample(new Generator(1), 3);
        assertArrayEquals(new double[] {3, 3}, Autograd.grad(r.sum(), param).toDoubleArray(), 0);
        assertArrayEquals(param.toDoubleArray(), d.mean().toDoubleArray(), 0);
        assertArrayEquals(param.toDoubleArray(), d.mode().toDoubleArray(), 0);
        assertThrows(UnsupportedOperationException.class, d::entropy);
    }

    @Test
    void tanhDeltaShiftsByTheMidpointBeforeTheTanh() {
        Tensor param = f64(0.3, -0.2).requiresGrad(true);
        TanhDelta d = new TanhDelta(param, 0, 3);
        double m = 1.5, h = 1.5;
        double[] y = {m + h * Math.tanh(0.3 + m), m + h * Math.tanh(-0.2 + m)};
        assertArrayEquals(y, d.mode().toDoubleArray(), 1e-15);
        assertArrayEquals(y, d.deterministicSample().toDoubleArray(), 1e-15);
        double t = Math.tanh(0.3 + m);
        assertEquals(h * (1 - t * t), Autograd.grad(d.mode().select(0, 0), param).toDoubleArray()[0], 1e-14);
        assertArrayEquals(new double[] {INF}, d.logProb(d.mode().detach().unsqueeze(0)).toDoubleArray(), 0);
        assertArrayEquals(new double[] {-INF}, d.logProb(f64(y[0], 2.9).unsqueeze(0)).toDoubleArray(), 0);
        assertFalse(d.hasRsample());
        assertFalse(d.sample(new Generator(2)).requiresGrad());
        assertTrue(d.rsample(new Generator(2)).requiresGrad());
        assertThrows(UnsupportedOperationException.class, d::mean);
        assertThrows(UnsupportedOperationException.class, d::entropy);
    }

    @Test
    void tanhDeltaWithDefaultBoundsIsPlainTanh() {
        assertArrayEquals(new double[] {Math.tanh(0.7), Math.tanh(-2)}, new TanhDelta(f64(0.7, -2)).mode().toDoubleArray(), 1e-16);
    }

    @Test
    void tanhDeltaRejectsEmptyBounds() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TanhDelta(f64(0), 1, 1));
        assertTrue(e.getMessage().contains("high value has been found to be equal or less than low value"), e.getMessage());
    }
}
