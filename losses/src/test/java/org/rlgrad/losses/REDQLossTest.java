package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.RedqCrossQFixtures.ACT;
import static org.rlgrad.losses.RedqCrossQFixtures.HIDDEN;
import static org.rlgrad.losses.RedqCrossQFixtures.OBS;
import static org.rlgrad.losses.RedqCrossQFixtures.actor;
import static org.rlgrad.losses.RedqCrossQFixtures.actorSample;
import static org.rlgrad.losses.RedqCrossQFixtures.batch;
import static org.rlgrad.losses.RedqCrossQFixtures.critic;
import static org.rlgrad.losses.RedqCrossQFixtures.critics;
import static org.rlgrad.losses.RedqCrossQFixtures.normal;
import static org.rlgrad.losses.RedqCrossQFixtures.q;
import static org.rlgrad.losses.RedqCrossQFixtures.randperm;
import static org.rlgrad.losses.RedqCrossQFixtures.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class REDQLossTest {
    private static final double LN_MIN = Math.log(0.1), LN_MAX = Math.log(10.0);

    private static Tensor eps(Gen gen, int b) {
        return gen.uniform(new int[] {2, b, ACT}, -2, 2);
    }

    /** Every output of spec §2.6 against the formulas, evaluated network by network (no vmap, no stacking). */
    @Test
    void matchesTheFormulasEvaluatedCriticByCritic() {
        Property.forAll("redq formula", 12, gen -> {
            int n = gen.intIn(2, 5), sub = gen.intIn(1, 6), m = Math.max(1, Math.min(sub, n - 1)), b = gen.intIn(1, 6);
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            double alphaInit = gen.choose(0.05, 0.5, 1.0, 20.0);
            boolean delay = gen.bool();
            gen.note("n", n).note("m", m).note("b", b).note("distance", distance).note("alpha", alphaInit).note("delay", delay);
            ProbabilisticActor actor = actor(gen.intIn(0, 999));
            List<ValueOperator> critics = critics(n, gen.intIn(0, 999)), targets = delay ? critics(n, gen.intIn(1000, 1999)) : critics;
            REDQLoss loss = REDQLoss.builder(actor, critics).subSampleLen(sub).lossFunction(distance).alphaInit(alphaInit).delayQvalue(delay)
                    .reduction("none").scalarOutputMode("non_tensor").build();
            if (delay) loss.loadTargetParams(REDQLoss.QVALUE_NETWORK, Parameters.fromModules(targets));
            TensorDict td = batch(gen, b);
            int[] perm = gen.permutation(n);
            Tensor eps = eps(gen, b);
            loss.setRandomSource(replay(randperm(Arrays.stream(perm).asLongStream().toArray()), normal("Normal.rsample", eps)));
            TensorDict out = loss.forward(td);

            TensorDict next = td.getTensorDict("next");
            SampleAndLogProb s0 = actorSample(actor, td, eps.select(0, 0)), s1 = actorSample(actor, next, eps.select(0, 1));
            double[] lp0 = s0.logProb().toDoubleArray(), lp1 = s1.logProb().toDoubleArray();
            double alpha = Math.exp(Math.min(Math.max(Math.log(alphaInit), LN_MIN), LN_MAX));
            int[] subset = Arrays.copyOf(perm, m);
            Arrays.sort(subset);
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();

            double[] vNext = new double[b], y = new double[b], tdErr = new double[b];
            Arrays.fill(vNext, Double.POSITIVE_INFINITY);
            for (int j : subset) {
                double[] qn = q(targets.get(j), next, s1.sample()).toDoubleArray();
                for (int i = 0; i < b; i++) vNext[i] = Math.min(vNext[i], qn[i] - alpha * lp1[i]);
            }
            for (int i = 0; i < b; i++) y[i] = r[i] + (term[i] ? 0 : 0.99 * vNext[i]);
            double[] lossActor = new double[n * b], lossQ = new double[n * b], qAct = new double[n * b];
            for (int k = 0; k < n; k++) {
                double[] qa = q(critics.get(k), td, s0.sample()).toDoubleArray(), qp = q(critics.get(k), td, td.get("action")).toDoubleArray();
                for (int i = 0; i < b; i++) {
                    qAct[k * b + i] = qa[i];
                    lossActor[k * b + i] = -(qa[i] - alpha * lp0[i]);
                    double d = qp[i] - y[i];
                    lossQ[k * b + i] = switch (distance) {
                        case "l2" -> d * d;
                        case "l1" -> Math.abs(d);
                        default -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
                    };
                    tdErr[i] = Math.max(tdErr[i], d * d);
                }
            }
            double h = -ACT, entropy = 0, alphaGrad = 0;
            double[] lossAlpha = new double[2 * b];
            for (int i = 0; i < b; i++) {
                lossAlpha[i] = -alpha * (lp0[i] + h);
                lossAlpha[b + i] = -alpha * (lp1[i] + h);
                entropy -= (lp0[i] + lp1[i]) / (2.0 * b);
            }
            for (double v : lossAlpha) alphaGrad += v;

            close(lossActor, out.get("loss_actor"), new int[] {n, b}, "loss_actor");
            close(lossQ, out.get("loss_qvalue"), new int[] {n, b}, "loss_qvalue");
            close(lossAlpha, out.get("loss_alpha"), new int[] {2, b}, "loss_alpha");
            close(qAct, out.get("state_action_value_actor"), new int[] {n, b}, "state_action_value_actor");
            close(lp0, out.get("action_log_prob_actor"), new int[] {b}, "action_log_prob_actor");
            close(vNext, out.get(REDQLoss.NEXT_STATE_VALUE), new int[] {b}, "next.state_value");
            close(y, out.get("target_value"), new int[] {b}, "target_value");
            close(tdErr, td.get("td_error"), new int[] {b}, "td_error");
            close(new double[] {alpha}, out.get("alpha"), new int[0], "alpha");
            close(new double[] {entropy}, out.get("entropy"), new int[0], "entropy");
            assertEquals(Math.log(alphaInit), loss.logAlpha().item(), 1e-15, "REDQ clamps a copy: log_alpha is left as it is");
            // ste: the value is clamped, the gradient is that of the identity: d/dlogα Σ −exp(logα)(ℓ + H̄) at the clamped value.
            Tensor g = Autograd.grad(out.get("loss_alpha").sum(), loss.logAlpha());
            assertEquals(-alphaGrad, -g.item(), 1e-12 * (1 + Math.abs(alphaGrad)), "the alpha loss's gradient ignores the clamp");
            assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
        });
    }

    private static void close(double[] want, Tensor got, int[] shape, String what) {
        assertArrayEquals(shape, got.shape(), what + ": shape");
        assertFalse(got.requiresGrad() && !what.startsWith("loss"), what + " is detached");
        double[] g = got.toDoubleArray();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], g[i], 1e-12 * (1 + Math.abs(want[i])), what + "[" + i + "]");
    }

    private static boolean zero(Tensor g) {
        return g.abs().sum().item() == 0;
    }

    @Test
    void eachLossEntryReachesExactlyItsParametersAndNeverATarget() {
        ProbabilisticActor actor = actor(1);
        REDQLoss loss = REDQLoss.builder(actor, critic(2)).numQvalueNets(4).generator(new Generator(3)).build();
        SoftUpdate.withTau(loss, 0.5);
        loss.loadTargetParams(REDQLoss.QVALUE_NETWORK, loss.params(REDQLoss.QVALUE_NETWORK).apply(t -> t.detach().add(0.1)));
        loss.setRandomSource(new Generator(4));
        TensorDict td = batch(Gen.seeded(5), 6);
        TensorDict out = loss.forward(td);

        List<Tensor> actorParams = new ArrayList<>(loss.namedParameters(REDQLoss.ACTOR_NETWORK).values());
        List<Tensor> criticParams = new ArrayList<>(loss.namedParameters(REDQLoss.QVALUE_NETWORK).values());
        List<Tensor> all = new ArrayList<>(actorParams);
        all.addAll(criticParams);
        all.add(loss.logAlpha());
        assertEquals(all.size(), loss.parameters().size(), "the loss's parameters: actor, critics and log_alpha");
        for (String entry : List.of("loss_actor", "loss_qvalue", "loss_alpha")) {
            List<Tensor> g = Autograd.grad(List.of(out.get(entry)), all, null, false, true, true);
            for (int i = 0; i < all.size(); i++) {
                boolean isActor = i < actorParams.size(), isAlpha = i == all.size() - 1, isCritic = !isActor && !isAlpha;
                boolean expected = entry.equals("loss_actor") ? isActor : entry.equals("loss_qvalue") ? isCritic : isAlpha;
                if (!expected) {
                    assertTrue(zero(g.get(i)), entry + " must not reach parameter " + i);
                } else if (isCritic) {
                    for (int k = 0; k < 4; k++) assertFalse(zero(g.get(i).select(0, k)), entry + " reaches every critic member, member " + k);
                } else {
                    assertFalse(zero(g.get(i)), entry + " reaches parameter " + i);
                }
            }
        }
        LossOutputs.totalLoss(out).backward();
        for (Tensor t : loss.targetParams(REDQLoss.QVALUE_NETWORK).leaves().values()) {
            assertFalse(t.requiresGrad());
            assertNull(t.grad());
        }
        for (Tensor t : loss.targetParams(REDQLoss.ACTOR_NETWORK).leaves().values()) assertFalse(t.requiresGrad(), "the actor's target is a detached alias");
        assertFalse(loss.hasDelayedTarget(REDQLoss.ACTOR_NETWORK), "REDQ never delays the actor");
        for (String metric : List.of("alpha", "entropy", "state_action_value_actor", "action_log_prob_actor", "target_value")) {
            assertFalse(out.get(metric).requiresGrad(), metric + " is detached");
        }
        assertFalse(out.get(REDQLoss.NEXT_STATE_VALUE).requiresGrad());
        assertFalse(out.contains(Key.of("next", "state_value")), "next.state_value is one flat key, not a nested one");
    }

    private static TensorDict runWithDraws(REDQLoss loss, TensorDict td, long[] perm, Tensor eps) {
        loss.setRandomSource(replay(randperm(perm), normal("Normal.rsample", eps)));
        return loss.forward(td);
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Gen gen = Gen.seeded(6);
        TensorDict td = batch(gen, 5);
        Tensor eps = eps(gen, 5);
        long[] perm = {2, 0, 3, 1};
        REDQLoss plain = REDQLoss.builder(actor(7), List.of(critic(8), critic(9), critic(10), critic(11))).build();
        TensorDict original = td.copy();
        TensorDict want = runWithDraws(plain, original, perm, eps);

        REDQLoss renamed = REDQLoss.builder(actor(7), List.of(critic(8, "act", "sav"), critic(9, "act", "sav"), critic(10, "act", "sav"),
                critic(11, "act", "sav"))).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("state_action_value", "sav");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("done", "dn");
        keys.put("value", "v_next");
        keys.put("priority", Key.of("prio", "err"));
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        moved.rename(Key.of("next", "done"), Key.of("next", "dn"));
        TensorDict got = runWithDraws(renamed, moved, perm, eps);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha", "target_value")) {
            assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), 1e-12, k);
        }
        assertArrayEquals(original.get("td_error").toDoubleArray(), moved.get(Key.of("prio", "err")).toDoubleArray(), 1e-12);
        assertFalse(moved.contains("td_error"));

        renamed.setKeys("priority", null);
        assertEquals(Key.of("td_error"), renamed.key("priority"), "null restores the default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("actoin", "a"));
        assertTrue(e.getMessage().contains("'actoin'") && e.getMessage().contains("sample_log_prob"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        REDQLoss loss = REDQLoss.builder(actor(1), critic(2)).numQvalueNets(3).generator(new Generator(1)).build();
        loss.setRandomSource(new Generator(2));
        for (Key missing : List.of(Key.of("action"), Key.of("next", "observation"), Key.of("observation"), Key.of("next", "reward"))) {
            TensorDict td = batch(Gen.seeded(3), 4);
            td.remove(missing);
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td), missing.toString());
            assertTrue(e.getMessage().contains(missing.last()), missing + ": " + e.getMessage());
            if (missing.isNested()) assertTrue(e.getMessage().contains("next"), e.getMessage());
        }
    }

    /** Under mean reduction, permuting the batch (and the per-sample noise with it) changes no loss, and permutes the priority. */
    @Test
    void lossesAreInvariantToTheOrderOfSamples() {
        Property.forAll("redq order invariance", 15, gen -> {
            int n = gen.intIn(2, 4), b = gen.intIn(2, 7);
            REDQLoss loss = REDQLoss.builder(actor(gen.intIn(0, 99)), critics(n, gen.intIn(0, 99))).subSampleLen(gen.intIn(1, 3))
                    .lossFunction(gen.oneOf("l2", "smooth_l1")).build();
            TensorDict td = batch(gen, b);
            long[] perm = Arrays.stream(gen.permutation(n)).asLongStream().toArray();
            Tensor eps = eps(gen, b);
            int[] order = gen.permutation(b);
            Tensor idx = Tensor.of(Arrays.stream(order).asLongStream().toArray(), b);
            TensorDict shuffledTd = td.index(idx);
            TensorDict a = runWithDraws(loss, td, perm, eps), c = runWithDraws(loss, shuffledTd, perm, eps.indexSelect(1, idx));
            for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha", "entropy")) {
                assertEquals(a.get(k).item(), c.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffledTd.get("td_error").toDoubleArray();
            for (int i = 0; i < b; i++) assertEquals(err[order[i]], errShuffled[i], 1e-12, "td_error follows its sample");
        });
    }

    /**
     * A contextual bandit (every transition terminates, so y = r): the reward is minus the squared
     * distance of the action to tanh of a fixed linear map of the observation. The critics learn
     * r(s, a) and the actor moves towards the best action.
     */
    @Test
    void aShortTrainingRunLowersTheCriticLossAndStaysFinite() {
        REDQLoss loss = REDQLoss.builder(actor(21), critic(22)).numQvalueNets(3).generator(new Generator(23)).lossFunction("l2").build();
        loss.setRandomSource(new Generator(24));
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.05);
        Gen gen = Gen.seeded(25);
        List<Double> history = new ArrayList<>();
        int steps = 150;
        for (int step = 0; step < steps; step++) {
            TensorDict td = banditBatch(gen, 32);
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            opt.step();
            updater.step();
            history.add(out.get("loss_qvalue").item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double first = history.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = history.subList(steps - 20, steps).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.5 * first, "the critic loss falls: first 20 steps " + first + ", last 20 " + last);
    }

    static TensorDict banditBatch(Gen gen, int n) {
        TensorDict td = batch(gen, n);
        double[] obs = td.get("observation").toDoubleArray(), a = td.get("action").toDoubleArray(), r = new double[n];
        double[][] w = {{0.8, -0.5, 0.3}, {-0.4, 0.2, 0.9}};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < ACT; j++) {
                double best = 0;
                for (int k = 0; k < OBS; k++) best += w[j][k] * obs[i * OBS + k];
                double d = a[i * ACT + j] - Math.tanh(best);
                r[i] -= d * d;
            }
        }
        td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
        Tensor done = Tensor.of(new boolean[n], n, 1).logicalNot();
        td.set(Key.of("next", "terminated"), done);
        td.set(Key.of("next", "done"), done);
        return td;
    }

    @Test
    void alphaIsReadFromAClampedCopyWithTheDefaultBounds() {
        REDQLoss loss = REDQLoss.builder(actor(1), critics(3, 2)).alphaInit(50).build();
        loss.setRandomSource(new Generator(3));
        TensorDict out = loss.forward(batch(Gen.seeded(4), 4));
        assertEquals(10.0, out.get("alpha").item(), 1e-12, "max_alpha = 10 by default");
        assertEquals(Math.log(50), loss.logAlpha().item(), 1e-15, "the stored log_alpha is not clamped");
        REDQLoss unbounded = REDQLoss.builder(actor(1), critics(3, 2)).alphaInit(50).minAlpha(null).maxAlpha(null).build();
        unbounded.setRandomSource(new Generator(3));
        assertEquals(50.0, unbounded.forward(batch(Gen.seeded(4), 4)).get("alpha").item(), 1e-12, "without bounds α is not clamped");
    }

    @Test
    void aFixedAlphaHasNoGradientButTheAlphaLossIsStillReported() {
        REDQLoss loss = REDQLoss.builder(actor(1), critics(3, 2)).fixedAlpha(true).alphaInit(0.5).build();
        loss.setRandomSource(new Generator(3));
        TensorDict out = loss.forward(batch(Gen.seeded(4), 4));
        assertFalse(loss.logAlpha().requiresGrad());
        assertTrue(loss.parameters().stream().noneMatch(p -> p == loss.logAlpha()));
        assertFalse(out.get("loss_alpha").requiresGrad());
        assertTrue(out.get("loss_alpha").item() != 0);
    }

    @Test
    void reductionsAndScalarOutputModes() {
        Gen gen = Gen.seeded(8);
        TensorDict td = batch(gen, 5);
        Tensor eps = eps(gen, 5);
        long[] perm = {1, 2, 0};
        TensorDict none = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).reduction("none").scalarOutputMode("exclude").build(), td.copy(), perm, eps);
        assertArrayEquals(new int[] {3, 5}, none.get("loss_actor").shape());
        assertArrayEquals(new int[] {3, 5}, none.get("loss_qvalue").shape());
        assertArrayEquals(new int[] {2, 5}, none.get("loss_alpha").shape());
        assertFalse(none.contains("alpha") || none.contains("entropy"), "exclude drops the scalar metrics");
        TensorDict kept = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).reduction("none").scalarOutputMode("non_tensor").build(), td.copy(), perm, eps);
        assertTrue(kept.contains("alpha") && kept.contains("entropy"), "non_tensor keeps them");
        TensorDict sum = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).reduction("sum").build(), td.copy(), perm, eps);
        TensorDict mean = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).build(), td.copy(), perm, eps);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha")) {
            double total = none.get(k).sum().item();
            assertEquals(total, sum.get(k).item(), 1e-12 * (1 + Math.abs(total)), k + " sum");
            assertEquals(total / none.get(k).numel(), mean.get(k).item(), 1e-12 * (1 + Math.abs(total)), k + " mean");
        }
        assertTrue(mean.contains("alpha") && mean.contains("entropy"));
        assertThrows(IllegalArgumentException.class, () -> REDQLoss.builder(actor(1), critics(3, 2)).scalarOutputMode("drop"));
    }

    /** A mask [B] reaches the [N, B] and [2, B] losses through a leading axis (spec §2.6 step 9). */
    @Test
    void masksBroadcastOverTheEnsembleAxis() {
        Gen gen = Gen.seeded(9);
        TensorDict td = batch(gen, 6);
        Tensor eps = eps(gen, 6);
        long[] perm = {0, 2, 1};
        boolean[] valid = {true, false, true, true, false, true};
        TensorDict none = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).reduction("none").build(), td.copy(), perm, eps);
        TensorDict masked = td.copy();
        masked.set("shifted_valid", Tensor.of(valid, 6, 1));
        TensorDict out = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).build(), masked, perm, eps);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha")) {
            Tensor l = none.get(k);
            int rows = l.size(0);
            double s = 0;
            int count = 0;
            double[] v = l.toDoubleArray();
            for (int r = 0; r < rows; r++) for (int i = 0; i < 6; i++) if (valid[i]) {
                s += v[r * 6 + i];
                count++;
            }
            assertEquals(s / count, out.get(k).item(), 1e-12 * (1 + Math.abs(s)), k);
        }
    }

    @Test
    void subSampleLenIsClampedAndTheEnsembleChecked() {
        assertEquals(3, REDQLoss.builder(actor(1), critics(4, 2)).subSampleLen(10).build().subSampleLen());
        assertEquals(2, REDQLoss.builder(actor(1), critics(4, 2)).build().subSampleLen(), "default sub_sample_len = 2");
        assertEquals(10, REDQLoss.builder(actor(1), critic(2)).generator(new Generator(1)).build().numQvalueNets(), "default num_qvalue_nets = 10");
        assertThrows(IllegalArgumentException.class, () -> REDQLoss.builder(actor(1), critics(4, 2)).subSampleLen(0).build());
        assertThrows(IllegalArgumentException.class, () -> REDQLoss.builder(actor(1), critics(4, 2)).numQvalueNets(5).build());
        assertThrows(IllegalArgumentException.class, () -> REDQLoss.builder(actor(1), critics(1, 2)).build());
        REDQLoss loss = REDQLoss.builder(actor(1), critics(3, 2)).build();
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("REDQLoss"), u.getMessage());
        loss.makeValueEstimator(ValueEstimators.TDLambda);
        loss.setRandomSource(new Generator(1));
        assertTrue(Double.isFinite(LossOutputs.totalLoss(loss.forward(batch(Gen.seeded(1), 4))).item()), "TD(lambda) reads (next, value) too");
    }

    @Test
    void theAutomaticTargetEntropyIsMinusTheActionSizeAndAnExplicitOneIsUsedVerbatim() {
        REDQLoss auto = REDQLoss.builder(actor(1), critics(3, 2)).build();
        assertNull(auto.targetEntropy(), "no action spec: resolved at the first batch");
        auto.setRandomSource(new Generator(1));
        auto.forward(batch(Gen.seeded(1), 3));
        assertEquals(-ACT, auto.targetEntropy());
        assertEquals(-6.0, REDQLoss.builder(actor(1), critics(3, 2)).actionShape(2, 3).build().targetEntropy());

        Gen gen = Gen.seeded(2);
        TensorDict td = batch(gen, 4);
        Tensor eps = eps(gen, 4);
        double a = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).build(), td.copy(), new long[] {0, 1, 2}, eps).get("loss_alpha").item();
        double b = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).targetEntropy(1.5).build(), td.copy(), new long[] {0, 1, 2}, eps)
                .get("loss_alpha").item();
        // loss_alpha = −α mean(ℓ + H̄) with α = 1: the two differ by −(1.5 − (−2)).
        assertEquals(a - 3.5, b, 1e-12);
    }

    /** The vmap and the loop give the same numbers; the loop refuses SAME randomness, so the option is not ignored. */
    @Test
    void deactivateVmapGivesTheSameNumbersByALoop() {
        Gen gen = Gen.seeded(3);
        TensorDict td = batch(gen, 4);
        Tensor eps = eps(gen, 4);
        TensorDict vmapped = runWithDraws(REDQLoss.builder(actor(1), critics(3, 2)).build(), td.copy(), new long[] {2, 1, 0}, eps);
        REDQLoss looping = REDQLoss.builder(actor(1), critics(3, 2)).deactivateVmap(true).build();
        TensorDict looped = runWithDraws(looping, td.copy(), new long[] {2, 1, 0}, eps);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_alpha")) assertEquals(vmapped.get(k).item(), looped.get(k).item(), 1e-13, k);
        looping.setVmapRandomness("same");
        Exception e = assertThrows(IllegalArgumentException.class, () -> runWithDraws(looping, td.copy(), new long[] {2, 1, 0}, eps));
        assertTrue(e.getMessage().contains("different"), e.getMessage());
    }

    /** With gSDE a zero {@code "_eps_gSDE"} of batch [2, B] joins the actor's input; an actor that reads it fails without the option. */
    @Test
    void gSdeAddsAZeroNoiseEntryToTheActorInput() {
        MLP mlp = MLP.builder(OBS, 2 * ACT).numCells(HIDDEN).depth(1).dtype(DType.FLOAT64).generator(new Generator(1)).build();
        TensorDictModule reader = TensorDictModule.builder(mlp, (positional, named) -> mlp.forward(positional.get(0)).add(positional.get(1).unsqueeze(-1)))
                .inKeys("observation", "_eps_gSDE").outKeys("param").build();
        ProbabilisticActor reading = new ProbabilisticActor(new TensorDictSequential(reader,
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build()),
                ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                        .distributionKwargs(Map.of("low", -1.0, "high", 1.0)));
        Gen gen = Gen.seeded(4);
        TensorDict td = batch(gen, 3);
        Tensor eps = eps(gen, 3);
        long[] perm = {0, 1, 2};
        Exception e = assertThrows(RuntimeException.class, () -> runWithDraws(REDQLoss.builder(reading, critics(3, 2)).build(), td.copy(), perm, eps));
        assertTrue(e.getMessage().contains("_eps_gSDE"), e.getMessage());
        double withNoise = runWithDraws(REDQLoss.builder(reading, critics(3, 2)).gSDE(true).build(), td.copy(), perm, eps).get("loss_actor").item();
        double plain = runWithDraws(REDQLoss.builder(actor(mlp), critics(3, 2)).build(), td.copy(), perm, eps).get("loss_actor").item();
        assertEquals(plain, withNoise, 1e-13, "the noise entry is zero");
    }

    /** With separate losses, a trunk shared by the actor and the critic is a detached, non-redrawn expansion in the critics (spec §1.11). */
    @Test
    void separateLossesDetachesTheSharedTrunkInTheCritics() {
        Generator g = new Generator(5);
        Linear trunk = new Linear(OBS, HIDDEN, true, DType.FLOAT64, g);
        Linear actorHead = new Linear(HIDDEN, 2 * ACT, true, DType.FLOAT64, g), criticHead = new Linear(HIDDEN + ACT, 1, true, DType.FLOAT64, g);
        ProbabilisticActor sharedActor = RedqCrossQFixtures.actor(new Sequential(trunk, new Tanh(), actorHead));
        Sequential holder = new Sequential(trunk, criticHead);
        ValueOperator sharedCritic = new ValueOperator(holder, (positional, named) -> criticHead.forward(Tensor.cat(List.of(trunk.forward(positional.get(0)).tanh(),
                positional.get(1)), -1)), List.of("observation", "action"), List.of("state_action_value"));
        REDQLoss separate = REDQLoss.builder(sharedActor, sharedCritic).numQvalueNets(3).separateLosses(true).generator(new Generator(6)).build();
        REDQLoss joint = REDQLoss.builder(sharedActor, sharedCritic).numQvalueNets(3).generator(new Generator(6)).build();
        assertEquals(2, separate.namedParameters(REDQLoss.QVALUE_NETWORK).size(), "only the critic head trains in the critics");
        assertEquals(4, joint.namedParameters(REDQLoss.QVALUE_NETWORK).size(), "without the flag the trunk copies are re-drawn and trained");
        List<Tensor> frozen = separate.params(REDQLoss.QVALUE_NETWORK).leaves().values().stream().filter(t -> !t.requiresGrad()).toList();
        assertEquals(2, frozen.size(), "the trunk's weight and bias are detached in the critics");
        Tensor stacked = frozen.stream().filter(t -> t.dim() == 3).findFirst().orElseThrow();
        for (int k = 0; k < 3; k++) assertArrayEquals(trunk.weight().toDoubleArray(), stacked.select(0, k).toDoubleArray(), 0.0, "not re-drawn");
    }

    @Test
    void toStringNamesTheOptions() {
        String s = REDQLoss.builder(actor(1), critics(3, 2)).build().toString();
        assertTrue(s.contains("num_qvalue_nets=3") && s.contains("sub_sample_len=2") && s.contains("smooth_l1") && s.contains("target_entropy=auto"), s);
        assertEquals(List.of("action", "value", "sample_log_prob", "priority", "state_action_value", "reward", "done", "terminated"), REDQLoss.keyNames());
    }
}
