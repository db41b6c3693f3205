package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.CategoricalTest.entropyOf;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** MaskedCategorical and MaskedOneHotCategorical: masks, sparse indices, neg_inf, and DECISIONS rule 2. */
class MaskedCategoricalTest {
    static Tensor mask(boolean... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void maskedActionsScoreNegInfAndTheRestRenormalise() {
        // Valid logits ln 1, ln 3 -> 1/4, 3/4.
        MaskedCategorical d = MaskedCategorical.builder().logits(f64(new double[] {0, 5, Math.log(3)}, 3)).mask(mask(true, false, true)).build();
        assertArrayEquals(new double[] {0.25, 0, 0.75}, d.probs().toDoubleArray(), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, d.logProb(Tensor.of(new long[] {1}, 1)).item());
        assertEquals(Math.log(0.75), d.logProb(Tensor.of(new long[] {2}, 1)).item(), 1e-15);
        assertEquals(entropyOf(0.25, 0.75), d.entropy().item(), 1e-15);
        assertEquals(2, d.mode().longItem());
    }

    @Test
    void aFiniteNegInfGivesAFiniteScore() {
        MaskedCategorical d = MaskedCategorical.builder().logits(f64(new double[] {0, 0}, 2)).mask(mask(true, false)).negInf(-1e9).build();
        assertEquals(-1e9, d.logProb(Tensor.of(new long[] {1}, 1)).item(), 1e-6);
        assertEquals(0, d.entropy().item(), 1e-15);
    }

    @Test
    void maskedActionsAreNeverDrawn() {
        Tensor logits = f64(new double[] {3, 0, 0, 0, -2, 0, 0, 0}, 2, 4);
        Tensor m = Tensor.of(new boolean[] {false, true, true, false, true, false, false, true}, 2, 4);
        MaskedCategorical d = MaskedCategorical.builder().logits(logits).mask(m).build();
        long[] draws = d.sample(new Generator(21), 50_000).toLongArray();
        int[][] counts = new int[2][4];
        for (int i = 0; i < draws.length; i++) counts[i % 2][(int) draws[i]]++;
        assertEquals(0, counts[0][0] + counts[0][3] + counts[1][1] + counts[1][2], "masked actions drawn");
        // Row 0: two equal valid logits; row 1: e^-2 against e^0.
        double n = 50_000;
        assertEquals(0.5, counts[0][1] / n, 5 * Math.sqrt(0.25 / n));
        double p = Math.exp(-2) / (Math.exp(-2) + 1);
        assertEquals(p, counts[1][0] / n, 5 * Math.sqrt(p * (1 - p) / n));
    }

    @Test
    void builtFromProbabilitiesTheGradientAtMaskedEntriesIsZeroNotNaN() {
        // DECISIONS rule 2: TorchRL takes ln 0 there and returns NaN.
        Tensor probs = f64(new double[] {0.2, 0.5, 0.3}, 3).requiresGrad(true);
        MaskedCategorical d = MaskedCategorical.builder().probs(probs).mask(mask(true, false, true)).build();
        assertArrayEquals(new double[] {0.4, 0, 0.6}, d.probs().toDoubleArray(), 1e-15);
        Tensor loss = d.logProb(Tensor.of(new long[] {2}, 1)).sum().add(d.entropy());
        double[] g = Autograd.grad(List.of(loss), List.of(probs), null, false, false, false).get(0).toDoubleArray();
        assertEquals(0, g[1]);
        for (double v : g) assertTrue(Double.isFinite(v));
        // ln(0.3 / 0.5) differentiated: d/dp0 = −1/0.5, d/dp2 = 1/0.3 − 1/0.5; the entropy adds its own terms, checked numerically.
        GradientCheck.of("MaskedCategorical(probs)", xs -> {
            MaskedCategorical m = MaskedCategorical.builder().probs(xs.get(0)).mask(mask(true, false, true)).build();
            return m.logProb(Tensor.of(new long[] {2}, 1)).add(m.entropy());
        }).at(f64(new double[] {0.2, 0.5, 0.3}, 3)).allowZeroGradient().check();
    }

    @Test
    void logitGradientsMatchFiniteDifferences() {
        Tensor m = Tensor.of(new boolean[] {true, false, true, true, true, true}, 2, 3);
        GradientCheck.of("MaskedCategorical(logits)", xs -> {
            MaskedCategorical d = MaskedCategorical.builder().logits(xs.get(0)).mask(m).build();
            return d.logProb(Tensor.of(new long[] {2, 1}, 2)).add(d.entropy());
        }).at(f64(new double[] {0.3, 0.1, -0.7, 1.2, 0.4, -0.2}, 2, 3)).check();
    }

    @Test
    void sparseIndicesMapBackToTheOriginalActions() {
        // Six actions, valid ones 1, 4, 5 with logits ln 1, ln 2, ln 1 -> 1/4, 1/2, 1/4.
        Tensor logits = f64(new double[] {9, 0, 9, 9, Math.log(2), 0}, 6);
        MaskedCategorical d = MaskedCategorical.builder().logits(logits).indices(Tensor.of(new long[] {1, 4, 5}, 3)).build();
        assertArrayEquals(new double[] {0.25, 0.5, 0.25}, d.probs().toDoubleArray(), 1e-15);
        assertEquals(4, d.mode().longItem());
        assertEquals(Math.log(0.5), d.logProb(Tensor.of(new long[] {4}, 1)).item(), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, d.logProb(Tensor.of(new long[] {0}, 1)).item(), "an action not in the list");
        long[] draws = d.sample(new Generator(2), 2000).toLongArray();
        for (long a : draws) assertTrue(a == 1 || a == 4 || a == 5, "drew " + a);
        MaskedOneHotCategorical oneHot = MaskedCategorical.builder().logits(logits).indices(Tensor.of(new long[] {1, 4, 5}, 3)).buildOneHot();
        assertArrayEquals(new double[] {0, 0.25, 0, 0, 0.5, 0.25}, oneHot.probs().toDoubleArray(), 1e-15);
        assertArrayEquals(new long[] {0, 0, 0, 0, 1, 0}, oneHot.mode().toLongArray());
    }

    @Test
    void paddedIndicesAreInvalid() {
        Tensor logits = f64(new double[] {0, 0, 0, 0}, 4);
        MaskedCategorical d = MaskedCategorical.builder().logits(logits).indices(Tensor.of(new long[] {2, 3, -1}, 3)).paddingValue(-1).build();
        assertArrayEquals(new double[] {0.5, 0.5, 0}, d.probs().toDoubleArray(), 1e-15);
        assertEquals(Math.log(2), d.entropy().item(), 1e-15);
        // Padding next to a real action 0: the one-hot probabilities keep action 0's mass.
        MaskedOneHotCategorical oneHot = MaskedCategorical.builder().logits(f64(new double[] {Math.log(3), 0, 9, 0}, 4))
                .indices(Tensor.of(new long[] {0, 1, -1}, 3)).paddingValue(-1).buildOneHot();
        assertArrayEquals(new double[] {0.75, 0.25, 0, 0}, oneHot.probs().toDoubleArray(), 1e-15);
    }

    @Test
    void oneHotVariantScoresArgmaxAndDrawsOverTheFullSpace() {
        MaskedOneHotCategorical d = MaskedCategorical.builder().logits(f64(new double[] {0, 5, Math.log(3)}, 3)).mask(mask(true, false, true)).buildOneHot();
        assertEquals(Math.log(0.75), d.logProb(Tensor.of(new long[] {0, 0, 1}, 3)).item(), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, d.logProb(Tensor.of(new long[] {0, 1, 0}, 3)).item());
        Tensor x = d.sample(new Generator(4), 100);
        assertArrayEquals(new int[] {100, 3}, x.shape());
        long[] v = x.toLongArray();
        for (int i = 0; i < 100; i++) assertEquals(0, v[3 * i + 1], "masked action drawn");
        assertArrayEquals(new long[] {0, 0, 1}, d.mode().toLongArray());
    }

    @Test
    void errorsNameTheProblem() {
        Tensor logits = f64(new double[] {0, 0, 0}, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskedCategorical.builder().logits(logits).mask(mask(true, true, true)).indices(Tensor.of(new long[] {0}, 1)).build());
        assertTrue(e.getMessage().contains("a mask or some indices must be provided, but not both (got both)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskedCategorical.builder().logits(logits).build());
        assertTrue(e.getMessage().contains("(got neither)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskedCategorical.builder().logits(logits).mask(mask(true, false)).build());
        assertTrue(e.getMessage().contains("mask of shape [2] does not match the parameters of shape [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskedCategorical.builder().logits(logits).mask(mask(false, false, false)).build());
        assertTrue(e.getMessage().contains("at least one valid action"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskedCategorical.builder().logits(logits).indices(Tensor.of(new long[] {0, 3}, 2)).build());
        assertTrue(e.getMessage().contains("indices must lie in [0, 3), got 3"), e.getMessage());
    }
}
