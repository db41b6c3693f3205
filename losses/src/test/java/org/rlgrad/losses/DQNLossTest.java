package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class DQNLossTest {
    private static DQNLoss loss(Sequential net, boolean doubleDqn, String distance, String reduction) {
        return DQNLoss.builder(net).doubleDqn(doubleDqn).lossFunction(distance).reduction(reduction).build();
    }

    /** Loads {@code other}'s values into the loss's target tree (same structure, so the same order of leaves). */
    static void loadTargetsFrom(DQNLoss loss, Sequential other) {
        List<Tensor> values = other.parameters();
        TensorDict target = new TensorDict();
        int i = 0;
        for (Key k : loss.params(DQNLoss.VALUE_NETWORK).leaves().keySet()) target.set(k, values.get(i++));
        assertEquals(values.size(), i);
        loss.loadTargetParams(DQNLoss.VALUE_NETWORK, target);
    }

    @Test
    void gradientsReachExactlyTheOnlineParametersAndNeverTheTarget() {
        Sequential net = TinyQ.network(1);
        DQNLoss loss = loss(net, true, "l2", "mean");
        SoftUpdate.of(loss, 0.9, null);
        loadTargetsFrom(loss, TinyQ.network(2));
        TensorDict td = TinyQ.batch(Gen.seeded(3), 6);
        Tensor total = LossOutputs.totalLoss(loss.forward(td));
        total.backward();
        assertEquals(net.parameters().size(), loss.parameters().size());
        for (Tensor p : net.parameters()) {
            assertTrue(loss.parameters().stream().anyMatch(q -> q == p), "the loss trains the network's own tensors");
            assertNotNull(p.grad(), "every online parameter receives a gradient");
            assertTrue(p.grad().abs().sum().item() > 0);
        }
        for (Tensor t : loss.targetParams(DQNLoss.VALUE_NETWORK).leaves().values()) {
            assertFalse(t.requiresGrad());
            assertNull(t.grad());
            assertTrue(loss.parameters().stream().noneMatch(q -> q.storage() == t.storage()), "the target is a copy, not the online tensor");
        }
        assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
    }

    /** Plain and double DQN against the formula of spec §2.1 evaluated with the networks directly. */
    @Test
    void matchesTheTd0FormulaComputedFromTheNetworks() {
        Property.forAll("dqn formula", 20, gen -> {
            boolean doubleDqn = gen.bool();
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            Sequential net = TinyQ.network(gen.intIn(0, 1000)), targetNet = TinyQ.network(gen.intIn(1001, 2000));
            DQNLoss loss = loss(net, doubleDqn, distance, "none");
            loadTargetsFrom(loss, targetNet);
            int n = gen.intIn(1, 7);
            TensorDict td = TinyQ.batch(gen, n);
            Tensor got = loss.forward(td).get("loss");

            double[] qs = net.forward(td.get("observation")).toDoubleArray();
            double[] qNextOnline = net.forward(td.get(Key.of("next", "observation"))).toDoubleArray();
            double[] qNextTarget = targetNet.forward(td.get(Key.of("next", "observation"))).toDoubleArray();
            long[] a = td.get("action").toLongArray();
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[] td2 = td.get("td_error").toDoubleArray();
            int nA = TinyQ.ACTIONS;
            for (int i = 0; i < n; i++) {
                double q = 0;
                for (int j = 0; j < nA; j++) q += a[i * nA + j] * qs[i * nA + j];
                int pick = 0;
                double[] chooser = doubleDqn ? qNextOnline : qNextTarget;
                for (int j = 1; j < nA; j++) if (chooser[i * nA + j] > chooser[i * nA + pick]) pick = j;
                double y = r[i] + (term[i] ? 0 : 0.99 * qNextTarget[i * nA + pick]);
                double d = q - y;
                double want = switch (distance) {
                    case "l2" -> d * d;
                    case "l1" -> Math.abs(d);
                    default -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
                };
                assertEquals(want, got.toDoubleArray()[i], 1e-12 * (1 + Math.abs(want)), "sample " + i);
                assertEquals(d * d, td2[i], 1e-12 * (1 + d * d), "td_error " + i);
            }
        });
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Sequential net = TinyQ.network(4);
        TensorDict td = TinyQ.batch(Gen.seeded(5), 5);
        double plain = loss(net, false, "l2", "mean").forward(td.copy()).get("loss").item();

        DQNLoss renamed = loss(net, false, "l2", "mean");
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        assertEquals(plain, renamed.forward(moved).get("loss").item(), 1e-12);
        assertTrue(moved.contains(Key.of("prio", "err")));
        assertFalse(moved.contains("td_error"));

        renamed.setKeys("priority", null);
        assertEquals(Key.of("td_error"), renamed.key("priority"), "null restores the default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("actoin", "a"));
        assertTrue(e.getMessage().contains("'actoin'") && e.getMessage().contains("action_value"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        DQNLoss loss = loss(TinyQ.network(6), false, "l2", "mean");
        TensorDict td = TinyQ.batch(Gen.seeded(7), 4);
        td.remove("action");
        Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("action") && e.getMessage().contains("observation"), e.getMessage());

        TensorDict noReward = TinyQ.batch(Gen.seeded(7), 4);
        noReward.remove(Key.of("next", "reward"));
        Exception e2 = assertThrows(RuntimeException.class, () -> loss.forward(noReward));
        assertTrue(e2.getMessage().contains("reward"), e2.getMessage());
    }

    @Test
    void constructorChecks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DQNLoss.builder(TinyQ.network(1)).doubleDqn(true).delayValue(false).build());
        assertTrue(e.getMessage().contains("delay_value"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DQNLoss.builder(TinyQ.network(1)).lossFunction("l3"));
        DQNLoss loss = loss(TinyQ.network(1), false, "l2", "mean");
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("DQNLoss"), u.getMessage());
    }

    /** With mean reduction the loss is a mean over samples, so permuting the batch changes nothing but the order of td_error. */
    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("dqn order invariance", 25, gen -> {
            DQNLoss loss = loss(TinyQ.network(gen.intIn(0, 100)), gen.bool(), gen.oneOf("l2", "smooth_l1"), "mean");
            int n = gen.intIn(2, 9);
            TensorDict td = TinyQ.batch(gen, n);
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
     * A contextual bandit (every transition terminates): the reward of action j is the j-th of
     * four fixed linear functions of the observation, so Q(s, ·) must learn those functions.
     */
    @Test
    void aShortTrainingRunLowersTheLossAndStaysFinite() {
        Sequential net = TinyQ.network(11);
        DQNLoss loss = loss(net, false, "l2", "mean");
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(12);
        double[][] w = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, -1, 0}};
        List<Double> history = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            int n = 32;
            TensorDict td = TinyQ.batch(gen, n);
            double[] obs = td.get("observation").toDoubleArray();
            long[] a = td.get("action").toLongArray();
            double[] r = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < TinyQ.ACTIONS; j++) if (a[i * TinyQ.ACTIONS + j] == 1) {
                for (int k = 0; k < TinyQ.OBS; k++) r[i] += w[j][k] * obs[i * TinyQ.OBS + k];
            }
            td.set(Key.of("next", "reward"), Tensor.of(org.rlgrad.engine.tensor.DType.FLOAT64, r, n, 1));
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
        double last = history.subList(280, 300).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.25 * first, "the loss falls: first 20 steps " + first + ", last 20 " + last);
    }
}
