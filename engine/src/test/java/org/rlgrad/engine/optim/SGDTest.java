package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

/**
 * SGD against torch's documented algorithm (the pseudo-code in {@code torch.optim.SGD}'s docstring)
 * worked coordinate by coordinate in plain doubles, for three steps of {@link Steps}, for every
 * option and several combinations.
 */
class SGDTest {
    /** torch's documented SGD, one coordinate at a time. */
    static double[][] reference(SGD.Options o) {
        double[] p = Steps.P0.clone(), b = new double[p.length];
        double[][] out = new double[Steps.GRADS.length][];
        for (int t = 0; t < Steps.GRADS.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = Steps.GRADS[t][i];
                if (o.maximize()) g = -g;
                g = g + o.weightDecay() * p[i];
                if (o.momentum() != 0) {
                    b[i] = t == 0 ? g : o.momentum() * b[i] + (1 - o.dampening()) * g;
                    g = o.nesterov() ? g + o.momentum() * b[i] : b[i];
                }
                p[i] = p[i] - o.lr() * g;
            }
            out[t] = p.clone();
        }
        return out;
    }

    private static void check(SGD.Options o) {
        double[][] expected = reference(o);
        double[][] got64 = Steps.run(DType.FLOAT64, ps -> new SGD(ps, o));
        double[][] got32 = Steps.run(DType.FLOAT32, ps -> new SGD(ps, o));
        for (int t = 0; t < expected.length; t++) {
            assertArrayEquals(expected[t], got64[t], 1e-15, o + " float64 step " + (t + 1));
            assertArrayEquals(expected[t], got32[t], 2e-6, o + " float32 step " + (t + 1));
        }
    }

    @Test
    void plainSgdIsPMinusLrG() {
        // Worked out: p1 = P0 - 0.1 g1 = [0.95, -1.9, 3, 0.3].
        double[][] got = Steps.run(DType.FLOAT64, ps -> new SGD(ps, 0.1));
        assertArrayEquals(new double[] {0.95, -1.9, 3, 0.3}, got[0], 1e-15);
        check(new SGD.Options(0.1));
    }

    @Test
    void everyOptionAgreesWithTheDocumentedAlgorithm() {
        SGD.Options base = new SGD.Options(0.1);
        check(base.withMomentum(0.9));
        check(base.withMomentum(0.9).withDampening(0.5));
        check(base.withMomentum(0.9).withNesterov(true));
        check(base.withWeightDecay(0.1));
        check(base.withMaximize(true));
        check(new SGD.Options(0.05, 0.8, 0, true, 0.2, true));
    }

    @Test
    void momentumStartsFromTheFirstGradientUndamped() {
        // torch's buffer at the first step is g itself, not (1 - τ) g: with τ = 0.5 the first step
        // equals plain SGD's.
        SGD.Options o = new SGD.Options(0.1).withMomentum(0.9).withDampening(0.5);
        double[][] got = Steps.run(DType.FLOAT64, ps -> new SGD(ps, o));
        assertArrayEquals(new double[] {0.95, -1.9, 3, 0.3}, got[0], 1e-15);
    }

    @Test
    void theMomentumBufferIsState() {
        Tensor p = Tensor.of(DType.FLOAT64, Steps.P0.clone(), 4).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), new SGD.Options(0.1).withMomentum(0.9));
        assertNull(sgd.state(p));
        p.setGrad(Tensor.of(DType.FLOAT64, Steps.GRADS[0], 4));
        sgd.step();
        assertArrayEquals(Steps.GRADS[0], sgd.state(p).get("momentum_buffer").toDoubleArray(), 0);
        assertEquals(1, sgd.state(p).step());
    }

    @Test
    void lrZeroLeavesEveryParameterUnchanged() {
        Property.forAll("SGD with lr 0 is the identity", 40, gen -> {
            int[] shape = gen.shape(0, 3);
            Tensor p = gen.uniform(shape, -3, 3).toDouble().requiresGrad(true);
            double[] before = p.toDoubleArray();
            SGD.Options o = new SGD.Options(0, gen.choose(0, 0.5, 0.9), 0, false, gen.choose(0, 0.1), gen.bool());
            gen.note("options", o);
            SGD sgd = new SGD(List.of(p), o);
            for (int t = 0; t < 3; t++) {
                p.setGrad(gen.uniform(shape, -5, 5).toDouble());
                sgd.step();
            }
            assertArrayEquals(before, p.toDoubleArray(), 0);
        });
    }

    @Test
    void badOptionsAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD.Options(-0.1)).getMessage().contains("learning rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD.Options(0.1).withMomentum(-1)).getMessage().contains("momentum"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD.Options(0.1).withWeightDecay(-1)).getMessage().contains("weight_decay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD.Options(0.1).withNesterov(true)).getMessage().contains("Nesterov"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD.Options(0.1, 0.9, 0.1, true, 0, false)).getMessage()
                .contains("zero dampening"));
    }
}
