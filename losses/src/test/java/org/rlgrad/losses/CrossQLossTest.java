package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.RedqCrossQFixtures.ACT;
import static org.rlgrad.losses.RedqCrossQFixtures.actor;
import static org.rlgrad.losses.RedqCrossQFixtures.actorSample;
import static org.rlgrad.losses.RedqCrossQFixtures.batch;
import static org.rlgrad.losses.RedqCrossQFixtures.batchNormCritic;
import static org.rlgrad.losses.RedqCrossQFixtures.critic;
import static org.rlgrad.losses.RedqCrossQFixtures.critics;
import static org.rlgrad.losses.RedqCrossQFixtures.normal;
import static org.rlgrad.losses.RedqCrossQFixtures.q;
import static org.rlgrad.losses.RedqCrossQFixtures.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class CrossQLossTest {
    private static TensorDict run(CrossQLoss loss, TensorDict td, Tensor epsNext, Tensor epsCur) {
        loss.setRandomSource(replay(normal("Normal.sample", epsNext), normal("Normal.rsample", epsCur)));
        return loss.forward(td);
    }

    private static Tensor eps(Gen gen, int b) {
        return gen.uniform(new int[] {b, ACT}, -2, 2);
    }

    /** Every output of spec §2.7 against the formulas, evaluated critic by critic (no vmap, no joint batch: plain MLPs do not care). */
    @Test
    void matchesTheFormulasEvaluatedCriticByCritic() {
        Property.forAll("crossq formula", 12, gen -> {
            int n = gen.intIn(1, 4), b = gen.intIn(1, 6);
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            double alphaInit = gen.choose(0.3, 1.0, 20.0);
            Double maxAlpha = gen.bool() ? 5.0 : null;
            gen.note("n", n).note("b", b).note("distance", distance).note("alpha", alphaInit).note("maxAlpha", maxAlpha);
            ProbabilisticActor actor = actor(gen.intIn(0, 999));
            List<ValueOperator> critics = critics(n, gen.intIn(0, 999));
            CrossQLoss loss = CrossQLoss.builder(actor, critics).lossFunction(distance).alphaInit(alphaInit).maxAlpha(maxAlpha).reduction("none")
                    .scalarOutputMode("non_tensor").build();
            TensorDict td = batch(gen, b);
            Tensor epsNext = eps(gen, b), epsCur = eps(gen, b);
            TensorDict out = run(loss, td, epsNext, epsCur);

            double logAlpha = maxAlpha == null ? Math.log(alphaInit) : Math.min(Math.log(alphaInit), Math.log(maxAlpha));
            double alpha = Math.exp(logAlpha);
            TensorDict next = td.getTensorDict("next");
            SampleAndLogProb sn = actorSample(actor, next, epsNext), sc = actorSample(actor, td, epsCur);
            double[] lpn = sn.logProb().toDoubleArray(), lp = sc.logProb().toDoubleArray();
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[] minNext = new double[b], minAct = new double[b];
            Arrays.fill(minNext, Double.POSITIVE_INFINITY);
            Arrays.fill(minAct, Double.POSITIVE_INFINITY);
            List<double[]> qData = new ArrayList<>();
            for (ValueOperator c : critics) {
                double[] qn = q(c, next, sn.sample()).toDoubleArray(), qa = q(c, td, sc.sample()).toDoubleArray();
                for (int i = 0; i < b; i++) {
                    minNext[i] = Math.min(minNext[i], qn[i]);
                    minAct[i] = Math.min(minAct[i], qa[i]);
                }
                qData.add(q(c, td, td.get("action")).toDoubleArray());
            }
            double[] lossQ = new double[b], tdErr = new double[b], lossActor = new double[b], lossAlpha = new double[b];
            double entropy = 0;
            for (int i = 0; i < b; i++) {
                double y = r[i] + (term[i] ? 0 : 0.99 * (minNext[i] - alpha * lpn[i]));
                for (double[] qd : qData) {
                    double d = qd[i] - y;
                    lossQ[i] += switch (distance) {
                        case "l2" -> d * d;
                        case "l1" -> Math.abs(d);
                        default -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
                    };
                    tdErr[i] = Math.max(tdErr[i], Math.abs(d));
                }
                lossActor[i] = alpha * lp[i] - minAct[i];
                lossAlpha[i] = -logAlpha * (lp[i] - ACT);
                entropy -= lp[i] / b;
            }
            close(lossQ, out.get("loss_qvalue"), "loss_qvalue");
            close(lossActor, out.get("loss_actor"), "loss_actor");
            close(lossAlpha, out.get("loss_alpha"), "loss_alpha");
            close(tdErr, out.get("td_error"), "td_error (metric)");
            close(tdErr, td.get("td_error"), "td_error (priority)");
            close(lp, out.get("log_prob"), "log_prob");
            assertEquals(alpha, out.get("alpha").item(), 1e-12 * alpha, "alpha");
            assertEquals(entropy, out.get("entropy").item(), 1e-12 * (1 + Math.abs(entropy)), "entropy");
            assertEquals(logAlpha, loss.logAlpha().item(), 1e-15, "CrossQ clamps log_alpha in place");
        });
    }

    private static void close(double[] want, Tensor got, String what) {
        assertArrayEquals(new int[] {want.length}, got.shape(), what + ": shape");
        double[] g = got.toDoubleArray();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], g[i], 1e-12 * (1 + Math.abs(want[i])), what + "[" + i + "]");
    }

    private static boolean zero(Tensor g) {
        return g.abs().sum().item() == 0;
    }

    @Test
    void eachLossEntryReachesExactlyItsParametersAndThereAreNoTargets() {
        CrossQLoss loss = CrossQLoss.builder(actor(1), critic(2)).numQvalueNets(3).generator(new Generator(3)).build();
        loss.setRandomSource(new Generator(4));
        TensorDict td = batch(Gen.seeded(5), 6);
        TensorDict out = loss.forward(td);
        List<Tensor> actorParams = new ArrayList<>(loss.namedParameters(CrossQLoss.ACTOR_NETWORK).values());
        List<Tensor> criticParams = new ArrayList<>(loss.namedParameters(CrossQLoss.QVALUE_NETWORK).values());
        List<Tensor> all = new ArrayList<>(actorParams);
        all.addAll(criticParams);
        all.add(loss.logAlpha());
        assertEquals(all.size(), loss.parameters().size());
        for (String entry : List.of("loss_actor", "loss_qvalue", "loss_alpha")) {
            List<Tensor> g = Autograd.grad(List.of(out.get(entry)), all, null, false, true, true);
            for (int i = 0; i < all.size(); i++) {
                boolean isActor = i < actorParams.size(), isAlpha = i == all.size() - 1, isCritic = !isActor && !isAlpha;
                boolean expected = entry.equals("loss_actor") ? isActor : entry.equals("loss_qvalue") ? isCritic : isAlpha;
                if (!expected) assertTrue(zero(g.get(i)), entry + " must not reach parameter " + i);
                else if (isCritic) for (int k = 0; k < 3; k++) assertFalse(zero(g.get(i).select(0, k)), entry + " reaches critic member " + k);
                else assertFalse(zero(g.get(i)), entry + " reaches parameter " + i);
            }
        }
        for (String metric : List.of("alpha", "entropy", "log_prob", "td_error")) assertFalse(out.get(metric).requiresGrad(), metric + " is detached");
        assertFalse(td.get("td_error").requiresGrad());
        assertFalse(loss.hasDelayedTarget(CrossQLoss.ACTOR_NETWORK) || loss.hasDelayedTarget(CrossQLoss.QVALUE_NETWORK), "no target networks at all");
        assertThrows(RuntimeException.class, () -> SoftUpdate.withTau(loss, 0.1), "nothing for an updater to move");
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Gen gen = Gen.seeded(6);
        TensorDict td = batch(gen, 5);
        Tensor en = eps(gen, 5), ec = eps(gen, 5);
        TensorDict original = td.copy();
        TensorDict want = run(CrossQLoss.builder(actor(7), List.of(critic(8), critic(9))).build(), original, en, ec);
        CrossQLoss renamed = CrossQLoss.builder(actor(7), List.of(critic(8, "act", "sav"), critic(9, "act", "sav"))).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("state_action_value", "sav");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("done", "dn");
        keys.put("priority", Key.of("prio", "err"));
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        moved.rename(Key.of("next", "done"), Key.of("next", "dn"));
        TensorDict got = run(renamed, moved, en, ec);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha", "td_error", "log_prob")) {
            assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), 1e-12, k);
        }
        assertArrayEquals(original.get("td_error").toDoubleArray(), moved.get(Key.of("prio", "err")).toDoubleArray(), 1e-12);
        assertFalse(moved.contains("td_error"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("value", "v"));
        assertTrue(e.getMessage().contains("'value'") && e.getMessage().contains("log_prob"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        CrossQLoss loss = CrossQLoss.builder(actor(1), critics(2, 2)).build();
        loss.setRandomSource(new Generator(2));
        for (Key missing : List.of(Key.of("action"), Key.of("next", "observation"), Key.of("observation"), Key.of("next", "reward"))) {
            TensorDict td = batch(Gen.seeded(3), 4);
            td.remove(missing);
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td), missing.toString());
            assertTrue(e.getMessage().contains(missing.last()), missing + ": " + e.getMessage());
            if (missing.isNested()) assertTrue(e.getMessage().contains("next"), e.getMessage());
        }
    }

    @Test
    void lossesAreInvariantToTheOrderOfSamples() {
        Property.forAll("crossq order invariance", 15, gen -> {
            int b = gen.intIn(2, 7);
            CrossQLoss loss = CrossQLoss.builder(actor(gen.intIn(0, 99)), critics(gen.intIn(1, 3), gen.intIn(0, 99))).lossFunction(gen.oneOf("l2", "smooth_l1"))
                    .build();
            TensorDict td = batch(gen, b);
            Tensor en = eps(gen, b), ec = eps(gen, b);
            int[] order = gen.permutation(b);
            Tensor idx = Tensor.of(Arrays.stream(order).asLongStream().toArray(), b);
            TensorDict shuffled = td.index(idx);
            TensorDict a = run(loss, td, en, ec), c = run(loss, shuffled, en.indexSelect(0, idx), ec.indexSelect(0, idx));
            for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha", "entropy")) {
                assertEquals(a.get(k).item(), c.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < b; i++) assertEquals(err[order[i]], errShuffled[i], 1e-12, "td_error follows its sample");
        });
    }

    /** The bandit of {@link REDQLossTest#banditBatch}: the critics learn r(s, a); no target networks are needed since y = r. */
    @Test
    void aShortTrainingRunLowersTheCriticLossAndStaysFinite() {
        CrossQLoss loss = CrossQLoss.builder(actor(31), critic(32)).generator(new Generator(33)).lossFunction("l2").build();
        loss.setRandomSource(new Generator(34));
        Adam opt = new Adam(loss.parameters(), 0.05);
        Gen gen = Gen.seeded(35);
        List<Double> history = new ArrayList<>();
        int steps = 150;
        for (int step = 0; step < steps; step++) {
            TensorDict td = REDQLossTest.banditBatch(gen, 32);
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            opt.step();
            history.add(out.get("loss_qvalue").item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double first = history.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = history.subList(steps - 20, steps).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.5 * first, "the critic loss falls: first 20 steps " + first + ", last 20 " + last);
    }

    /**
     * Batch-norm critics: refused inside vmap with the way out; in the loop, the Q loss normalises
     * with the statistics of the joint batch [(s, a); (s', a')] and updates the running statistics,
     * the actor loss uses them (evaluation mode), and the critics end in training mode.
     */
    @Test
    void batchNormCriticsNormaliseTheJointBatchAndTheActorLossUsesRunningStatistics() {
        Gen gen = Gen.seeded(10);
        int b = 5;
        TensorDict td = batch(gen, b);
        Tensor en = eps(gen, b), ec = eps(gen, b);
        CrossQLoss vmapped = CrossQLoss.builder(actor(1), List.of(batchNormCritic(2), batchNormCritic(3))).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(vmapped, td.copy(), en, ec));
        assertTrue(e.getMessage().contains("setDeactivateVmap(true)"), e.getMessage());

        ProbabilisticActor actor = actor(1);
        CrossQLoss loss = CrossQLoss.builder(actor, List.of(batchNormCritic(2), batchNormCritic(3))).deactivateVmap(true).reduction("none").build();
        TensorDict out = run(loss, td, en, ec);
        assertTrue(loss.ensemble(CrossQLoss.QVALUE_NETWORK).isTraining(), "the critics are back in training mode");

        // The same critics, run by hand: training mode on the joint batch, then evaluation mode for the actor term.
        List<ValueOperator> byHand = List.of(batchNormCritic(2), batchNormCritic(3));
        TensorDict next = td.getTensorDict("next");
        SampleAndLogProb sn = actorSample(actor, next, en), sc = actorSample(actor, td, ec);
        TensorDict joint = new TensorDict(2 * b);
        joint.set("observation", Tensor.cat(List.of(td.get("observation"), next.get("observation")), 0));
        joint.set("action", Tensor.cat(List.of(td.get("action"), sn.sample()), 0));
        double[] minNext = new double[b], minAct = new double[b];
        Arrays.fill(minNext, Double.POSITIVE_INFINITY);
        Arrays.fill(minAct, Double.POSITIVE_INFINITY);
        List<double[]> cur = new ArrayList<>();
        for (ValueOperator c : byHand) {
            double[] qj = q(c, joint, joint.get("action")).toDoubleArray();
            cur.add(Arrays.copyOfRange(qj, 0, b));
            for (int i = 0; i < b; i++) minNext[i] = Math.min(minNext[i], qj[b + i]);
            c.eval();
            double[] qa = q(c, td, sc.sample()).toDoubleArray();
            for (int i = 0; i < b; i++) minAct[i] = Math.min(minAct[i], qa[i]);
        }
        double[] r = td.get(Key.of("next", "reward")).toDoubleArray(), lpn = sn.logProb().toDoubleArray(), lp = sc.logProb().toDoubleArray();
        boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
        double[] tdErr = new double[b], lossActor = new double[b];
        for (int i = 0; i < b; i++) {
            double y = r[i] + (term[i] ? 0 : 0.99 * (minNext[i] - lpn[i]));
            for (double[] qc : cur) tdErr[i] = Math.max(tdErr[i], Math.abs(qc[i] - y));
            lossActor[i] = lp[i] - minAct[i];
        }
        close(tdErr, out.get("td_error"), "td_error with joint-batch statistics");
        close(lossActor, out.get("loss_actor"), "loss_actor with the updated running statistics");
        // Each member's running statistics moved like its hand-run twin's.
        TensorDict stats = loss.params(CrossQLoss.QVALUE_NETWORK);
        for (int k = 0; k < 2; k++) {
            Tensor twin = byHand.get(k).namedBuffers().entrySet().stream().filter(x -> x.getKey().endsWith("running_mean")).findFirst().orElseThrow().getValue();
            Tensor mine = stats.leaves().entrySet().stream().filter(x -> x.getKey().last().equals("running_mean")).findFirst().orElseThrow().getValue().select(0, k);
            assertArrayEquals(twin.toDoubleArray(), mine.toDoubleArray(), 1e-12, "running_mean of member " + k);
            assertTrue(mine.abs().sum().item() > 0, "the running mean moved from zero");
        }
    }

    @Test
    void alphaIsClampedInPlaceOnlyWhenBoundsAreGiven() {
        CrossQLoss unbounded = CrossQLoss.builder(actor(1), critics(2, 2)).alphaInit(50).build();
        unbounded.setRandomSource(new Generator(3));
        assertEquals(50.0, unbounded.forward(batch(Gen.seeded(4), 4)).get("alpha").item(), 1e-12, "no bounds by default");
        CrossQLoss bounded = CrossQLoss.builder(actor(1), critics(2, 2)).alphaInit(50).minAlpha(0.5).maxAlpha(5.0).build();
        bounded.setRandomSource(new Generator(3));
        assertEquals(5.0, bounded.forward(batch(Gen.seeded(4), 4)).get("alpha").item(), 1e-12);
        assertEquals(Math.log(5.0), bounded.logAlpha().item(), 1e-15, "the stored log_alpha is clamped in place");
        CrossQLoss fixed = CrossQLoss.builder(actor(1), critics(2, 2)).fixedAlpha(true).build();
        assertFalse(fixed.logAlpha().requiresGrad());
        assertTrue(fixed.parameters().stream().noneMatch(p -> p == fixed.logAlpha()));
    }

    @Test
    void reductionsMasksAndScalarOutputModes() {
        Gen gen = Gen.seeded(8);
        TensorDict td = batch(gen, 6);
        Tensor en = eps(gen, 6), ec = eps(gen, 6);
        TensorDict none = run(CrossQLoss.builder(actor(1), critics(2, 2)).reduction("none").scalarOutputMode("exclude").build(), td.copy(), en, ec);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha")) assertArrayEquals(new int[] {6}, none.get(k).shape(), k);
        assertFalse(none.contains("alpha") || none.contains("entropy"));
        TensorDict sum = run(CrossQLoss.builder(actor(1), critics(2, 2)).reduction("sum").build(), td.copy(), en, ec);
        boolean[] valid = {true, true, false, true, false, false};
        TensorDict masked = td.copy();
        masked.set(Key.of("collector", "mask"), Tensor.of(valid, 6));
        TensorDict mean = run(CrossQLoss.builder(actor(1), critics(2, 2)).build(), masked, en, ec);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha")) {
            double[] v = none.get(k).toDoubleArray();
            double total = 0, kept = 0;
            for (int i = 0; i < 6; i++) {
                total += v[i];
                if (valid[i]) kept += v[i];
            }
            assertEquals(total, sum.get(k).item(), 1e-12 * (1 + Math.abs(total)), k + " sum");
            assertEquals(kept / 3, mean.get(k).item(), 1e-12 * (1 + Math.abs(kept)), k + " masked mean");
        }
        assertTrue(mean.contains("alpha") && mean.contains("entropy"));
    }

    /** The components alone draw in the same order and give forward's entries. */
    @Test
    void theComponentsCalledAloneGiveForwardsEntries() {
        Gen gen = Gen.seeded(9);
        TensorDict td = batch(gen, 4);
        Tensor en = eps(gen, 4), ec = eps(gen, 4);
        TensorDict whole = run(CrossQLoss.builder(actor(1), critics(2, 2)).build(), td.copy(), en, ec);
        CrossQLoss parts = CrossQLoss.builder(actor(1), critics(2, 2)).build();
        parts.setRandomSource(replay(normal("Normal.sample", en), normal("Normal.rsample", ec)));
        LossTerm q = parts.qvalueLoss(td.copy()), a = parts.actorLoss(td.copy());
        assertEquals(whole.get("loss_qvalue").item(), q.loss().item(), 1e-13);
        assertArrayEquals(whole.get("td_error").toDoubleArray(), q.metric("td_error").toDoubleArray(), 1e-13);
        assertEquals(whole.get("loss_actor").item(), a.loss().item(), 1e-13);
        assertEquals(whole.get("loss_alpha").item(), parts.alphaLoss(a.metric("log_prob")).loss().item(), 1e-13);
    }

    @Test
    void constructionChecksAndDefaults() {
        assertEquals(2, CrossQLoss.builder(actor(1), critic(2)).generator(new Generator(1)).build().numQvalueNets(), "default num_qvalue_nets = 2");
        assertThrows(IllegalArgumentException.class, () -> CrossQLoss.builder(actor(1), critics(3, 2)).numQvalueNets(2).build());
        assertEquals(-6.0, CrossQLoss.builder(actor(1), critics(2, 2)).actionShape(6).build().targetEntropy(), "auto resolved at construction from the spec");
        assertNull(CrossQLoss.builder(actor(1), critics(2, 2)).build().targetEntropy());
        CrossQLoss loss = CrossQLoss.builder(actor(1), critics(2, 2)).build();
        assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        loss.makeValueEstimator(ValueEstimators.TD1);
        loss.setRandomSource(new Generator(1));
        assertTrue(Double.isFinite(LossOutputs.totalLoss(loss.forward(batch(Gen.seeded(1), 4))).item()));
        assertEquals(-ACT, loss.targetEntropy());
        String s = loss.toString();
        assertTrue(s.contains("num_qvalue_nets=2") && s.contains("smooth_l1"), s);
        assertEquals(List.of("action", "state_action_value", "priority", "reward", "done", "terminated", "log_prob"), CrossQLoss.keyNames());
    }
}
