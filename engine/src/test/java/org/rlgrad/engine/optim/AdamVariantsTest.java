package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Adam's options (L2 weight decay, AMSGrad, maximize, other betas and ε) and AdamW against the
 * algorithms in torch's docstrings of {@code torch.optim.Adam} and {@code torch.optim.AdamW},
 * worked coordinate by coordinate in plain doubles for three steps of {@link Steps}. (Adam's
 * defaults have their own hand-worked example in {@link AdamTest}.)
 */
class AdamVariantsTest {
    /** torch's documented Adam (decoupled = false) or AdamW (decoupled = true), one coordinate at a time. */
    static double[][] reference(Adam.Options o, boolean decoupled) {
        double[] p = Steps.P0.clone(), m = new double[p.length], v = new double[p.length], vMax = new double[p.length];
        double[][] out = new double[Steps.GRADS.length][];
        for (int t = 1; t <= Steps.GRADS.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = Steps.GRADS[t - 1][i];
                if (o.maximize()) g = -g;
                if (decoupled) p[i] = p[i] * (1 - o.lr() * o.weightDecay());
                else g = g + o.weightDecay() * p[i];
                m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g;
                v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(o.beta1(), t));
                vMax[i] = Math.max(vMax[i], v[i]);
                double vHat = (o.amsgrad() ? vMax[i] : v[i]) / (1 - Math.pow(o.beta2(), t));
                p[i] = p[i] - o.lr() * mHat / (Math.sqrt(vHat) + o.eps());
            }
            out[t - 1] = p.clone();
        }
        return out;
    }

    private static void check(Adam.Options o, boolean decoupled) {
        double[][] expected = reference(o, decoupled);
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double[][] got = Steps.run(dtype, ps -> decoupled ? new AdamW(ps, o) : new Adam(ps, o));
            for (int t = 0; t < expected.length; t++) {
                assertArrayEquals(expected[t], got[t], dtype == DType.FLOAT64 ? 1e-13 : 5e-6,
                        (decoupled ? "AdamW " : "Adam ") + o + " " + dtype + " step " + (t + 1));
            }
        }
    }

    @Test
    void adamsOptionsAgreeWithTheDocumentedAlgorithm() {
        Adam.Options base = new Adam.Options(0.1);
        check(base, false);
        check(base.withWeightDecay(0.1), false);
        check(base.withAmsgrad(true), false);
        check(base.withBetas(0.9, 0.9).withAmsgrad(true), false);
        check(base.withMaximize(true), false);
        check(new Adam.Options(0.05, 0.8, 0.99, 1e-3, 0.3, true, true), false);
    }

    @Test
    void adamWsOptionsAgreeWithTheDocumentedAlgorithm() {
        check(AdamW.defaults(0.1), true);
        check(AdamW.defaults(0.1).withWeightDecay(0.5).withAmsgrad(true), true);
        check(new Adam.Options(0.05, 0.8, 0.99, 1e-3, 0.5, false, true), true);
    }

    @Test
    void amsgradDiffersFromAdamOnceTheSecondMomentShrinks() {
        // With β2 = 0.9, step 2's gradients (a tenth of step 1's) make v fall, v2 = 0.09 g1² + 0.001 g1²
        // < v1 = 0.1 g1², and the maximum keeps v1: the variants part at step 2, not before (a check
        // that the data exercise AMSGrad; with β2 = 0.999, v would need |g2| < 0.03 |g1| to fall).
        Adam.Options o = new Adam.Options(0.1).withBetas(0.9, 0.9);
        double[][] adam = reference(o, false), ams = reference(o.withAmsgrad(true), false);
        assertArrayEquals(adam[0], ams[0], 0);
        assertFalse(java.util.Arrays.equals(adam[1], ams[1]));
    }

    @Test
    void adamWDecaysAParameterWhoseGradientIsZero() {
        // Coordinate 2's gradient is always 0: Adam leaves it at 3, AdamW shrinks it by (1 - lr λ) per step.
        double[][] got = Steps.run(DType.FLOAT64, ps -> new AdamW(ps, AdamW.defaults(0.1)));
        assertEquals(3 * Math.pow(1 - 0.1 * 0.01, 3), got[2][2], 1e-15);
        assertEquals(3, Steps.run(DType.FLOAT64, ps -> new Adam(ps, 0.1))[2][2], 0);
    }

    @Test
    void amsgradKeepsItsMaximumAsState() {
        Tensor p = Tensor.of(DType.FLOAT64, Steps.P0.clone(), 4).requiresGrad(true);
        Adam adam = new Adam(List.of(p), new Adam.Options(0.1).withAmsgrad(true));
        Adam plain = new Adam(List.of(Tensor.of(DType.FLOAT64, Steps.P0.clone(), 4).requiresGrad(true)), 0.1);
        p.setGrad(Tensor.of(DType.FLOAT64, Steps.GRADS[0], 4));
        adam.step();
        assertNotNull(adam.state(p).get("max_exp_avg_sq"));
        plain.params().get(0).setGrad(Tensor.of(DType.FLOAT64, Steps.GRADS[0], 4));
        plain.step();
        assertNull(plain.state(plain.params().get(0)).get("max_exp_avg_sq"), "no maximum without AMSGrad");
    }
}
