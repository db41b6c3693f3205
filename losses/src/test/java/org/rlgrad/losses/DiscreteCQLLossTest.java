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
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.modules.ActionSpace;
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

class DiscreteCQLLossTest {
    private static DiscreteCQLLoss loss(Sequential net, boolean compat, String distance, String reduction) {
        return DiscreteCQLLoss.builder(net).referenceCompat(compat).lossFunction(distance).reduction(reduction).build();
    }

    static void loadTargetsFrom(DiscreteCQLLoss loss, Sequential other) {
        List<Tensor> values = other.parameters();
        TensorDict target = new TensorDict();
        int i = 0;
        for (Key k : loss.params(DiscreteCQLLoss.VALUE_NETWORK).leaves().keySet()) target.set(k, values.get(i++));
        assertEquals(values.size(), i);
        loss.loadTargetParams(DiscreteCQLLoss.VALUE_NETWORK, target);
    }

    private static double distance(String kind, double d) {
        return switch (kind) {
            case "l2" -> d * d;
            case "l1" -> Math.abs(d);
            default -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
        };
    }

    /** Spec §2.11 with plain loops over the networks' outputs; {@code bootstrap} is the network whose greedy value y uses. */
    @Test
    void matchesTheFormulaComputedFromTheNetworks() {
        Property.forAll("discrete cql formula", 25, gen -> {
            boolean compat = gen.bool();
            String kind = gen.oneOf("l2", "smooth_l1", "l1");
            Sequential net = TinyQ.network(gen.intIn(0, 1000)), targetNet = TinyQ.network(gen.intIn(1001, 2000));
            DiscreteCQLLoss loss = loss(net, compat, kind, "none");
            loadTargetsFrom(loss, targetNet);
            int n = gen.intIn(1, 7);
            TensorDict td = TinyQ.batch(gen, n);
            TensorDict out = loss.forward(td);

            int nA = TinyQ.ACTIONS;
            double[] qs = net.forward(td.get("observation")).toDoubleArray();
            double[] qNext = (compat ? net : targetNet).forward(td.get(Key.of("next", "observation"))).toDoubleArray();
            long[] a = td.get("action").toLongArray();
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[] lossQ = out.get("loss_qvalue").toDoubleArray(), lossCql = out.get("loss_cql").toDoubleArray();
            double[] prio = td.get("td_error").toDoubleArray();
            double sqSum = 0, ySum = 0, qSum = 0;
            for (int i = 0; i < n; i++) {
                double q = 0, max = Double.NEGATIVE_INFINITY, maxNext = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < nA; j++) {
                    q += a[i * nA + j] * qs[i * nA + j];
                    max = Math.max(max, qs[i * nA + j]);
                    maxNext = Math.max(maxNext, qNext[i * nA + j]);
                    qSum += qs[i * nA + j];
                }
                double lse = 0;
                for (int j = 0; j < nA; j++) lse += Math.exp(qs[i * nA + j] - max);
                lse = max + Math.log(lse);
                double y = r[i] + (term[i] ? 0 : 0.99 * maxNext);
                double d = q - y;
                assertEquals(0.5 * distance(kind, d), lossQ[i], 1e-12 * (1 + Math.abs(d * d)), "loss_qvalue " + i + " (halved)");
                assertEquals(lse - q, lossCql[i], 1e-12 * (1 + Math.abs(lse)), "loss_cql " + i);
                assertEquals(d * d, prio[i], 1e-12 * (1 + d * d), "priority " + i);
                sqSum += d * d;
                ySum += y;
            }
            assertEquals(List.of(1), List.of(out.get("td_error").shape()[0]));
            assertEquals(sqSum / n, out.get("td_error").item(), 1e-12 * (1 + sqSum));
            assertEquals(ySum / n, out.get("target_value").item(), 1e-12 * (1 + Math.abs(ySum)));
            assertEquals(qSum / (n * nA), out.get("pred_value").item(), 1e-12 * (1 + Math.abs(qSum)));
            double[] predVal = td.get("pred_val").toDoubleArray();
            for (int k = 0; k < qs.length; k++) assertEquals(qs[k], predVal[k], 1e-14, "pred_val " + k);
        });
    }

    /**
     * DECISIONS.md rule 3: by default the target bootstraps from the target copy; referenceCompat
     * bootstraps from the online network, so the two differ exactly when the copies differ.
     */
    @Test
    void theDefaultBootstrapsFromTheTargetNetworkAndReferenceCompatFromTheOnlineOne() {
        Sequential net = TinyQ.network(31), other = TinyQ.network(32);
        TensorDict td = TinyQ.batch(Gen.seeded(33), 8);
        td.set(Key.of("next", "terminated"), Tensor.of(new boolean[8], 8, 1));

        DiscreteCQLLoss published = loss(net, false, "l2", "mean"), compat = loss(net, true, "l2", "mean");
        assertFalse(published.referenceCompat());
        assertTrue(compat.referenceCompat());
        // Fresh losses: the target copy equals the online network, so both modes agree.
        assertEquals(published.forward(td.copy()).get("target_value").item(), compat.forward(td.copy()).get("target_value").item(), 1e-14);

        loadTargetsFrom(published, other);
        loadTargetsFrom(compat, other);
        double yPublished = published.forward(td.copy()).get("target_value").item();
        double yCompat = compat.forward(td.copy()).get("target_value").item();
        assertTrue(Math.abs(yPublished - yCompat) > 1e-6, "the modes differ once the target differs: " + yPublished + " vs " + yCompat);

        double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
        double[] nextTarget = other.forward(td.get(Key.of("next", "observation"))).toDoubleArray();
        double[] nextOnline = net.forward(td.get(Key.of("next", "observation"))).toDoubleArray();
        double fromTarget = 0, fromOnline = 0;
        for (int i = 0; i < 8; i++) {
            double mt = Double.NEGATIVE_INFINITY, mo = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < TinyQ.ACTIONS; j++) {
                mt = Math.max(mt, nextTarget[i * TinyQ.ACTIONS + j]);
                mo = Math.max(mo, nextOnline[i * TinyQ.ACTIONS + j]);
            }
            fromTarget += (r[i] + 0.99 * mt) / 8;
            fromOnline += (r[i] + 0.99 * mo) / 8;
        }
        assertEquals(fromTarget, yPublished, 1e-12, "the default reads the target copy");
        assertEquals(fromOnline, yCompat, 1e-12, "referenceCompat reads the online network");

        DiscreteCQLLoss undelayed = DiscreteCQLLoss.builder(net).delayValue(false).build();
        assertEquals(fromOnline, undelayed.forward(td.copy()).get("target_value").item(), 1e-12, "without a delayed copy the target is sg(θ)");
    }

    @Test
    void eachLossSendsGradientToTheOnlineParametersOnlyAndPredValKeepsItsHistory() {
        Sequential net = TinyQ.network(1);
        DiscreteCQLLoss loss = loss(net, false, "l2", "mean");
        SoftUpdate.withTau(loss, 0.1);
        loadTargetsFrom(loss, TinyQ.network(2));
        TensorDict td = TinyQ.batch(Gen.seeded(3), 6);
        TensorDict out = loss.forward(td);
        List<Tensor> params = loss.parameters();
        assertEquals(net.parameters().size(), params.size());
        for (String entry : List.of("loss_qvalue", "loss_cql")) {
            List<Tensor> grads = Autograd.grad(List.of(out.get(entry)), params, null, false, true, true);
            for (int i = 0; i < params.size(); i++) {
                assertTrue(params.get(i) == net.parameters().get(i), "the loss trains the network's own tensors");
                assertTrue(grads.get(i).abs().sum().item() > 0, entry + " reaches parameter " + i);
            }
        }
        LossOutputs.totalLoss(out).backward();
        for (Tensor t : loss.targetParams(DiscreteCQLLoss.VALUE_NETWORK).leaves().values()) {
            assertFalse(t.requiresGrad());
            assertNull(t.grad());
        }
        for (String metric : List.of("td_error", "pred_value", "target_value")) assertFalse(out.get(metric).requiresGrad(), metric + " is detached");
        assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
        assertTrue(td.get("pred_val").requiresGrad(), "pred_val keeps its history");
        assertNotNull(net.parameters().get(0).grad());
    }

    @Test
    void theComponentsCanBeCalledAlone() {
        Sequential net = TinyQ.network(4);
        TensorDict td = TinyQ.batch(Gen.seeded(5), 5);
        DiscreteCQLLoss loss = loss(net, false, "l2", "mean");
        TensorDict whole = loss.forward(td.copy());
        TensorDict alone = td.copy();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.cqlLoss(alone));
        assertTrue(e.getMessage().contains("pred_val") && e.getMessage().contains("valueLoss"), e.getMessage());
        LossTerm value = loss.valueLoss(alone);
        assertEquals(whole.get("loss_qvalue").item(), value.loss().item(), 1e-14);
        assertEquals(List.of("td_error", "pred_value", "target_value"), List.copyOf(value.metadata().keySet()), "the TD component's metrics only");
        for (String m : value.metadata().keySet()) assertEquals(whole.get(m).item(), value.metric(m).item(), 1e-14, m);
        LossTerm cql = loss.cqlLoss(alone);
        assertEquals(whole.get("loss_cql").item(), cql.loss().item(), 1e-14);
        assertTrue(cql.metadata().isEmpty());
    }

    @Test
    void reductionsAndTheActionSpace() {
        Sequential net = TinyQ.network(6);
        TensorDict td = TinyQ.batch(Gen.seeded(7), 6);
        TensorDict none = loss(net, false, "smooth_l1", "none").forward(td.copy());
        TensorDict sum = loss(net, false, "smooth_l1", "sum").forward(td.copy());
        TensorDict mean = loss(net, false, "smooth_l1", "mean").forward(td.copy());
        for (String k : List.of("loss_qvalue", "loss_cql")) {
            assertEquals(List.of(6), List.of(none.get(k).shape()[0]));
            double s = none.get(k).sum().item();
            assertEquals(s, sum.get(k).item(), 1e-12, k + " sum");
            assertEquals(s / 6, mean.get(k).item(), 1e-12, k + " mean");
        }
        assertEquals(mean.get("td_error").item(), none.get("td_error").item(), 1e-14, "metrics do not depend on the reduction");
        TensorDict weighted = td.copy();
        weighted.set("priority_weight", Tensor.of(DType.FLOAT64, new double[] {5, 0.1, 1, 1, 2, 3}, 6));
        assertEquals(mean.get("loss_qvalue").item(), loss(net, false, "smooth_l1", "mean").forward(weighted).get("loss_qvalue").item(), 1e-14,
                "discrete CQL takes no priority weights (spec §1.8)");

        QValueActor categoricalActor = new QValueActor(net, QValueModule.builder(ActionSpace.CATEGORICAL).build());
        DiscreteCQLLoss categorical = DiscreteCQLLoss.builder(categoricalActor).reduction("none").build();
        assertEquals(ActionSpace.CATEGORICAL, categorical.actionSpace(), "taken from the network's Q-value module");
        TensorDict idx = td.copy();
        idx.set("action", td.get("action").argmax(-1, false));
        TensorDict c = categorical.forward(idx);
        for (String k : List.of("loss_qvalue", "loss_cql")) {
            double[] x = none.get(k).toDoubleArray(), y = loss(net, false, "l2", "none").forward(td.copy()).get(k).toDoubleArray(), z = c.get(k).toDoubleArray();
            assertEquals(x.length, z.length);
            for (int i = 0; i < y.length; i++) assertEquals(y[i], z[i], 1e-14, k + " categorical == one-hot at " + i);
        }
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Sequential net = TinyQ.network(8);
        TensorDict td = TinyQ.batch(Gen.seeded(9), 5);
        TensorDict plain = loss(net, false, "l2", "mean").forward(td.copy());

        DiscreteCQLLoss renamed = loss(net, false, "l2", "mean");
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        keys.put("pred_val", "q_all");
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        TensorDict out = renamed.forward(moved);
        for (String k : List.of("loss_qvalue", "loss_cql", "target_value")) assertEquals(plain.get(k).item(), out.get(k).item(), 1e-14, k);
        assertTrue(moved.contains(Key.of("prio", "err")) && moved.contains("q_all"));
        assertFalse(moved.contains("td_error") || moved.contains("pred_val"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("priority_weight", "w"));
        assertTrue(e.getMessage().contains("'priority_weight'"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        DiscreteCQLLoss loss = loss(TinyQ.network(10), false, "l2", "mean");
        TensorDict td = TinyQ.batch(Gen.seeded(11), 4);
        td.remove("action");
        Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("action") && e.getMessage().contains("observation"), e.getMessage());
        TensorDict noReward = TinyQ.batch(Gen.seeded(11), 4);
        noReward.remove(Key.of("next", "reward"));
        Exception e2 = assertThrows(RuntimeException.class, () -> loss.forward(noReward));
        assertTrue(e2.getMessage().contains("reward"), e2.getMessage());
    }

    @Test
    void estimators() {
        DiscreteCQLLoss loss = loss(TinyQ.network(12), false, "l2", "mean");
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        loss.makeValueEstimator(ValueEstimators.TD1);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("DiscreteCQLLoss"), u.getMessage());
    }

    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("discrete cql order invariance", 20, gen -> {
            DiscreteCQLLoss loss = loss(TinyQ.network(gen.intIn(0, 100)), gen.bool(), gen.oneOf("l2", "smooth_l1"), "mean");
            loadTargetsFrom(loss, TinyQ.network(gen.intIn(101, 200)));
            int n = gen.intIn(2, 9);
            TensorDict td = TinyQ.batch(gen, n);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict shuffled = td.index(Tensor.of(idx, n));
            TensorDict a = loss.forward(td), b = loss.forward(shuffled);
            for (String k : List.of("loss_qvalue", "loss_cql", "td_error", "pred_value", "target_value")) {
                assertEquals(a.get(k).item(), b.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    /**
     * Offline data from a uniform behaviour policy on a contextual bandit (every step terminal,
     * action j pays three times the j-th of four linear functions of the observation): the TD
     * term falls and the total loss falls towards the conservative term's floor.
     */
    @Test
    void aShortTrainingRunLowersTheLossAndStaysFinite() {
        Sequential net = TinyQ.network(13);
        DiscreteCQLLoss loss = loss(net, false, "l2", "mean");
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(14);
        double[][] w = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, -1, 0}};
        List<Double> total = new ArrayList<>(), td = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            int n = 32;
            TensorDict batch = TinyQ.batch(gen, n);
            double[] obs = batch.get("observation").toDoubleArray();
            long[] a = batch.get("action").toLongArray();
            double[] r = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < TinyQ.ACTIONS; j++) if (a[i * TinyQ.ACTIONS + j] == 1) {
                for (int k = 0; k < TinyQ.OBS; k++) r[i] += 3 * w[j][k] * obs[i * TinyQ.OBS + k];
            }
            batch.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
            batch.set(Key.of("next", "terminated"), Tensor.of(new boolean[n], n, 1).logicalNot());
            opt.zeroGrad();
            TensorDict out = loss.forward(batch);
            Tensor l = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(l.item()), "step " + step + ": loss " + l.item());
            l.backward();
            opt.step();
            updater.step();
            total.add(l.item());
            td.add(out.get("loss_qvalue").item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double firstTotal = mean(total.subList(0, 20)), lastTotal = mean(total.subList(280, 300));
        double firstTd = mean(td.subList(0, 20)), lastTd = mean(td.subList(280, 300));
        // With uniformly random data actions E[logsumexp Q − Q(a)] ≥ ln nA (Jensen), so the total cannot fall below ln 4: its excess over that at least halves.
        double floor = Math.log(TinyQ.ACTIONS);
        assertTrue(lastTotal - floor < 0.5 * (firstTotal - floor), "the loss falls: first 20 steps " + firstTotal + ", last 20 " + lastTotal);
        assertTrue(lastTd < 0.5 * firstTd, "the TD term falls: first 20 steps " + firstTd + ", last 20 " + lastTd);
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
