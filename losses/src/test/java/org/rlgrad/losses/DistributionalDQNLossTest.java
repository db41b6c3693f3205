package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class DistributionalDQNLossTest {
    private static DistributionalDQNLoss loss(Sequential mlp, ActionSpace space, double gamma, String reduction) {
        return DistributionalDQNLoss.builder(TinyC51.actor(mlp, space), gamma).reduction(reduction).build();
    }

    private static void loadTarget(DistributionalDQNLoss loss, Sequential targetMlp, ActionSpace space) {
        loss.loadTargetParams(DistributionalDQNLoss.VALUE_NETWORK, Parameters.fromModule(TinyC51.actor(targetMlp, space)));
    }

    /** One-hot actions as indices [n] (for the categorical action space). */
    private static Tensor indices(Tensor oneHot) {
        return oneHot.argmax(-1, false);
    }

    /**
     * A batch whose rewards are sometimes multiples of Δz = 0.5 (so that with γ ∈ {0.5, 1} or a
     * terminal step the projection lands exactly on atoms and the l == u fix-ups run) and
     * sometimes beyond the support (so that Tz is clamped).
     */
    private static TensorDict batch(Gen gen, int n, ActionSpace space) {
        TensorDict td = TinyQ.batch(gen, n);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = gen.bool() ? 0.5 * gen.intIn(-4, 4) : gen.uniform(-1.6, 1.6);
        td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
        if (space == ActionSpace.CATEGORICAL) td.set("action", indices(td.get("action")));
        return td;
    }

    /** Spec §2.2 steps 1-5 for every sample, with plain loops over the networks' outputs. */
    private static double[] expectedPerSample(Sequential online, Sequential target, TensorDict td, double gamma) {
        int n = td.batchSize()[0], atoms = TinyC51.ATOMS, nA = TinyC51.ACTIONS;
        double[] z = TinyC51.SUPPORT;
        double vmin = z[0], vmax = z[atoms - 1], dz = (vmax - vmin) / (atoms - 1);
        double[][][] lp = TinyC51.logProbs(online, td.get("observation"));
        double[][][] lpNextOnline = TinyC51.logProbs(online, td.get(Key.of("next", "observation")));
        double[][][] lpNextTarget = TinyC51.logProbs(target, td.get(Key.of("next", "observation")));
        Tensor action = td.get("action");
        long[] a = (action.dim() == 2 ? indices(action) : action).toLongArray();
        double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
        boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
        Tensor stepsT = td.get("steps_to_next_obs", null);
        long[] steps = stepsT == null ? null : stepsT.toLongArray();
        double[] out = new double[n];
        for (int b = 0; b < n; b++) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < nA; j++) {
                double e = 0;
                for (int k = 0; k < atoms; k++) e += Math.exp(lpNextOnline[b][k][j]) * z[k];
                if (e > bestValue) {
                    bestValue = e;
                    best = j;
                }
            }
            double disc = term[b] ? 0 : Math.pow(gamma, steps == null ? 1 : steps[b]);
            double[] m = new double[atoms];
            for (int k = 0; k < atoms; k++) {
                double p = Math.exp(lpNextTarget[b][k][best]);
                double tz = Math.min(vmax, Math.max(vmin, r[b] + disc * z[k]));
                double bb = (tz - vmin) / dz;
                int l = (int) Math.floor(bb), u = (int) Math.ceil(bb);
                if (u > 0 && l == u) l--;
                if (l < atoms - 1 && l == u) u++;
                m[l] += p * (u - bb);
                m[u] += p * (bb - l);
            }
            double ce = 0;
            for (int k = 0; k < atoms; k++) ce -= m[k] * lp[b][k][(int) a[b]];
            out[b] = ce;
        }
        return out;
    }

    @Test
    void matchesTheCategoricalProjectionComputedSampleBySample() {
        int[] hits = new int[1];
        Property.forAll("c51 projection", 30, gen -> {
            ActionSpace space = gen.oneOf(ActionSpace.ONE_HOT, ActionSpace.CATEGORICAL);
            double gamma = gen.oneOf(0.5, 1.0, 0.9, gen.uniform(0, 1));
            Sequential online = TinyC51.mlp(gen.intIn(0, 1000)), target = TinyC51.mlp(gen.intIn(1001, 2000));
            DistributionalDQNLoss loss = loss(online, space, gamma, "none");
            loadTarget(loss, target, space);
            int n = gen.intIn(1, 8);
            TensorDict td = batch(gen, n, space);
            if (gen.bool()) td.set("steps_to_next_obs", gen.indices(new int[] {n, 1}, 3).add(1.0).toLong());
            Tensor got = loss.forward(td).get("loss");
            double[] want = expectedPerSample(online, target, td, gamma);
            assertEquals(List.of(n), List.of(got.shape()[0]));
            double[] g = got.toDoubleArray(), prio = td.get("td_error").toDoubleArray();
            assertEquals(List.of(n, 1), List.of(td.get("td_error").shape()[0], td.get("td_error").shape()[1]));
            for (int i = 0; i < n; i++) {
                assertEquals(want[i], g[i], 1e-12 * (1 + Math.abs(want[i])), "sample " + i);
                assertEquals(want[i], prio[i], 1e-12 * (1 + Math.abs(want[i])), "priority " + i);
            }
            if (gamma == 0.5 || gamma == 1.0) hits[0]++;
        });
        assertTrue(hits[0] > 5, "the lattice cases (integer b) ran " + hits[0] + " times");
    }

    @Test
    void gradientsReachExactlyTheOnlineParametersAndNeverTheTarget() {
        Sequential mlp = TinyC51.mlp(1);
        DistributionalDQNLoss loss = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean");
        SoftUpdate.withTau(loss, 0.1);
        loadTarget(loss, TinyC51.mlp(2), ActionSpace.ONE_HOT);
        TensorDict td = batch(Gen.seeded(3), 6, ActionSpace.ONE_HOT);
        Tensor total = LossOutputs.totalLoss(loss.forward(td));
        total.backward();
        assertEquals(mlp.parameters().size(), loss.parameters().size(), "the support buffer is not a trainable parameter");
        for (Tensor p : mlp.parameters()) {
            assertTrue(loss.parameters().stream().anyMatch(q -> q == p), "the loss trains the network's own tensors");
            assertNotNull(p.grad());
            assertTrue(p.grad().abs().sum().item() > 0, "every online parameter receives a gradient");
        }
        for (Tensor t : loss.targetParams(DistributionalDQNLoss.VALUE_NETWORK).leaves().values()) {
            assertFalse(t.requiresGrad());
            assertNull(t.grad());
        }
        assertFalse(loss.support().requiresGrad());
        assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
    }

    /** delayValue(false) bootstraps from sg(θ): equal to a delayed loss whose target equals θ, unequal to one with another target. */
    @Test
    void delayValueChoosesTheBootstrapParameters() {
        Sequential mlp = TinyC51.mlp(4);
        TensorDict td = batch(Gen.seeded(5), 7, ActionSpace.ONE_HOT);
        DistributionalDQNLoss undelayed = DistributionalDQNLoss.builder(TinyC51.actor(mlp, ActionSpace.ONE_HOT), 0.9).delayValue(false).build();
        assertFalse(undelayed.hasDelayedTarget(DistributionalDQNLoss.VALUE_NETWORK));
        double plain = undelayed.forward(td.copy()).get("loss").item();
        DistributionalDQNLoss delayed = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean");
        delayed.loadTargetParams(DistributionalDQNLoss.VALUE_NETWORK, Parameters.fromModule(TinyC51.actor(mlp, ActionSpace.ONE_HOT)));
        assertEquals(plain, delayed.forward(td.copy()).get("loss").item(), 1e-14);
        loadTarget(delayed, TinyC51.mlp(6), ActionSpace.ONE_HOT);
        assertTrue(Math.abs(plain - delayed.forward(td.copy()).get("loss").item()) > 1e-6, "a different target copy changes the loss");
    }

    @Test
    void reductionsAndPriorityWeights() {
        Sequential mlp = TinyC51.mlp(7);
        TensorDict td = batch(Gen.seeded(8), 6, ActionSpace.ONE_HOT);
        double[] per = loss(mlp, ActionSpace.ONE_HOT, 0.9, "none").forward(td.copy()).get("loss").toDoubleArray();
        double[] w = {0.5, 2, 1, 0.1, 3, 1.5};
        double sum = 0, wsum = 0, wl = 0;
        for (int i = 0; i < per.length; i++) {
            sum += per[i];
            wsum += w[i];
            wl += w[i] * per[i];
        }
        assertEquals(sum, loss(mlp, ActionSpace.ONE_HOT, 0.9, "sum").forward(td.copy()).get("loss").item(), 1e-12);
        assertEquals(sum / per.length, loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean").forward(td.copy()).get("loss").item(), 1e-12);
        TensorDict weighted = td.copy();
        weighted.set("priority_weight", Tensor.of(DType.FLOAT64, w, 6));
        assertEquals(wl / wsum, loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean").forward(weighted.copy()).get("loss").item(), 1e-12);
        assertEquals(wl, loss(mlp, ActionSpace.ONE_HOT, 0.9, "sum").forward(weighted.copy()).get("loss").item(), 1e-12);
        DistributionalDQNLoss off = DistributionalDQNLoss.builder(TinyC51.actor(mlp, ActionSpace.ONE_HOT), 0.9)
                .prioritizedWeights(LossModule.PrioritizedWeights.OFF).build();
        assertEquals(sum / per.length, off.forward(weighted.copy()).get("loss").item(), 1e-12, "OFF ignores the weights");
    }

    @Test
    void gammaIsASchedulableScalar() {
        Sequential mlp = TinyC51.mlp(9);
        TensorDict td = batch(Gen.seeded(10), 6, ActionSpace.ONE_HOT);
        td.set(Key.of("next", "terminated"), Tensor.of(new boolean[6], 6, 1));
        DistributionalDQNLoss loss = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean");
        double at09 = loss.forward(td.copy()).get("loss").item();
        loss.setGamma(0.3);
        assertEquals(0.3, loss.gamma());
        double at03 = loss.forward(td.copy()).get("loss").item();
        assertEquals(loss(mlp, ActionSpace.ONE_HOT, 0.3, "mean").forward(td.copy()).get("loss").item(), at03, 1e-14);
        assertTrue(Math.abs(at09 - at03) > 1e-6, "gamma changes the target");
        assertThrows(IllegalArgumentException.class, () -> loss.setGamma(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DistributionalDQNLoss.builder(TinyC51.actor(mlp, ActionSpace.ONE_HOT), -0.1).build());
    }

    @Test
    void theActionSpaceIsTheNetworksAndCategoricalAgreesWithOneHot() {
        Sequential mlp = TinyC51.mlp(11);
        DistributionalDQNLoss categorical = loss(mlp, ActionSpace.CATEGORICAL, 0.9, "none");
        assertEquals(ActionSpace.CATEGORICAL, categorical.actionSpace(), "taken from the network's Q-value module");
        TensorDict oneHot = batch(Gen.seeded(12), 5, ActionSpace.ONE_HOT);
        TensorDict idx = oneHot.copy();
        idx.set("action", indices(oneHot.get("action")).unsqueeze(-1));
        double[] a = loss(mlp, ActionSpace.ONE_HOT, 0.9, "none").forward(oneHot).get("loss").toDoubleArray();
        double[] b = categorical.forward(idx).get("loss").toDoubleArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-14);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistributionalDQNLoss.builder(TinyC51.actor(mlp, ActionSpace.ONE_HOT), 0.9).actionSpace("mult_one_hot").build());
        assertTrue(e.getMessage().contains("one_hot or categorical"), e.getMessage());
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Sequential mlp = TinyC51.mlp(13);
        TensorDict td = batch(Gen.seeded(14), 5, ActionSpace.ONE_HOT);
        td.set("steps_to_next_obs", Tensor.of(new long[] {1, 2, 3, 1, 2}, 5, 1));
        double plain = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean").forward(td.copy()).get("loss").item();

        DistributionalDQNLoss renamed = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean");
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("steps_to_next_obs", "n_steps");
        keys.put("priority", Key.of("prio", "err"));
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        moved.rename("steps_to_next_obs", "n_steps");
        assertEquals(plain, renamed.forward(moved).get("loss").item(), 1e-14);
        assertTrue(moved.contains(Key.of("prio", "err")));
        assertFalse(moved.contains("td_error"));
        moved.remove("n_steps");
        assertTrue(Math.abs(plain - renamed.forward(moved).get("loss").item()) > 1e-9, "the renamed steps entry was read");
        assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("value", "v"), "DQN's estimator keys are not keys of this loss");
    }

    @Test
    void badInputsAreErrorsThatSayWhatWasExpected() {
        Sequential mlp = TinyC51.mlp(15);
        DistributionalDQNLoss loss = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean");
        TensorDict noAction = batch(Gen.seeded(16), 4, ActionSpace.ONE_HOT);
        noAction.remove("action");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(noAction)), "action", "observation");
        TensorDict noReward = batch(Gen.seeded(16), 4, ActionSpace.ONE_HOT);
        noReward.remove(Key.of("next", "reward"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(noReward)), "reward");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(new TensorDict(2, 3))), "one batch dimension", "[2, 3]");
        TensorDict flatReward = batch(Gen.seeded(16), 4, ActionSpace.ONE_HOT);
        flatReward.set(Key.of("next", "reward"), Tensor.zeros(DType.FLOAT64, 4));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(flatReward)), "Tz", "[4, 5]");
        TensorDict twoHot = batch(Gen.seeded(16), 4, ActionSpace.ONE_HOT);
        twoHot.set("action", Tensor.ones(DType.INT64, 4, TinyC51.ACTIONS));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(twoHot)), "exactly one non-zero");
        QValueActor plainQ = new QValueActor(TinyQ.network(1), QValueModule.builder(ActionSpace.ONE_HOT).build());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> DistributionalDQNLoss.builder(plainQ, 0.9).build()), "support");
    }

    @Test
    void onlyTd0IsAccepted() {
        DistributionalDQNLoss loss = loss(TinyC51.mlp(17), ActionSpace.ONE_HOT, 0.9, "mean");
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType(), "the default type");
        assertSame(loss, loss.makeValueEstimator(ValueEstimators.TD0));
        assertSame(loss, loss.makeValueEstimator(org.rlgrad.estimators.TD0Estimator.class));
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        assertMentions(assertThrows(UnsupportedOperationException.class, loss::valueEstimator), "DistributionalDQNLoss");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.TD1));
        assertMentions(e, "DistributionalDQNLoss");
        assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(org.rlgrad.estimators.TD1Estimator.class));
        assertThrows(IllegalArgumentException.class, () -> loss.makeValueEstimator(ValueEstimators.TD0, java.util.Map.of("bogus", 1.0)));
        // The target stays the inline projection with the loss's own gamma whatever was asked of makeValueEstimator.
        TensorDict td = batch(Gen.seeded(3), 4, ActionSpace.ONE_HOT);
        assertEquals(loss(TinyC51.mlp(17), ActionSpace.ONE_HOT, 0.9, "mean").forward(td.copy()).get("loss").item(), loss.forward(td.copy()).get("loss").item(), 0);
    }

    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("c51 order invariance", 12, gen -> {
            ActionSpace space = gen.oneOf(ActionSpace.ONE_HOT, ActionSpace.CATEGORICAL);
            DistributionalDQNLoss loss = loss(TinyC51.mlp(gen.intIn(0, 100)), space, gen.oneOf(0.5, 0.9), "mean");
            loadTarget(loss, TinyC51.mlp(gen.intIn(101, 200)), space);
            int n = gen.intIn(2, 9);
            TensorDict td = batch(gen, n, space);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict shuffled = td.index(Tensor.of(idx, n));
            double a = loss.forward(td).get("loss").item(), b = loss.forward(shuffled).get("loss").item();
            assertEquals(a, b, 1e-12 * (1 + Math.abs(a)));
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    /**
     * A contextual bandit (every transition terminates): action j pays the atom value
     * {@code z[j + 1{s_0 > 0}]}, so the projected target is one atom and the cross-entropy can fall
     * towards 0 from about {@code ln 5}.
     */
    @Test
    void aShortTrainingRunLowersTheLossAndStaysFinite() {
        Sequential mlp = TinyC51.mlp(21);
        DistributionalDQNLoss loss = loss(mlp, ActionSpace.ONE_HOT, 0.9, "mean");
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.02);
        Gen gen = Gen.seeded(22);
        List<Double> history = new ArrayList<>();
        for (int step = 0; step < 100; step++) {
            int n = 32;
            TensorDict td = TinyQ.batch(gen, n);
            double[] obs = td.get("observation").toDoubleArray();
            long[] a = indices(td.get("action")).toLongArray();
            double[] r = new double[n];
            for (int i = 0; i < n; i++) r[i] = TinyC51.SUPPORT[(int) a[i] + (obs[i * TinyC51.OBS] > 0 ? 1 : 0)];
            td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
            td.set(Key.of("next", "terminated"), Tensor.of(new boolean[n], n, 1).logicalNot());
            opt.zeroGrad();
            Tensor l = LossOutputs.totalLoss(loss.forward(td));
            assertTrue(Double.isFinite(l.item()), "step " + step + ": loss " + l.item());
            l.backward();
            opt.step();
            updater.step();
            history.add(l.item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double first = history.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = history.subList(80, 100).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.3 * first, "the loss falls: first 20 steps " + first + ", last 20 " + last);
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage() != null && e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
}
