package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.OneHotCategorical;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

class DiscreteSACLossTest {
    private static final int NA = TinySac.ACTIONS;

    private static DiscreteSACLoss.Builder loss(long seed) {
        return DiscreteSACLoss.builder(TinySac.discreteActor(seed), TinySac.discreteCritics(seed + 1, 2)).actionSpace("one_hot").numActions(NA);
    }

    private static Set<Tensor> reached(Tensor term, List<Tensor> params) {
        Set<Tensor> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        if (!term.requiresGrad()) return out;
        List<Tensor> grads = Autograd.grad(List.of(term.sum()), params, null, false, true, true);
        for (int i = 0; i < params.size(); i++) if (grads.get(i).abs().sum().item() > 0) out.add(params.get(i));
        return out;
    }

    /** A source that fails on any request: the discrete loss draws nothing. */
    private static final RandomSource NO_DRAWS = new RandomSource() {
        @Override public Tensor standardNormal(String site, int[] shape, DType dtype) { throw new AssertionError("drew " + site); }
        @Override public Tensor uniform(String site, int[] shape, DType dtype, double low, double high) { throw new AssertionError("drew " + site); }
        @Override public Tensor randperm(String site, int n) { throw new AssertionError("drew " + site); }
    };

    @Test
    void eachLossEntryReachesExactlyItsOwnParametersAndTheDataIsLeftAlone() {
        DiscreteSACLoss loss = loss(1).build();
        loss.setRandomSource(NO_DRAWS);
        SoftUpdate.withTau(loss, 0.1);
        TensorDict td = TinySac.discreteBatch(Gen.seeded(2), 5);
        Tensor action = td.get("action");
        List<Key> keysBefore = td.keys(true, true);
        TensorDict out = loss.forward(td);
        assertSame(action, td.get("action"), "the critics' greedy actions do not replace the data's action");
        List<Key> added = new ArrayList<>(td.keys(true, true));
        added.removeAll(keysBefore);
        assertEquals(List.of(Key.of("td_error")), added, "only the priority is added to the input");
        assertArrayEquals(new int[] {5}, td.get("td_error").shape());
        assertFalse(td.get("td_error").requiresGrad());

        List<Tensor> all = loss.parameters();
        assertEquals(Set.copyOf(loss.namedParameters(DiscreteSACLoss.ACTOR).values()), reached(out.get("loss_actor"), all));
        assertEquals(Set.copyOf(loss.namedParameters(DiscreteSACLoss.QVALUE).values()), reached(out.get("loss_qvalue"), all));
        assertEquals(Set.of(loss.logAlpha()), reached(out.get("loss_alpha"), all));
        LossOutputs.totalLoss(out).backward();
        for (Tensor t : loss.targetParams(DiscreteSACLoss.QVALUE).leaves().values()) {
            assertFalse(t.requiresGrad());
            assertNull(t.grad());
        }
        assertFalse(out.get("alpha").requiresGrad() || out.get("entropy").requiresGrad(), "metrics are detached");
    }

    /**
     * The exact expectations of spec §2.5 evaluated from the networks' own outputs (softmax of the
     * actor's logits, each critic's values), with loss_function l1 and reduction none.
     */
    @Test
    void matchesTheExpectationsComputedFromTheNetworks() {
        Property.forAll("discrete sac formula", 10, gen -> {
            long seed = gen.intIn(0, 1000);
            var actor = TinySac.discreteActor(seed);
            var critics = TinySac.discreteCritics(seed + 1, 2);
            double alpha = gen.uniform(0.2, 2);
            DiscreteSACLoss loss = DiscreteSACLoss.builder(actor, critics).actionSpace("one_hot").numActions(NA).alphaInit(alpha).delayQvalue(false)
                    .lossFunction("l1").reduction("none").scalarOutputMode("non_tensor").build();
            int n = gen.intIn(1, 6);
            TensorDict td = TinySac.discreteBatch(gen, n);
            TensorDict out = loss.forward(td);

            double[] logits = actor.forward(td.copy()).get("logits").toDoubleArray();
            double[] nextLogits = actor.forward(td.nextView().copy()).get("logits").toDoubleArray();
            double[][] q = new double[2][], qNext = new double[2][];
            for (int k = 0; k < 2; k++) {
                q[k] = critics.get(k).forward(td.copy()).get("action_value").toDoubleArray();
                qNext[k] = critics.get(k).forward(td.nextView().copy()).get("action_value").toDoubleArray();
            }
            long[] a = td.get("action").toLongArray();
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double h = 0.98 * Math.log(NA);
            double[] gotQ = out.get("loss_qvalue").toDoubleArray(), gotActor = out.get("loss_actor").toDoubleArray();
            double[] gotAlpha = out.get("loss_alpha").toDoubleArray(), prio = td.get("td_error").toDoubleArray();
            double entropy = 0;
            for (int i = 0; i < n; i++) {
                double[] p = softmax(logits, i), pn = softmax(nextLogits, i);
                double vNext = 0, actorLoss = 0, lp = 0;
                for (int j = 0; j < NA; j++) {
                    double minNext = Math.min(qNext[0][i * NA + j], qNext[1][i * NA + j]);
                    vNext += pn[j] * (minNext - alpha * Math.log(pn[j]));
                    double minQ = Math.min(q[0][i * NA + j], q[1][i * NA + j]);
                    actorLoss += p[j] * (alpha * Math.log(p[j]) - minQ);
                    lp += p[j] * Math.log(p[j]);
                }
                double y = r[i] + (term[i] ? 0 : 0.99 * vNext);
                double lossQ = 0, maxErr = 0;
                for (int k = 0; k < 2; k++) {
                    double chosen = 0;
                    for (int j = 0; j < NA; j++) chosen += a[i * NA + j] * q[k][i * NA + j];
                    lossQ += Math.abs(chosen - y);
                    maxErr = Math.max(maxErr, Math.abs(chosen - y));
                }
                assertEquals(lossQ, gotQ[i], 1e-12 * (1 + lossQ), "loss_qvalue " + i);
                assertEquals(maxErr, prio[i], 1e-12 * (1 + maxErr), "td_error " + i);
                assertEquals(actorLoss, gotActor[i], 1e-12 * (1 + Math.abs(actorLoss)), "loss_actor " + i);
                assertEquals(-Math.log(alpha) * (lp + h), gotAlpha[i], 1e-12, "loss_alpha " + i);
                entropy -= lp / n;
            }
            assertEquals(entropy, out.get("entropy").item(), 1e-12);
            assertEquals(alpha, out.get("alpha").item(), 1e-12);
        });
    }

    private static double[] softmax(double[] logits, int row) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < NA; j++) max = Math.max(max, logits[row * NA + j]);
        double[] p = new double[NA];
        for (int j = 0; j < NA; j++) sum += p[j] = Math.exp(logits[row * NA + j] - max);
        for (int j = 0; j < NA; j++) p[j] /= sum;
        return p;
    }

    @Test
    void categoricalAndOneHotActionsGiveTheSameLoss() {
        TensorDict td = TinySac.discreteBatch(Gen.seeded(3), 6);
        TensorDict indices = td.copy();
        indices.set("action", td.get("action").argmax(-1, false));
        TensorDict oneHot = loss(4).build().forward(td);
        TensorDict categorical = loss(4).actionSpace("categorical").build().forward(indices);
        for (String k : List.of("loss_qvalue", "loss_actor", "loss_alpha")) assertEquals(oneHot.get(k).item(), categorical.get(k).item(), 1e-14, k);
        assertArrayEquals(td.get("td_error").toDoubleArray(), indices.get("td_error").toDoubleArray(), 1e-14);
    }

    @Test
    void targetEntropyIsPositiveAndNeedsTheNumberOfActions() {
        assertEquals(0.98 * Math.log(NA), loss(5).build().targetEntropy(), 1e-15, "H̄ = w ln nA (spec §4 item 6)");
        assertEquals(0.5 * Math.log(NA), loss(5).targetEntropyWeight(0.5).build().targetEntropy(), 1e-15);
        assertEquals(-0.3, loss(5).targetEntropy(-0.3).build().targetEntropy(), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiscreteSACLoss.builder(TinySac.discreteActor(5), TinySac.discreteCritics(6, 2)).build());
        assertTrue(e.getMessage().contains("num_actions"), e.getMessage());
        // An explicit target entropy needs no action count.
        DiscreteSACLoss.builder(TinySac.discreteActor(5), TinySac.discreteCritics(6, 2)).targetEntropy(1.0).build();

        TensorDict td = TinySac.discreteBatch(Gen.seeded(7), 4);
        TensorDict a = loss(8).alphaInit(0.5).build().forward(td.copy()), b = loss(8).alphaInit(0.5).targetEntropy(-1.0).build().forward(td.copy());
        assertNotEquals(a.get("loss_alpha").item(), b.get("loss_alpha").item());
        assertEquals(a.get("loss_actor").item(), b.get("loss_actor").item(), 0.0);
    }

    /** With skipDoneStates a done next state is valued 0 even when not terminated: the same as a terminated transition without the option. */
    @Test
    void skipDoneStatesValuesDoneNextStatesAtZero() {
        TensorDict td = TinySac.discreteBatch(Gen.seeded(9), 6);
        boolean[] done = {true, false, true, false, false, true};
        td.set(Key.of("next", "done"), Tensor.of(done, 6, 1));
        td.set(Key.of("next", "terminated"), Tensor.of(new boolean[6], 6, 1));
        TensorDict terminatedWhereDone = td.copy();
        terminatedWhereDone.set(Key.of("next", "terminated"), Tensor.of(done, 6, 1));
        double skipping = loss(10).skipDoneStates(true).build().forward(td.copy()).get("loss_qvalue").item();
        double plain = loss(10).build().forward(td.copy()).get("loss_qvalue").item();
        double reference = loss(10).build().forward(terminatedWhereDone).get("loss_qvalue").item();
        assertEquals(reference, skipping, 1e-12);
        assertNotEquals(plain, skipping);
        TensorDict allDone = td.copy();
        allDone.set(Key.of("next", "done"), Tensor.ones(DType.BOOL, 6, 1));
        loss(10).skipDoneStates(true).build().forward(allDone);
    }

    @Test
    void reductionsWeightsAndScalarOutputs() {
        TensorDict td = TinySac.discreteBatch(Gen.seeded(11), 5);
        Tensor w = Gen.seeded(12).uniform(new int[] {5}, 0.1, 2);
        TensorDict weighted = td.copy();
        weighted.set("priority_weight", w);
        TensorDict none = loss(13).reduction("none").scalarOutputMode("exclude").build().forward(td.copy());
        TensorDict mean = loss(13).build().forward(td.copy());
        TensorDict sum = loss(13).reduction("sum").build().forward(td.copy());
        TensorDict prio = loss(13).build().forward(weighted);
        for (String k : List.of("loss_qvalue", "loss_actor", "loss_alpha")) {
            assertArrayEquals(new int[] {5}, none.get(k).shape());
            assertEquals(none.get(k).mean().item(), mean.get(k).item(), 1e-12, k);
            assertEquals(none.get(k).sum().item(), sum.get(k).item(), 1e-12, k);
            assertEquals(none.get(k).mul(w).sum().item() / w.sum().item(), prio.get(k).item(), 1e-12, k);
        }
        assertFalse(none.contains("alpha") || none.contains("entropy"));
        assertTrue(loss(13).reduction("none").scalarOutputMode("non_tensor").build().forward(td.copy()).contains("entropy"));
    }

    @Test
    void alphaBoundsClampInPlaceAndDeactivatedVmapAgrees() {
        TensorDict td = TinySac.discreteBatch(Gen.seeded(14), 4);
        DiscreteSACLoss clamped = loss(15).alphaInit(0.01).minAlpha(0.1).build();
        assertEquals(0.1, clamped.forward(td.copy()).get("alpha").item(), 1e-15);
        assertEquals(Math.log(0.1), clamped.logAlpha().item(), 1e-15);
        TensorDict a = loss(16).build().forward(td.copy()), b = loss(16).deactivateVmap(true).build().forward(td.copy());
        for (Key k : a.keys()) assertEquals(a.get(k).item(), b.get(k).item(), 1e-13, k.toString());
        DiscreteSACLoss fixed = loss(16).fixedAlpha(true).build();
        assertFalse(fixed.parameters().contains(fixed.logAlpha()));
    }

    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("discrete sac order invariance", 15, gen -> {
            int n = gen.intIn(2, 8);
            TensorDict td = TinySac.discreteBatch(gen, n);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict shuffled = td.index(Tensor.of(idx, n));
            long seed = gen.intIn(0, 1000);
            TensorDict a = loss(seed).build().forward(td), b = loss(seed).build().forward(shuffled);
            for (String k : List.of("loss_qvalue", "loss_actor", "loss_alpha", "entropy")) {
                assertEquals(a.get(k).item(), b.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    @Test
    void setKeysAndMissingInputs() {
        TensorDict td = TinySac.discreteBatch(Gen.seeded(17), 4);
        double plain = loss(18).build().forward(td.copy()).get("loss_qvalue").item();
        DiscreteSACLoss renamed = loss(18).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("reward", "rew");
        keys.put("priority", "prio");
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        assertEquals(plain, renamed.forward(moved).get("loss_qvalue").item(), 1e-14);
        assertTrue(moved.contains("prio") && !moved.contains("td_error"));

        for (Key missing : List.of(Key.of("action"), Key.of("next", "reward"), Key.of("next", "observation"))) {
            TensorDict broken = TinySac.discreteBatch(Gen.seeded(19), 4);
            broken.remove(missing);
            Exception e = assertThrows(RuntimeException.class, () -> loss(18).build().forward(broken));
            assertTrue(e.getMessage().contains(missing.last()), missing + ": " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("action_values", "q"));
    }

    /**
     * A contextual bandit (every transition terminates): the reward of action j is
     * {@code w_j · s}. The critics learn it (loss_qvalue falls) and the policy puts more mass on the
     * best action.
     */
    @Test
    void aShortTrainingRunLowersTheCriticLossAndImprovesThePolicy() {
        DiscreteSACLoss loss = loss(20).alphaInit(0.05).build();
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(21);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, 0}, NA, TinySac.OBS);
        List<Double> critic = new ArrayList<>();
        double before = expectedReward(loss, w, Gen.seeded(22));
        for (int step = 0; step < 150; step++) {
            int n = 32;
            TensorDict td = TinySac.discreteBatch(gen, n);
            Tensor rewards = td.get("observation").matmul(w.transpose(0, 1));
            td.set(Key.of("next", "reward"), rewards.mul(td.get("action").to(DType.FLOAT64)).sum(-1, true));
            td.set(Key.of("next", "terminated"), Tensor.ones(DType.BOOL, n, 1));
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step);
            total.backward();
            opt.step();
            updater.step();
            critic.add(out.get("loss_qvalue").item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0);
        double first = critic.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = critic.subList(130, 150).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.25 * first, "the critic loss falls: first 20 steps " + first + ", last 20 " + last);
        double after = expectedReward(loss, w, Gen.seeded(22));
        assertTrue(after > before + 0.3, "the policy's expected reward rises: before " + before + ", after " + after);
    }

    /** The policy's expected reward Σ_a π(a|s) w_a·s on fresh states. */
    private static double expectedReward(DiscreteSACLoss loss, Tensor w, Gen gen) {
        TensorDict td = TinySac.discreteBatch(gen, 64);
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor probs = ((OneHotCategorical) loss.actor().getDist(td.copy())).probs();
            return probs.mul(td.get("observation").matmul(w.transpose(0, 1))).sum(-1).mean().item();
        }
    }
}
