package org.rlgrad.examples.training.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.losses.DQNLoss;
import org.rlgrad.losses.HardUpdate;

class PrioritizedReplayBufferTest {
    static final double ALPHA = 0.6, EPS = 1e-6;

    /** A buffer of {@code n} transitions whose priorities are {@code priorities}. */
    static PrioritizedReplayBuffer withPriorities(double[] priorities, double beta) {
        int n = priorities.length;
        PrioritizedReplayBuffer buffer = new PrioritizedReplayBuffer(n, ALPHA, beta, EPS);
        int[] slots = buffer.extend(Transitions.batch(1, n, 0));
        buffer.update(slots, priorities);
        return buffer;
    }

    @Test
    void newTransitionsTakeTheLargestPrioritySeen() {
        PrioritizedReplayBuffer buffer = new PrioritizedReplayBuffer(8, ALPHA, 0.4, EPS);
        buffer.extend(Transitions.batch(1, 2, 0));
        assertEquals(1.0, buffer.mass(0), 0.0, "before any update the largest priority is 1");
        buffer.update(new int[] {0, 1}, new double[] {3.0, -0.5});
        assertEquals(Math.pow(3.0 + EPS, ALPHA), buffer.mass(0), 1e-12);
        assertEquals(Math.pow(0.5 + EPS, ALPHA), buffer.mass(1), 1e-12, "a priority is |δ| + ε");
        int[] slots = buffer.extend(Transitions.batch(1, 1, 2));
        assertEquals(Math.pow(3.0 + EPS, ALPHA), buffer.mass(slots[0]), 1e-12);
    }

    @Test
    void transitionsAreSampledInProportionToPriorityToTheAlpha() {
        double[] p = {0.1, 2.0, 0.0, 5.0, 1.0, 0.7};
        PrioritizedReplayBuffer buffer = withPriorities(p, 0.4);
        double[] mass = new double[p.length];
        double total = 0;
        for (int i = 0; i < p.length; i++) total += mass[i] = Math.pow(Math.abs(p[i]) + EPS, ALPHA);
        assertEquals(total, buffer.totalMass(), 1e-12);
        long[] counts = new long[p.length];
        int draws = 120_000;
        RandomGenerator rng = ReplayBufferTest.rng(5);
        for (int k = 0; k < draws / 200; k++) for (int id : Transitions.ids(buffer.sample(200, rng))) counts[id]++;
        double chi2 = 0;
        for (int i = 0; i < p.length; i++) {
            double expected = draws * mass[i] / total;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        // Stratified draws vary less than independent ones, so the chi-square bound (99.9 %, 5 dof: 20.52) is conservative.
        assertTrue(chi2 < 20.52, "chi-square " + chi2 + ", counts " + Arrays.toString(counts));
        assertTrue(counts[2] < draws * 1e-3, "a zero TD error is sampled only through ε");
    }

    @Test
    void importanceWeightsAreNormalisedByTheLargestWeight() {
        // Transition 3 is so unlikely that a batch rarely holds it: the normalising maximum must come from the whole buffer.
        double[] p = {0.3, 1.5, 4.0, 1e-4, 2.2};
        int n = p.length;
        for (double beta : new double[] {0.0, 0.4, 1.0}) {
            PrioritizedReplayBuffer buffer = withPriorities(p, beta);
            // Independent formula: P(i) = p_i^α / Σ p^α; w_i = (N·P(i))^-β; normalised by max_j w_j over the whole buffer.
            double z = 0;
            for (double x : p) z += Math.pow(x + EPS, ALPHA);
            double[] w = new double[n];
            double maxW = 0;
            for (int i = 0; i < n; i++) {
                w[i] = Math.pow(n * Math.pow(p[i] + EPS, ALPHA) / z, -beta);
                maxW = Math.max(maxW, w[i]);
            }
            TensorDict s = buffer.sample(32, ReplayBufferTest.rng(6));
            Tensor weights = s.get(PrioritizedReplayBuffer.PRIORITY_WEIGHT_KEY);
            assertArrayEquals(new int[] {32}, weights.shape());
            assertEquals(DType.FLOAT32, weights.dtype());
            float[] got = weights.toFloatArray();
            int[] ids = Transitions.ids(s);
            long[] index = s.get(ReplayBuffer.INDEX_KEY).toLongArray();
            for (int k = 0; k < ids.length; k++) {
                assertEquals(ids[k], index[k], "slot = id in a buffer filled once");
                assertEquals(w[ids[k]] / maxW, got[k], 1e-6, "beta " + beta + ", transition " + ids[k]);
                assertTrue(ids[k] != 3, "the test wants a batch without the rarest transition");
            }
        }
    }

    @Test
    void theLossWritesThePrioritiesTheBufferTakes() {
        int n = 12, actions = 2;
        PrioritizedReplayBuffer buffer = new PrioritizedReplayBuffer(n, ALPHA, 0.5, EPS);
        buffer.extend(Transitions.batch(2, n / 2, 0));
        MLP q = MLP.builder(Transitions.OBS, actions).numCells(8).depth(1).activation(ReLU::new).dtype(DType.FLOAT32).generator(new Generator(7)).build();
        double gamma = 0.9;
        DQNLoss loss = DQNLoss.builder(q).actionSpace("categorical").build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", gamma));
        new HardUpdate(loss);
        TensorDict s = buffer.sample(16, ReplayBufferTest.rng(8));
        Tensor total = loss.forward(s).get("loss");
        assertTrue(Double.isFinite(total.item()), "the loss reads the priority weights [B]");
        buffer.updatePriorities(s, "td_error");

        // Independently: δ² = (Q(s, a) − (r + γ (1 − terminated) max_a' Q(s', a')))², the target a copy of Q.
        double[] qs = q.forward(s.get("observation")).toDoubleArray(), qn = q.forward(s.get(Key.of("next", "observation"))).toDoubleArray();
        long[] a = s.get("action").toLongArray(), index = s.get(ReplayBuffer.INDEX_KEY).toLongArray();
        double[] r = s.get(Key.of("next", "reward")).toDoubleArray();
        boolean[] term = s.get(Key.of("next", "terminated")).toBooleanArray();
        for (int k = 0; k < 16; k++) {
            double y = r[k] + (term[k] ? 0 : gamma * Math.max(qn[k * actions], qn[k * actions + 1]));
            double delta2 = Math.pow(qs[k * actions + (int) a[k]] - y, 2);
            assertEquals(Math.pow(delta2 + EPS, ALPHA), buffer.mass((int) index[k]), 1e-5 * Math.max(1, delta2), "sample " + k);
        }
    }

    @Test
    void anOverwrittenSlotStartsAgainAtTheLargestPriority() {
        PrioritizedReplayBuffer buffer = withPriorities(new double[] {0.5, 2.0, 0.1}, 0.4);
        int[] slots = buffer.extend(Transitions.batch(1, 1, 3));
        assertArrayEquals(new int[] {0}, slots);
        assertEquals(Math.pow(2.0 + EPS, ALPHA), buffer.mass(0), 1e-12);
        assertEquals(3, buffer.size());
    }

    @Test
    void mistakesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new PrioritizedReplayBuffer(4, ALPHA, 1.5, EPS));
        assertThrows(IllegalArgumentException.class, () -> new PrioritizedReplayBuffer(4, ALPHA, 0.4, 0));
        PrioritizedReplayBuffer buffer = withPriorities(new double[] {1, 2}, 0.4);
        assertThrows(IllegalArgumentException.class, () -> buffer.update(new int[] {0}, new double[] {1, 2}));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.update(new int[] {2}, new double[] {1}));
        TensorDict s = buffer.sample(4, ReplayBufferTest.rng(9));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> buffer.updatePriorities(s, "td_error"));
        assertTrue(e.getMessage().contains("td_error"), e.getMessage());
    }
}
