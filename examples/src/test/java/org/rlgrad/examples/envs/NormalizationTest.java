package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** RunningMeanStd, ObservationNormalizer and RewardScaler against statistics computed independently, and against Gymnasium's wrappers. */
class NormalizationTest {

    /** Rows with a different location and scale per coordinate. */
    private static double[][] data(Random rng, int rows) {
        double[][] out = new double[rows][];
        for (int r = 0; r < rows; r++) out[r] = new double[] {3 + 0.5 * rng.nextGaussian(), -20 + 7 * rng.nextGaussian(), rng.nextDouble() * 1e-3};
        return out;
    }

    private static double[] flat(List<double[]> rows) {
        int dim = rows.getFirst().length;
        double[] out = new double[rows.size() * dim];
        for (int r = 0; r < rows.size(); r++) System.arraycopy(rows.get(r), 0, out, r * dim, dim);
        return out;
    }

    /** Two-pass mean and population variance of everything seen, with an optional prior (mean 0, variance 1, weight c) pooled in. */
    private static double[][] twoPass(List<double[]> rows, double priorCount) {
        int dim = rows.getFirst().length;
        double[] mean = new double[dim], var = new double[dim];
        double total = rows.size() + priorCount;
        for (double[] r : rows) for (int j = 0; j < dim; j++) mean[j] += r[j];
        for (int j = 0; j < dim; j++) mean[j] /= total;
        for (double[] r : rows) for (int j = 0; j < dim; j++) var[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
        for (int j = 0; j < dim; j++) var[j] = (var[j] + priorCount * (1 + mean[j] * mean[j])) / total;
        return new double[][] {mean, var};
    }

    private static void assertRelative(double[] want, double[] got, double rel, String what) {
        assertEquals(want.length, got.length, what);
        for (int j = 0; j < want.length; j++) {
            if (!(Math.abs(want[j] - got[j]) <= rel * Math.abs(want[j]) + 1e-300)) fail(what + "[" + j + "]: want " + want[j] + ", got " + got[j]);
        }
    }

    @Test
    void batchesOfAnySizeGiveTheStatisticsOfAllTheData() {
        for (double prior : new double[] {0, RunningMeanStd.GYMNASIUM_PRIOR_COUNT, 3}) {
            Random rng = new Random(7);
            RunningMeanStd stats = new RunningMeanStd(3, prior);
            List<double[]> seen = new ArrayList<>();
            for (int b = 0; b < 40; b++) {
                List<double[]> batch = List.of(data(rng, 1 + rng.nextInt(9)));
                stats.update(flat(batch), batch.size());
                seen.addAll(batch);
                double[][] want = twoPass(seen, prior);
                assertRelative(want[0], stats.mean(), 1e-11, "mean, prior " + prior + ", batch " + b);
                assertRelative(want[1], stats.variance(), 1e-11, "variance, prior " + prior + ", batch " + b);
                assertEquals(seen.size() + prior, stats.count(), 1e-12);
            }
        }
    }

    @Test
    void shapesAreChecked() {
        RunningMeanStd stats = new RunningMeanStd(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stats.update(new double[5], 2));
        assertTrue(e.getMessage().contains("2 rows of 3") && e.getMessage().contains("got 5"), e.getMessage());
        ObservationNormalizer norm = new ObservationNormalizer(3);
        e = assertThrows(IllegalArgumentException.class, () -> norm.update(Tensor.zeros(4, 2)));
        assertTrue(e.getMessage().contains("[..., 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        RewardScaler scaler = new RewardScaler(2, 0.9);
        e = assertThrows(IllegalArgumentException.class, () -> scaler.scale(new double[3], new boolean[3]));
        assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
    }

    @Test
    void observationsAreStandardisedClippedAndFrozenStatisticsStayPut() {
        Random rng = new Random(11);
        ObservationNormalizer norm = new ObservationNormalizer(3, 0.5, 1e-8, 0);
        List<double[]> seen = new ArrayList<>();
        double[] last = null, lastOut = null;
        for (int t = 0; t < 50; t++) {
            last = data(rng, 1)[0];
            seen.add(last);
            lastOut = norm.observe(last);
        }
        double[][] want = twoPass(seen, 0);
        boolean clipped = false;
        for (int j = 0; j < 3; j++) {
            double z = (last[j] - want[0][j]) / Math.sqrt(want[1][j] + 1e-8);
            clipped |= Math.abs(z) > 0.5;
            assertEquals(Math.max(-0.5, Math.min(0.5, z)), lastOut[j], 1e-9);
        }
        double[] far = {100, 100, 100};
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, norm.normalize(far), 0.0, "clipped into [-0.5, 0.5]");

        norm.freeze();
        double[] mean = norm.statistics().mean();
        double[] once = norm.observe(far);
        norm.update(Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertArrayEquals(mean, norm.statistics().mean(), 0.0, "frozen: nothing is counted");
        assertArrayEquals(once, norm.observe(far), 0.0);
        norm.unfreeze();
        norm.observe(far);
        assertNotEquals(mean[0], norm.statistics().mean()[0]);
        assertTrue(clipped, "the data puts at least one coordinate of the last observation beyond the clip");
    }

    @Test
    void onTensorDictsRootsAreCountedAndNextObservationsOnlyNormalised() {
        VectorEnv env = VectorEnv.of(CartPole.ID, 3, 5);
        ObservationNormalizer norm = new ObservationNormalizer(4, 10, 1e-8, 0);
        TensorDict root = env.reset();
        double[] raw = root.get("observation").toDoubleArray();
        norm.observe(root);
        assertEquals(DType.FLOAT32, root.get("observation").dtype());
        assertArrayEquals(new int[] {3, 4}, root.get("observation").shapeRef());
        assertEquals(3, norm.statistics().count(), 0.0);
        double[][] want = twoPass(List.of(java.util.Arrays.copyOfRange(raw, 0, 4), java.util.Arrays.copyOfRange(raw, 4, 8), java.util.Arrays.copyOfRange(raw, 8, 12)), 0);
        double[] got = root.get("observation").toDoubleArray();
        for (int i = 0; i < 12; i++) assertEquals((float) ((raw[i] - want[0][i % 4]) / Math.sqrt(want[1][i % 4] + 1e-8)), got[i], 1e-6, "entry " + i);

        root.set("action", Tensor.of(new long[] {0, 1, 1}, 3));
        TensorDict step = env.step(root);
        double[] nextRaw = step.get(Key.of("next", "observation")).toDoubleArray();
        norm.normalize(step, Key.of("next", "observation"));
        assertEquals(3, norm.statistics().count(), 0.0, "next/observation is not counted");
        assertArrayEquals(norm.normalize(nextRaw), step.get(Key.of("next", "observation")).toDoubleArray(), 1e-6);
    }

    /**
     * Gymnasium's NormalizeObservation over the acrobot_pump trajectory (its reset observation first). Gymnasium keeps the
     * statistics in the observation space's dtype, float32 for Acrobot, so its own output carries float32 rounding from the
     * statistics; the reference run with Gymnasium's RunningMeanStd in float64 (the wrapper's code unchanged) is matched to
     * one float32 ulp of its float32 output, the default float32 run within 1e-4 (its first step, where x − μ cancels to
     * 1e-4·x, is off by about 1e-3 relative in float32; a population-vs-sample variance or a missing prior would be off by
     * far more).
     */
    @Test
    void matchesGymnasiumNormalizeObservation() {
        for (String statistics : List.of("float64", "float32")) {
            GymnasiumTrajectories.Normalization rec = GymnasiumTrajectories.normalization("NormalizeObservation", statistics);
            List<Object> inputs = rec.list("inputs"), values = rec.list("values");
            assertTrue(inputs.size() > 50);
            ObservationNormalizer norm = new ObservationNormalizer(6, Double.POSITIVE_INFINITY, rec.number("epsilon"), RunningMeanStd.GYMNASIUM_PRIOR_COUNT);
            for (int t = 0; t < inputs.size(); t++) {
                double[] got = norm.observe(GymnasiumTrajectories.doubles((List<?>) inputs.get(t)));
                double[] want = GymnasiumTrajectories.doubles((List<?>) values.get(t));
                for (int j = 0; j < 6; j++) {
                    float ours = (float) got[j], theirs = (float) want[j];
                    double tol = statistics.equals("float64") ? Math.ulp(theirs) : 1e-4;
                    if (Math.abs(ours - theirs) > tol) fail(statistics + " statistics, step " + t + " [" + j + "]: Gymnasium " + theirs + ", ours " + ours);
                }
            }
        }
    }

    /** Gymnasium's NormalizeReward (γ = 0.99) over mountain_car_goal: small penalties, then +100 on the terminating step. */
    @Test
    void matchesGymnasiumNormalizeReward() {
        GymnasiumTrajectories.Normalization rec = GymnasiumTrajectories.normalization("NormalizeReward", null);
        double[] rewards = GymnasiumTrajectories.doubles(rec.list("inputs")), want = GymnasiumTrajectories.doubles(rec.list("values"));
        List<Object> terminated = rec.list("terminated");
        assertTrue((Boolean) terminated.getLast());
        RewardScaler scaler = new RewardScaler(1, rec.number("gamma"), rec.number("epsilon"), RunningMeanStd.GYMNASIUM_PRIOR_COUNT);
        for (int t = 0; t < rewards.length; t++) {
            double got = scaler.scale(new double[] {rewards[t]}, new boolean[] {(Boolean) terminated.get(t)})[0];
            assertEquals(want[t], got, 1e-12 * Math.abs(want[t]), "step " + t);
        }
    }

    /** The discounted sums by hand, their two-pass variance, and a rollout [n, T] scaled the same as its steps one by one. */
    @Test
    void rewardsAreDividedByTheStdOfTheDiscountedSumsAcrossCopies() {
        int n = 3, steps = 12;
        double gamma = 0.9;
        Random rng = new Random(3);
        double[][] r = new double[n][steps];
        boolean[][] term = new boolean[n][steps];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) {
                r[i][t] = rng.nextGaussian() * (i + 1);
                term[i][t] = rng.nextDouble() < 0.2;
            }
        }
        RewardScaler byStep = new RewardScaler(n, gamma, 1e-8, 0);
        double[] sums = new double[n];
        List<double[]> seen = new ArrayList<>();
        double[][] scaled = new double[n][steps];
        for (int t = 0; t < steps; t++) {
            double[] rt = new double[n];
            boolean[] tt = new boolean[n];
            for (int i = 0; i < n; i++) {
                rt[i] = r[i][t];
                tt[i] = term[i][t];
                sums[i] = tt[i] ? rt[i] : gamma * sums[i] + rt[i];
                seen.add(new double[] {sums[i]});
            }
            double[] out = byStep.scale(rt, tt);
            double sd = Math.sqrt(twoPass(seen, 0)[1][0] + 1e-8);
            for (int i = 0; i < n; i++) {
                assertEquals(rt[i] / sd, out[i], 1e-12 * Math.abs(rt[i] / sd), "t " + t + " copy " + i);
                scaled[i][t] = out[i];
            }
        }
        assertArrayEquals(sums, byStep.discountedReturns(), 1e-12);

        double[] flatR = new double[n * steps];
        boolean[] flatT = new boolean[n * steps];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) {
                flatR[i * steps + t] = r[i][t];
                flatT[i * steps + t] = term[i][t];
            }
        }
        TensorDict next = new TensorDict(n, steps);
        next.set("reward", Tensor.of(DType.FLOAT64, flatR, n, steps, 1));
        next.set("terminated", Tensor.of(flatT, n, steps, 1));
        TensorDict rollout = new TensorDict(n, steps);
        rollout.set("next", next);
        new RewardScaler(n, gamma, 1e-8, 0).scale(rollout);
        Tensor got = rollout.get(Key.of("next", "reward"));
        assertEquals(DType.FLOAT64, got.dtype());
        assertArrayEquals(new int[] {n, steps, 1}, got.shapeRef());
        double[] g = got.toDoubleArray();
        for (int i = 0; i < n; i++) for (int t = 0; t < steps; t++) assertEquals(scaled[i][t], g[i * steps + t], 0.0, "rollout entry " + i + ", " + t);

        RewardScaler frozen = new RewardScaler(n, gamma, 1e-8, 0);
        frozen.scale(new double[] {1, 2, 3}, new boolean[n]);
        double scale = frozen.scale();
        frozen.freeze();
        double[] out = frozen.scale(new double[] {10, -20, 30}, new boolean[n]);
        assertEquals(scale, frozen.scale(), 0.0);
        assertArrayEquals(new double[] {10 * scale, -20 * scale, 30 * scale}, out, 1e-12);
    }
}
