package org.rlgrad.engine.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.CpuTuning;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The generator's contract: a seed fixes the numbers whatever the thread count, draws follow
 * one another along the stream, folded and split generators are independent, and each kind of
 * draw has the distribution it claims (checked by moments and frequencies over 10^5 draws with
 * bounds of five standard errors; the seed is fixed, so a pass is reproducible).
 */
class GeneratorTest {
    private static final int N = 100_000;

    @Test
    void aSeedGivesTheSameNumbersAtEveryThreadCount() {
        int before = CpuTuning.threads();
        try {
            CpuTuning.setThreads(1);
            double[] one = new Generator(7).normal(new int[] {300_000}, DType.FLOAT32).toDoubleArray();
            double[] oneDouble = new Generator(7).uniform(new int[] {300_001}, DType.FLOAT64).toDoubleArray();
            CpuTuning.setThreads(2);
            assertArrayEquals(one, new Generator(7).normal(new int[] {300_000}, DType.FLOAT32).toDoubleArray());
            assertArrayEquals(oneDouble, new Generator(7).uniform(new int[] {300_001}, DType.FLOAT64).toDoubleArray());
        } finally {
            CpuTuning.setThreads(before);
        }
    }

    @Test
    void consecutiveDrawsContinueTheStream() {
        Generator a = new Generator(3), b = new Generator(3);
        double[] whole = a.uniform(new int[] {16}, DType.FLOAT32).toDoubleArray();
        double[] first = b.uniform(new int[] {8}, DType.FLOAT32).toDoubleArray();
        double[] second = b.uniform(new int[] {2, 4}, DType.FLOAT32).toDoubleArray();
        assertArrayEquals(Arrays.copyOfRange(whole, 0, 8), first);
        assertArrayEquals(Arrays.copyOfRange(whole, 8, 16), second);
        assertEquals(4, a.offset());
        // A draw that ends inside a block leaves the rest of it unused.
        Generator c = new Generator(3);
        c.uniform(new int[] {5}, DType.FLOAT32);
        assertEquals(2, c.offset());
        assertArrayEquals(Arrays.copyOfRange(whole, 8, 11), c.uniform(new int[] {3}, DType.FLOAT32).toDoubleArray());
    }

    @Test
    void differentSeedsFoldsAndSplitsGiveDifferentNumbers() {
        Generator g = new Generator(11);
        double[] base = new Generator(11).uniform(new int[] {8}, DType.FLOAT64).toDoubleArray();
        double[] f0 = g.fold(0).uniform(new int[] {8}, DType.FLOAT64).toDoubleArray();
        double[] f0again = g.fold(0).uniform(new int[] {8}, DType.FLOAT64).toDoubleArray();
        double[] f1 = g.fold(1).uniform(new int[] {8}, DType.FLOAT64).toDoubleArray();
        assertEquals(0, g.offset(), "fold must not advance the generator");
        assertArrayEquals(f0, f0again);
        assertFalse(Arrays.equals(f0, f1));
        assertFalse(Arrays.equals(base, f0));
        assertFalse(Arrays.equals(base, new Generator(12).uniform(new int[] {8}, DType.FLOAT64).toDoubleArray()));
        Generator s1 = g.split(), s2 = g.split();
        assertEquals(2, g.offset());
        assertFalse(Arrays.equals(s1.uniform(new int[] {8}, DType.FLOAT64).toDoubleArray(), s2.uniform(new int[] {8}, DType.FLOAT64).toDoubleArray()));
    }

    @Test
    void uniformHasTheMomentsOfU01() {
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            double[] u = new Generator(1).uniform(new int[] {N}, dtype).toDoubleArray();
            for (double v : u) assertTrue(v >= 0 && v < 1, "uniform out of [0, 1): " + v);
            assertMoment(mean(u), 0.5, Math.sqrt(1 / 12.0 / N), "mean of U(0, 1) " + dtype);
            assertMoment(variance(u), 1 / 12.0, Math.sqrt(1 / 180.0 / N), "variance of U(0, 1) " + dtype);
        }
        double[] shifted = new Generator(1).uniform(new int[] {N}, -2, 3, DType.FLOAT64).toDoubleArray();
        for (double v : shifted) assertTrue(v >= -2 && v < 3);
        assertMoment(mean(shifted), 0.5, Math.sqrt(25 / 12.0 / N), "mean of U(-2, 3)");
    }

    @Test
    void normalHasTheMomentsOfAStandardNormal() {
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            double[] z = new Generator(2).normal(new int[] {N}, dtype).toDoubleArray();
            assertMoment(mean(z), 0, Math.sqrt(1.0 / N), "mean " + dtype);
            assertMoment(variance(z), 1, Math.sqrt(2.0 / N), "variance " + dtype);
            double fourth = Arrays.stream(z).map(v -> v * v * v * v).average().orElseThrow();
            assertMoment(fourth, 3, Math.sqrt(96.0 / N), "fourth moment " + dtype);
            long inside = Arrays.stream(z).filter(v -> Math.abs(v) < 1).count();
            assertMoment(inside / (double) N, 0.6826894921370859, Math.sqrt(0.2166 / N), "P(|z| < 1) " + dtype);
        }
        Tensor scaled = new Generator(2).normal(Tensor.full(new int[] {N}, 3, DType.FLOAT64), Tensor.scalar(0.5, DType.FLOAT64));
        assertMoment(mean(scaled.toDoubleArray()), 3, 0.5 * Math.sqrt(1.0 / N), "mean of N(3, 0.5)");
    }

    @Test
    void bernoulliRandintAndRandpermHaveTheirDistributions() {
        Generator g = new Generator(5);
        double[] b = g.bernoulli(Tensor.full(new int[] {N}, 0.3, DType.FLOAT64)).toDoubleArray();
        for (double v : b) assertTrue(v == 0 || v == 1);
        assertMoment(mean(b), 0.3, Math.sqrt(0.21 / N), "bernoulli(0.3) frequency");

        long[] r = g.randint(-3, 4, N).toLongArray();
        long[] counts = new long[7];
        for (long v : r) {
            assertTrue(v >= -3 && v < 4, "randint out of range: " + v);
            counts[(int) (v + 3)]++;
        }
        for (long c : counts) assertMoment(c / (double) N, 1 / 7.0, Math.sqrt((1 / 7.0) * (6 / 7.0) / N), "randint frequency");

        long[] perm = g.randperm(1000).toLongArray();
        long[] sorted = perm.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) assertEquals(i, sorted[i]);
        assertFalse(Arrays.equals(perm, sorted));
        assertEquals(0, g.randperm(0).numel());
    }

    @Test
    void multinomialDrawsInProportionToTheWeights() {
        Generator g = new Generator(9);
        Tensor weights = Tensor.of(DType.FLOAT64, new double[] {1, 0, 3, 6, 2, 2, 2, 2}, 2, 4); // rows sum to 10 and 8
        Tensor draws = g.multinomial(weights, N, true);
        assertArrayEquals(new int[] {2, N}, draws.shape());
        long[] d = draws.toLongArray();
        double[][] expected = {{0.1, 0, 0.3, 0.6}, {0.25, 0.25, 0.25, 0.25}};
        for (int row = 0; row < 2; row++) {
            long[] counts = new long[4];
            for (int i = 0; i < N; i++) counts[(int) d[row * N + i]]++;
            for (int k = 0; k < 4; k++) {
                double p = expected[row][k];
                assertMoment(counts[k] / (double) N, p, Math.max(1e-9, Math.sqrt(p * (1 - p) / N)), "row " + row + " category " + k);
            }
        }
        long[] without = g.multinomial(weights, 3, false).toLongArray();
        assertEquals(3, Arrays.stream(without, 0, 3).distinct().count());
        assertTrue(Arrays.stream(without, 0, 3).noneMatch(v -> v == 1), "a zero-weight category was drawn");
        assertArrayEquals(new int[] {2}, g.categorical(weights).shape());
        assertThrows(IllegalArgumentException.class, () -> g.multinomial(weights, 5, false));
        assertThrows(IllegalArgumentException.class, () -> g.multinomial(Tensor.vector(1, -1), 1, true));
        assertThrows(IllegalArgumentException.class, () -> g.multinomial(Tensor.vector(0, 0), 1, true));
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        Generator g = new Generator(0);
        var e = assertThrows(IllegalArgumentException.class, () -> g.uniform(new int[] {2}, DType.INT64));
        assertTrue(e.getMessage().contains("int64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.randint(3, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> g.uniform(new int[] {2}, 1, 0, DType.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> g.normal(new int[] {-1}, DType.FLOAT32));
    }

    @Test
    void theGlobalGeneratorIsReseeded() {
        Generator.manualSeed(42);
        double[] a = Generator.global().uniform(new int[] {4}, DType.FLOAT32).toDoubleArray();
        Generator.manualSeed(42);
        assertArrayEquals(a, Generator.global().uniform(new int[] {4}, DType.FLOAT32).toDoubleArray());
    }

    private static void assertMoment(double actual, double expected, double standardError, String what) {
        assertEquals(expected, actual, 5 * standardError, what);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private static double variance(double[] v) {
        double m = mean(v);
        return Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
    }
}
