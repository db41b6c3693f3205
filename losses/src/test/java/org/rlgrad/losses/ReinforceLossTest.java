package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.TinyOnPolicy.ACT;
import static org.rlgrad.losses.TinyOnPolicy.ACTIONS;
import static org.rlgrad.losses.TinyOnPolicy.OBS;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

/**
 * Spec losses.md §2.21 and DECISIONS.md rule 3: by default the stored action is scored and left in
 * place; {@code referenceCompat(true)} scores the actor's deterministic action and writes it over
 * the caller's. Expected numbers are computed in doubles from the networks (TinyOnPolicy).
 */
class ReinforceLossTest {
    private static final double TOL = 1e-12;

    private static ReinforceLoss loss(ProbabilisticActor actor, Sequential criticNet) {
        return ReinforceLoss.builder(actor, TinyOnPolicy.critic(criticNet)).build();
    }

    /** {@code −mean(ℓ_i · A_i)}. */
    private static double actorLoss(double[] logProb, double[] advantage) {
        double s = 0;
        for (int i = 0; i < logProb.length; i++) s -= logProb[i] * advantage[i];
        return s / logProb.length;
    }

    private static double criticLoss(Sequential criticNet, TensorDict td, String distance) {
        double[] v = TinyOnPolicy.values(criticNet, td.get("observation")), target = td.get("value_target").toDoubleArray();
        double s = 0;
        for (int i = 0; i < v.length; i++) s += TinyOnPolicy.distance(distance, target[i], v[i]);
        return s / v.length;
    }

    @Test
    void byDefaultTheStoredActionIsScoredAndTheCallersEntriesAreLeftAlone() {
        Property.forAll("reinforce stored action", 10, gen -> {
            boolean categorical = gen.bool();
            Sequential actorNet = TinyOnPolicy.mlp(OBS, categorical ? ACTIONS : 2 * ACT, gen.intIn(1, 1000));
            Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, gen.intIn(1, 1000));
            ProbabilisticActor actor = categorical ? TinyOnPolicy.categoricalActor(actorNet) : TinyOnPolicy.normalActor(actorNet);
            int n = gen.intIn(1, 7);
            TensorDict td = categorical ? TinyOnPolicy.categoricalBatch(gen, n, true) : TinyOnPolicy.continuousBatch(gen, n, true);
            Tensor action = td.get("action"), storedLogProb = td.get("action_log_prob");
            Set<Key> keysBefore = Set.copyOf(td.keys(true, true));

            TensorDict out = loss(actor, criticNet).forward(td);

            double[] lp = new double[n];
            if (categorical) {
                double[] logits = TinyOnPolicy.distParam(actor, td, "logits");
                long[] a = action.toLongArray();
                for (int i = 0; i < n; i++) lp[i] = TinyOnPolicy.logSoftmax(logits, i, (int) a[i]);
            } else {
                double[] loc = TinyOnPolicy.distParam(actor, td, "loc"), scale = TinyOnPolicy.distParam(actor, td, "scale"), a = action.toDoubleArray();
                for (int i = 0; i < n; i++) lp[i] = TinyOnPolicy.normalLogProb(loc, scale, a, i);
            }
            assertEquals(actorLoss(lp, td.get("advantage").toDoubleArray()), out.get("loss_actor").item(), TOL);
            assertEquals(criticLoss(criticNet, td, "smooth_l1"), out.get("loss_value").item(), TOL);
            assertEquals(Set.of("loss_actor", "loss_value"), Set.copyOf(out.keys().stream().map(Key::first).toList()));
            assertSame(action, td.get("action"), "the caller's action is not overwritten");
            assertSame(storedLogProb, td.get("action_log_prob"), "nor its stored log-probability");
            assertEquals(keysBefore, Set.copyOf(td.keys(true, true)), "no distribution parameters are written either");
        });
    }

    @Test
    void referenceCompatScoresTheDeterministicActionAndWritesItOverTheCallers() {
        Property.forAll("reinforce reference compat", 10, gen -> {
            boolean categorical = gen.bool();
            Sequential actorNet = TinyOnPolicy.mlp(OBS, categorical ? ACTIONS : 2 * ACT, gen.intIn(1, 1000));
            Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, gen.intIn(1, 1000));
            ProbabilisticActor actor = categorical ? TinyOnPolicy.categoricalActor(actorNet) : TinyOnPolicy.normalActor(actorNet);
            int n = gen.intIn(1, 7);
            TensorDict td = categorical ? TinyOnPolicy.categoricalBatch(gen, n, true) : TinyOnPolicy.continuousBatch(gen, n, true);
            TensorDict untouched = td.copy();
            ReinforceLoss loss = ReinforceLoss.builder(actor, TinyOnPolicy.critic(criticNet)).referenceCompat(true).build();
            assertTrue(loss.referenceCompat());

            TensorDict out = loss.forward(td);

            double[] lp = new double[n];
            if (categorical) {
                double[] logits = TinyOnPolicy.distParam(actor, untouched, "logits");
                long[] written = td.get("action").toLongArray();
                for (int i = 0; i < n; i++) {
                    int best = TinyOnPolicy.argmax(logits, i);
                    assertEquals(best, written[i], "the arg-max replaces the stored action");
                    lp[i] = TinyOnPolicy.logSoftmax(logits, i, best);
                }
            } else {
                double[] loc = TinyOnPolicy.distParam(actor, untouched, "loc"), scale = TinyOnPolicy.distParam(actor, untouched, "scale");
                assertArrayEquals(loc, td.get("action").toDoubleArray(), TOL, "the mean replaces the stored action");
                // log N(loc; loc, σ) = Σ_d (−ln σ_d − ½ ln 2π): the deterministic action's log-probability.
                for (int i = 0; i < n; i++) lp[i] = TinyOnPolicy.normalLogProb(loc, scale, loc, i);
            }
            assertNotSame(untouched.get("action"), td.get("action"));
            assertArrayEquals(lp, td.get("action_log_prob").toDoubleArray(), TOL, "its log-probability is written too");
            assertEquals(actorLoss(lp, td.get("advantage").toDoubleArray()), out.get("loss_actor").item(), TOL);
            assertEquals(criticLoss(criticNet, td, "smooth_l1"), out.get("loss_value").item(), TOL);
        });
    }

    @Test
    void withReferenceCompatTheMeanOfANormalPolicyGetsNoGradient() {
        for (boolean compat : new boolean[] {false, true}) {
            Sequential actorNet = TinyOnPolicy.mlp(OBS, 2 * ACT, 44);
            ReinforceLoss loss = ReinforceLoss.builder(TinyOnPolicy.normalActor(actorNet), TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 45)))
                    .referenceCompat(compat).build();
            TensorDict out = loss.forward(TinyOnPolicy.continuousBatch(Gen.seeded(46), 5, true));
            Linear last = (Linear) actorNet.get(2);
            Tensor g = TinyActorCritic.grads(out.get("loss_actor"), List.of(last.weight(), last.bias())).get(1);
            double locGrad = g.narrow(0, 0, ACT).abs().sum().item(), scaleGrad = g.narrow(0, ACT, ACT).abs().sum().item();
            assertTrue(scaleGrad > 0, "the scale is trained in both modes");
            if (compat) assertEquals(0.0, locGrad, 1e-15, "log N(loc; loc, σ) does not depend on loc");
            else assertTrue(locGrad > 0, "scoring the stored action trains the mean");
        }
    }

    @Test
    void aMissingAdvantageIsComputedAndWrittenIntoTheCallersDict() {
        Sequential actorNet = TinyOnPolicy.mlp(OBS, 2 * ACT, 47), criticNet = TinyOnPolicy.mlp(OBS, 1, 48);
        ProbabilisticActor actor = TinyOnPolicy.normalActor(actorNet);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(49), 6, false);
        ReinforceLoss loss = loss(actor, criticNet);
        assertEquals(ValueEstimators.GAE, loss.valueEstimatorType());
        TensorDict out = loss.forward(td);
        double[][] want = TinyOnPolicy.gae(criticNet, td, 0.99, 0.95);
        assertArrayEquals(want[0], td.get("advantage").toDoubleArray(), TOL);
        assertArrayEquals(want[1], td.get("value_target").toDoubleArray(), TOL);
        assertArrayEquals(TinyOnPolicy.values(criticNet, td.get("observation")), td.get("state_value").toDoubleArray(), TOL);
        assertArrayEquals(TinyOnPolicy.values(criticNet, td.get(Key.of("next", "observation"))), td.get(Key.of("next", "state_value")).toDoubleArray(), TOL);
        assertFalse(td.get("advantage").requiresGrad(), "the estimator runs with the critic's parameters detached");
        assertEquals(criticLoss(criticNet, td, "smooth_l1"), out.get("loss_value").item(), TOL);
    }

    @Test
    void gradientsReachTheActorFromItsLossAndTheCriticFromTheValueLoss() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(50);
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 51);
        ReinforceLoss loss = loss(actor, criticNet);
        List<Tensor> actorParams = actor.parameters(), criticParams = criticNet.parameters();
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(52), 6, true);
        td.set("advantage", td.get("advantage").clone().requiresGrad(true));
        TensorDict out = loss.forward(td);
        assertTrue(TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_actor"), actorParams)) > 0);
        assertEquals(0.0, TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_actor"), criticParams)));
        assertEquals(0.0, TinyActorCritic.grads(out.get("loss_actor"), List.of(td.get("advantage"))).get(0).abs().sum().item(), "sg(A)");
        assertTrue(TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_value"), criticParams)) > 0);
        assertEquals(0.0, TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_value"), actorParams)));
        assertEquals(actorParams.size() + criticParams.size(), loss.parameters().size());
    }

    @Test
    void aDelayedCriticCopyBootstrapsTheEstimatorAndNeverTrains() {
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 53), targetNet = TinyOnPolicy.mlp(OBS, 1, 54);
        ReinforceLoss loss = ReinforceLoss.builder(TinyOnPolicy.normalActor(55), TinyOnPolicy.critic(criticNet)).delayValue(true).build();
        assertTrue(loss.hasDelayedTarget(ReinforceLoss.CRITIC));
        loss.loadTargetParams(ReinforceLoss.CRITIC, Parameters.fromModule(TinyOnPolicy.critic(targetNet)));
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(56), 5, false);
        TensorDict out = loss.forward(td);

        // GAE with V from the live critic and V' from the delayed copy.
        double[] v = TinyOnPolicy.values(criticNet, td.get("observation")), vn = TinyOnPolicy.values(targetNet, td.get(Key.of("next", "observation")));
        double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
        double[] term = td.get(Key.of("next", "terminated")).to(DType.FLOAT64).toDoubleArray(), done = td.get(Key.of("next", "done")).to(DType.FLOAT64).toDoubleArray();
        double[] adv = new double[5];
        double running = 0;
        for (int t = 4; t >= 0; t--) {
            running = r[t] + 0.99 * (1 - term[t]) * vn[t] - v[t] + 0.99 * 0.95 * (1 - done[t]) * running;
            adv[t] = running;
        }
        assertArrayEquals(adv, td.get("advantage").toDoubleArray(), TOL);
        for (Tensor t : loss.targetParams(ReinforceLoss.CRITIC).leaves().values()) assertFalse(t.requiresGrad(), "the target tree is not trainable");
        LossOutputs.totalLoss(out).backward();
        for (Tensor t : loss.targetParams(ReinforceLoss.CRITIC).leaves().values()) assertEquals(null, t.grad());
        for (Tensor p : criticNet.parameters()) assertTrue(p.grad() != null && p.grad().abs().sum().item() > 0);
    }

    @Test
    void keysCanBeRenamedAndAMissingEntryIsNamed() {
        Sequential actorNet = TinyOnPolicy.mlp(OBS, ACTIONS, 57), criticNet = TinyOnPolicy.mlp(OBS, 1, 58);
        TensorDict td = TinyOnPolicy.categoricalBatch(Gen.seeded(59), 5, true);
        TensorDict plain = loss(TinyOnPolicy.categoricalActor(actorNet), criticNet).forward(td);
        ReinforceLoss loss = ReinforceLoss.builder(TinyOnPolicy.categoricalActor(actorNet), new ValueOperator(criticNet, List.of("observation"), List.of("v")))
                .build();
        loss.setKeys(Map.of("advantage", "adv", "value_target", "ret", "value", "v", "action", "act"));
        TensorDict renamed = new TensorDict(5);
        renamed.set("observation", td.get("observation"));
        renamed.set("act", td.get("action"));
        renamed.set("adv", td.get("advantage"));
        renamed.set("ret", td.get("value_target"));
        renamed.set("next", td.getTensorDict(Key.of("next")));
        TensorDict out = loss.forward(renamed);
        for (String k : List.of("loss_actor", "loss_value")) assertEquals(plain.get(k).item(), out.get(k).item(), TOL, k);
        TensorDict noAction = renamed.copy();
        noAction.remove(Key.of("act"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noAction));
        assertTrue(e.getMessage().contains("act"), e.getMessage());
        TensorDict noTarget = renamed.copy();
        noTarget.remove(Key.of("ret"));
        e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noTarget));
        assertTrue(e.getMessage().contains("ret"), e.getMessage());
        assertEquals(ReinforceLoss.keyNames(), List.copyOf(loss.tensorKeys().keySet()));
    }

    @Test
    void meanLossesIgnoreTheOrderOfSamples() {
        Property.forAll("reinforce order", 10, gen -> {
            boolean compat = gen.bool();
            ReinforceLoss loss = ReinforceLoss.builder(TinyOnPolicy.normalActor(gen.intIn(1, 500)), TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, gen.intIn(1, 500))))
                    .referenceCompat(compat).clipValue(gen.bool() ? 0.3 : null).build();
            int n = gen.intIn(2, 8);
            TensorDict td = TinyOnPolicy.continuousBatch(gen, n, true);
            td.set("state_value", gen.uniform(new int[] {n, 1}, -1, 1));
            TensorDict shuffled = TinyOnPolicy.permuted(td, gen.permutation(n));
            TensorDict a = loss.forward(td), b = loss.forward(shuffled);
            for (Key k : a.keys()) assertEquals(a.get(k).item(), b.get(k).item(), 1e-12, k.toString());
        });
    }

    @Test
    void valueClippingHasNoCoefficientAndCountsTheClampedEntries() {
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 60);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(61), 4, true);
        double[] v = TinyOnPolicy.values(criticNet, td.get("observation")), target = td.get("value_target").toDoubleArray();
        double[] offsets = {0.7, -0.01, 0.02, -0.9}, old = new double[4];
        double eps = 0.2, sum = 0;
        for (int i = 0; i < 4; i++) {
            old[i] = v[i] + offsets[i];
            double delta = Math.max(-eps, Math.min(eps, v[i] - old[i]));
            sum += Math.max(TinyOnPolicy.distance("smooth_l1", target[i], v[i]), TinyOnPolicy.distance("smooth_l1", target[i], old[i] + delta));
        }
        td.set("state_value", Tensor.of(DType.FLOAT64, old, 4, 1));
        ReinforceLoss loss = ReinforceLoss.builder(TinyOnPolicy.normalActor(62), TinyOnPolicy.critic(criticNet)).clipValue(eps).build();
        TensorDict out = loss.forward(td);
        assertEquals(sum / 4, out.get("loss_value").item(), TOL);
        assertEquals(0.5, out.get("value_clip_fraction").item(), 0.0);
        assertEquals(sum / 4, loss.criticLoss(td).loss().item(), TOL);
        TensorDict noStored = td.copy();
        noStored.remove(Key.of("state_value"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noStored));
        assertTrue(e.getMessage().contains("state_value"), e.getMessage());
        loss.setClipValue(null);
        assertNotEquals(sum / 4, loss.forward(td).get("loss_value").item(), "without clipping the plain distance");
        assertEquals(criticLoss(criticNet, td, "smooth_l1"), loss.forward(td).get("loss_value").item(), TOL);
    }

    @Test
    void reductionNoneGivesOneLossPerSample() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(63);
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 64);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(65), 5, true);
        TensorDict mean = loss(actor, criticNet).forward(td);
        TensorDict none = ReinforceLoss.builder(actor, TinyOnPolicy.critic(criticNet)).reduction("none").build().forward(td);
        TensorDict sum = ReinforceLoss.builder(actor, TinyOnPolicy.critic(criticNet)).reduction("sum").build().forward(td);
        for (String k : List.of("loss_actor", "loss_value")) {
            assertArrayEquals(new int[] {5}, none.get(k).shapeRef(), k);
            assertEquals(mean.get(k).item(), none.get(k).mean().item(), 1e-12, k);
            assertEquals(5 * mean.get(k).item(), sum.get(k).item(), 1e-12, k);
        }
    }

    @Test
    void theOnPolicyEstimatorsAreAccepted() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(66);
        ReinforceLoss loss = loss(actor, TinyOnPolicy.mlp(OBS, 1, 67));
        for (String alias : List.of("td0", "td1", "tdlambda", "gae", "magae", "vtrace")) {
            loss.makeValueEstimator(alias);
            assertEquals(ValueEstimators.parse(alias), loss.valueEstimatorType());
        }
        assertSame(actor, ((org.rlgrad.estimators.VTrace) loss.valueEstimator()).actorNetwork());
        assertTrue(Double.isFinite(loss.forward(TinyOnPolicy.continuousBatch(Gen.seeded(68), 4, false)).get("loss_actor").item()));
        assertTrue(loss.toString().contains("reference_compat=false"), loss.toString());
    }

    @Test
    void trainingOnABanditWithTheStoredActionsRaisesTheReward() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(69);
        actor.probabilisticModule().randomSource(new Generator(70));
        ReinforceLoss loss = ReinforceLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 71))).build();
        TinyOnPolicy.assertBanditTrainingImproves(loss, actor, 72, "loss_value");
    }
}
