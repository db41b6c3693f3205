package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.distributions.OneHotCategorical.Convention;
import org.rlgrad.engine.distributions.OneHotCategorical.GradientMethod;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** The one-hot categorical in PyTorch's and TorchRL's conventions. */
class OneHotCategoricalTest {
    @Test
    void logProbReadsTheFirstMaximumOfTheOneHotValue() {
        OneHotCategorical d = OneHotCategorical.fromProbs(f64(new double[] {0.2, 0.3, 0.5}, 3));
        assertEquals(Math.log(0.3), d.logProb(Tensor.of(new long[] {0, 1, 0}, 3)).item(), 1e-15);
        assertEquals(Math.log(0.2), d.logProb(Tensor.of(new long[] {1, 0, 1}, 3)).item(), 1e-15);
    }

    @Test
    void torchRlSqueezesATrailingSizeOneParameter() {
        // [3, 1] logits ln 1, ln 2, ln 5: one categorical over three outcomes, probabilities 1/8, 2/8, 5/8.
        OneHotCategorical d = OneHotCategorical.fromLogits(f64(new double[] {0, Math.log(2), Math.log(5)}, 3, 1));
        assertArrayEquals(new int[0], d.batchShape());
        assertArrayEquals(new double[] {0.125, 0.25, 0.625}, d.probs().toDoubleArray(), 1e-15);
        assertArrayEquals(new long[] {0, 0, 1}, d.mode().toLongArray());
        // PyTorch's convention keeps three categoricals of one outcome each.
        OneHotCategorical t = OneHotCategorical.fromLogits(f64(new double[] {0, 1, 2}, 3, 1), Convention.TORCH, GradientMethod.PASS_THROUGH);
        assertArrayEquals(new int[] {3}, t.batchShape());
        assertArrayEquals(new int[] {1}, t.eventShape());
    }

    @Test
    void torchRlModeMarksEveryTiedMaximumWhileTorchsMarksTheFirst() {
        Tensor logits = f64(new double[] {1, 3, 3, 0}, 4);
        assertArrayEquals(new long[] {0, 1, 1, 0}, OneHotCategorical.fromLogits(logits).mode().toLongArray());
        Tensor torchMode = OneHotCategorical.fromLogits(logits, Convention.TORCH, GradientMethod.PASS_THROUGH).mode();
        assertEquals(DType.FLOAT64, torchMode.dtype());
        assertArrayEquals(new double[] {0, 1, 0, 0}, torchMode.toDoubleArray());
        assertArrayEquals(new long[] {0, 1, 1, 0}, OneHotCategorical.fromLogits(logits).deterministicSample().toLongArray());
    }

    @Test
    void drawsAreOneHotOfTheRightType() {
        Tensor probs = f64(new double[] {0.5, 0.5, 0, 1}, 2, 2);
        Tensor rl = OneHotCategorical.fromProbs(probs).sample(new Generator(3), 5);
        assertEquals(DType.INT64, rl.dtype());
        assertArrayEquals(new int[] {5, 2, 2}, rl.shape());
        long[] v = rl.toLongArray();
        for (int i = 0; i < 10; i++) assertEquals(1, v[2 * i] + v[2 * i + 1], "one-hot row " + i);
        for (int i = 0; i < 5; i++) assertEquals(1, v[4 * i + 3], "the second row has all its mass on category 1");
        Tensor torch = OneHotCategorical.fromProbs(probs, Convention.TORCH, GradientMethod.PASS_THROUGH).sample(new Generator(3), 5);
        assertEquals(DType.FLOAT64, torch.dtype());
        assertArrayEquals(rl.toDoubleArray(), torch.toDoubleArray(), "the same uniforms give the same draws");
    }

    @Test
    void passThroughRsampleHasTheOneHotValueAndTheGradientOfTheProbabilities() {
        Tensor logits = f64(new double[] {0.2, -0.4, 1.1}, 3).requiresGrad(true);
        OneHotCategorical d = OneHotCategorical.fromLogits(logits);
        Tensor x = d.rsample(new Generator(5));
        Tensor hard = d.sample(new Generator(5));
        assertArrayEquals(hard.toDoubleArray(), x.toDoubleArray(), 1e-15);
        Tensor w = f64(new double[] {1, -2, 0.5}, 3);
        Tensor g = Autograd.grad(List.of(x.mul(w).sum()), List.of(logits), null, false, false, false).get(0);
        Tensor logits2 = f64(new double[] {0.2, -0.4, 1.1}, 3).requiresGrad(true);
        Tensor expected = Autograd.grad(List.of(logits2.softmax(-1).mul(w).sum()), List.of(logits2), null, false, false, false).get(0);
        assertArrayEquals(expected.toDoubleArray(), g.toDoubleArray(), 1e-15);
        assertFalse(d.hasRsample(), "TorchRL reports no rsample although it has one");
    }

    @Test
    void relaxedRsampleIsHardValuedWithARelaxedGradient() {
        Tensor logits = f64(new double[] {0.2, -0.4, 1.1, 0.0}, 4).requiresGrad(true);
        OneHotCategorical d = OneHotCategorical.fromLogits(logits, Convention.TORCHRL, GradientMethod.RELAXED_ONE_HOT);
        Tensor x = d.rsample(new Generator(9), 2);
        double[] v = x.toDoubleArray();
        for (int r = 0; r < 2; r++) {
            double s = 0;
            for (int k = 0; k < 4; k++) {
                assertEquals(0, v[4 * r + k] * (1 - v[4 * r + k]), 1e-12, "hard values");
                s += v[4 * r + k];
            }
            assertEquals(1, s, 1e-12);
        }
        Tensor g = Autograd.grad(List.of(x.mul(f64(new double[] {1, 2, 3, 4}, 4)).sum()), List.of(logits), null, false, false, false).get(0);
        double norm = 0;
        for (double e : g.toDoubleArray()) norm += Math.abs(e);
        assertFalse(norm == 0, "the relaxed draw carries a gradient");
    }

    @Test
    void meanAndRsampleFollowTheConvention() {
        Tensor probs = f64(new double[] {0.25, 0.75}, 2);
        assertThrows(UnsupportedOperationException.class, () -> OneHotCategorical.fromProbs(probs).mean());
        OneHotCategorical t = OneHotCategorical.fromProbs(probs, Convention.TORCH, GradientMethod.PASS_THROUGH);
        assertArrayEquals(new double[] {0.25, 0.75}, t.mean().toDoubleArray(), 1e-16);
        assertThrows(UnsupportedOperationException.class, () -> t.rsample(new Generator(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.logProb(Tensor.of(new long[] {0, 1, 0}, 3)));
        assertEquals("OneHotCategorical: a one-hot value must have a last dim of 2 categories, got shape [3]", e.getMessage());
    }
}
