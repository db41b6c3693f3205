package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * RMSprop against the algorithm in {@code torch.optim.RMSprop}'s docstring, worked coordinate by
 * coordinate in plain doubles for three steps of {@link Steps}.
 */
class RMSpropTest {
    static double[][] reference(RMSprop.Options o) {
        double[] p = Steps.P0.clone(), s = new double[p.length], gAvg = new double[p.length], b = new double[p.length];
        double[][] out = new double[Steps.GRADS.length][];
        for (int t = 0; t < Steps.GRADS.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = Steps.GRADS[t][i];
                if (o.maximize()) g = -g;
                g = g + o.weightDecay() * p[i];
                s[i] = o.alpha() * s[i] + (1 - o.alpha()) * g * g;
                double vTilde = s[i];
                if (o.centered()) {
                    gAvg[i] = o.alpha() * gAvg[i] + (1 - o.alpha()) * g;
                    vTilde = vTilde - gAvg[i] * gAvg[i];
                }
                if (o.momentum() > 0) {
                    b[i] = o.momentum() * b[i] + g / (Math.sqrt(vTilde) + o.eps());
                    p[i] = p[i] - o.lr() * b[i];
                } else {
                    p[i] = p[i] - o.lr() * g / (Math.sqrt(vTilde) + o.eps());
                }
            }
            out[t] = p.clone();
        }
        return out;
    }

    private static void check(RMSprop.Options o) {
        double[][] expected = reference(o);
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double[][] got = Steps.run(dtype, ps -> new RMSprop(ps, o));
            for (int t = 0; t < expected.length; t++) {
                assertArrayEquals(expected[t], got[t], dtype == DType.FLOAT64 ? 1e-13 : 5e-6, o + " " + dtype + " step " + (t + 1));
            }
        }
    }

    @Test
    void theFirstStepIsLrTimesGOverItsRootMeanSquare() {
        // s1 = (1 - α) g² = 0.01 g², so p1 = P0 - lr g / (0.1 |g| + ε) ≈ P0 - 0.1 sign(g) for lr 0.01.
        double[][] got = Steps.run(DType.FLOAT64, ps -> new RMSprop(ps, 0.01));
        for (int i = 0; i < 4; i++) {
            double g = Steps.GRADS[0][i];
            assertEquals(Steps.P0[i] - 0.01 * g / (Math.sqrt(0.01 * g * g) + 1e-8), got[0][i], 1e-15);
        }
        assertEquals(0.9, got[0][0], 1e-7);
    }

    @Test
    void everyOptionAgreesWithTheDocumentedAlgorithm() {
        RMSprop.Options base = new RMSprop.Options();
        check(base);
        check(base.withCentered(true));
        check(base.withMomentum(0.9));
        check(base.withAlpha(0.9).withEps(1e-3));
        check(base.withWeightDecay(0.1).withMaximize(true));
        check(new RMSprop.Options(0.02, 0.8, 1e-4, 0.1, 0.5, true, true));
    }

    @Test
    void stateHoldsTheBuffersTheOptionsNeed() {
        Tensor p = Tensor.of(DType.FLOAT64, Steps.P0.clone(), 4).requiresGrad(true);
        RMSprop rms = new RMSprop(List.of(p), new RMSprop.Options().withCentered(true).withMomentum(0.5));
        p.setGrad(Tensor.of(DType.FLOAT64, Steps.GRADS[0], 4));
        rms.step();
        assertEquals(List.of("square_avg", "momentum_buffer", "grad_avg"), List.copyOf(rms.state(p).buffers().keySet()));
    }

    @Test
    void badOptionsAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RMSprop.Options().withAlpha(-0.1)).getMessage().contains("alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RMSprop.Options().withEps(-1)).getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RMSprop.Options().withMomentum(-1)).getMessage().contains("momentum"));
    }
}
