package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.TinyActorCritic.ACT;
import static org.rlgrad.losses.TinyActorCritic.OBS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
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

class DDPGLossTest {
    private static DDPGLoss loss(Sequential actorNet, Sequential criticNet, boolean delayActor, String distance, String reduction) {
        return DDPGLoss.builder(TinyActorCritic.actor(actorNet), TinyActorCritic.critic(criticNet)).delayActor(delayActor).lossFunction(distance)
                .reduction(reduction).build();
    }

    /** Loads the target copies from other networks of the same shapes. */
    private static void loadTargets(DDPGLoss loss, Sequential targetActor, Sequential targetCritic) {
        if (targetActor != null) loss.loadTargetParams(DDPGLoss.ACTOR, Parameters.fromModule(TinyActorCritic.actor(targetActor)));
        loss.loadTargetParams(DDPGLoss.VALUE, Parameters.fromModule(TinyActorCritic.critic(targetCritic)));
    }

    @Test
    void eachLossTrainsOnlyItsOwnNetworkAndNoTargetIsTrained() {
        Sequential actorNet = TinyActorCritic.actorNet(1), criticNet = TinyActorCritic.criticNet(2);
        DDPGLoss loss = loss(actorNet, criticNet, true, "l2", "mean");
        loadTargets(loss, TinyActorCritic.actorNet(3), TinyActorCritic.criticNet(4));
        TensorDict td = TinyActorCritic.batch(Gen.seeded(5), 6);
        TensorDict out = loss.forward(td);
        List<Tensor> actorParams = actorNet.parameters(), criticParams = criticNet.parameters();
        assertEquals(actorParams.size() + criticParams.size(), loss.parameters().size(), "the loss trains the networks' own tensors");

        List<Tensor> fromActorLoss = TinyActorCritic.grads(out.get("loss_actor"), TinyActorCritic.concat(actorParams, criticParams));
        List<Tensor> fromValueLoss = TinyActorCritic.grads(out.get("loss_value"), TinyActorCritic.concat(actorParams, criticParams));
        int na = actorParams.size();
        for (int i = 0; i < na; i++) assertTrue(fromActorLoss.get(i).abs().sum().item() > 0, "loss_actor reaches actor tensor " + i);
        assertEquals(0.0, TinyActorCritic.size(fromActorLoss.subList(na, fromActorLoss.size())), "loss_actor never reaches the critic");
        for (int i = na; i < fromValueLoss.size(); i++) assertTrue(fromValueLoss.get(i).abs().sum().item() > 0, "loss_value reaches critic tensor " + i);
        assertEquals(0.0, TinyActorCritic.size(fromValueLoss.subList(0, na)), "loss_value never reaches the actor");

        for (String net : List.of(DDPGLoss.ACTOR, DDPGLoss.VALUE)) {
            for (Tensor t : loss.targetParams(net).leaves().values()) {
                assertFalse(t.requiresGrad());
                assertNull(t.grad());
                assertTrue(loss.parameters().stream().noneMatch(q -> q.storage() == t.storage()), "the " + net + " target is a copy");
            }
        }
        for (String metric : List.of("td_error", "pred_value", "target_value", "pred_value_max", "target_value_max")) {
            assertFalse(out.get(metric).requiresGrad(), metric + " is detached");
        }
        assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
    }

    @Test
    void withoutADelayedActorTheTargetActorIsTheOnlineOneDetached() {
        Sequential actorNet = TinyActorCritic.actorNet(1);
        DDPGLoss loss = loss(actorNet, TinyActorCritic.criticNet(2), false, "l2", "mean");
        assertFalse(loss.hasDelayedTarget(DDPGLoss.ACTOR));
        assertTrue(loss.hasDelayedTarget(DDPGLoss.VALUE));
        List<Tensor> online = actorNet.parameters();
        List<Tensor> target = new ArrayList<>(loss.targetParams(DDPGLoss.ACTOR).leaves().values());
        for (int i = 0; i < online.size(); i++) {
            assertTrue(target.get(i).storage() == online.get(i).storage(), "an alias of the live tensor");
            assertFalse(target.get(i).requiresGrad());
        }
        DDPGLoss noDelay = DDPGLoss.builder(TinyActorCritic.actor(actorNet), TinyActorCritic.critic(TinyActorCritic.criticNet(2))).delayValue(false).build();
        assertFalse(noDelay.hasDelayedTarget(DDPGLoss.VALUE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftUpdate.withTau(noDelay, 0.1));
        assertTrue(e.getMessage().contains("target"), "no delayed copy at all leaves an updater nothing to do: " + e.getMessage());
    }

    /** Spec §2.3 evaluated with the networks directly, with distinct target networks (so reading the wrong copy fails). */
    @Test
    void matchesTheTd0FormulaComputedFromTheNetworks() {
        Property.forAll("ddpg formula", 15, gen -> {
            boolean delayActor = gen.bool();
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            Sequential actorNet = TinyActorCritic.actorNet(gen.intIn(0, 999)), criticNet = TinyActorCritic.criticNet(gen.intIn(0, 999));
            Sequential targetActor = TinyActorCritic.actorNet(gen.intIn(1000, 1999)), targetCritic = TinyActorCritic.criticNet(gen.intIn(1000, 1999));
            DDPGLoss loss = loss(actorNet, criticNet, delayActor, distance, "none");
            loadTargets(loss, delayActor ? targetActor : null, targetCritic);
            int n = gen.intIn(1, 7);
            TensorDict td = TinyActorCritic.batch(gen, n);
            TensorDict out = loss.forward(td);

            Tensor s = td.get("observation"), a = td.get("action"), s2 = td.get(Key.of("next", "observation"));
            double[] q = TinyActorCritic.q(criticNet, s, a);
            double[] qActor = TinyActorCritic.q(criticNet, s, actorNet.forward(s));
            double[] qNext = TinyActorCritic.q(targetCritic, s2, (delayActor ? targetActor : actorNet).forward(s2));
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[] lv = out.get("loss_value").toDoubleArray(), la = out.get("loss_actor").toDoubleArray();
            double[] err = out.get("td_error").toDoubleArray(), written = td.get("td_error").toDoubleArray();
            double maxQ = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double y = r[i] + (term[i] ? 0 : 0.99 * qNext[i]);
                maxQ = Math.max(maxQ, q[i]);
                maxY = Math.max(maxY, y);
                assertEquals(TinyActorCritic.distance(distance, q[i], y), lv[i], 1e-12, "loss_value " + i);
                assertEquals(-qActor[i], la[i], 1e-12, "loss_actor " + i);
                assertEquals((q[i] - y) * (q[i] - y), err[i], 1e-12, "td_error " + i);
                assertEquals(err[i], written[i], 0.0, "the priority written is the td_error metric");
                assertEquals(q[i], out.get("pred_value").toDoubleArray()[i], 1e-12);
                assertEquals(y, out.get("target_value").toDoubleArray()[i], 1e-12);
            }
            assertEquals(maxQ, out.get("pred_value_max").item(), 1e-12);
            assertEquals(maxY, out.get("target_value_max").item(), 1e-12);
        });
    }

    /** Reductions and priority weights against the per-sample losses of reduction none. */
    @Test
    void reductionsAndPriorityWeightsApplyToBothLosses() {
        Sequential actorNet = TinyActorCritic.actorNet(7), criticNet = TinyActorCritic.criticNet(8);
        Gen gen = Gen.seeded(9);
        int n = 6;
        TensorDict td = TinyActorCritic.batch(gen, n);
        TensorDict none = loss(actorNet, criticNet, false, "l2", "none").forward(td.copy());
        TensorDict sum = loss(actorNet, criticNet, false, "l2", "sum").forward(td.copy());
        TensorDict mean = loss(actorNet, criticNet, false, "l2", "mean").forward(td.copy());
        for (String k : List.of("loss_actor", "loss_value")) {
            assertEquals(List.of(n), List.of(none.get(k).shape()[0]), k + " keeps the batch with none");
            double s = none.get(k).sum().item();
            assertEquals(s, sum.get(k).item(), 1e-12, k + " sum");
            assertEquals(s / n, mean.get(k).item(), 1e-12, k + " mean");
        }
        double[] w = gen.uniform(new int[] {n}, 0.1, 2).toDoubleArray();
        TensorDict weighted = td.copy();
        weighted.set("priority_weight", Tensor.of(DType.FLOAT64, w, n));
        TensorDict withW = loss(actorNet, criticNet, false, "l2", "mean").forward(weighted.copy());
        DDPGLoss off = DDPGLoss.builder(TinyActorCritic.actor(actorNet), TinyActorCritic.critic(criticNet))
                .prioritizedWeights(LossModule.PrioritizedWeights.OFF).build();
        TensorDict withoutW = off.forward(weighted.copy());
        for (String k : List.of("loss_actor", "loss_value")) {
            double[] l = none.get(k).toDoubleArray();
            double num = 0, den = 0;
            for (int i = 0; i < n; i++) {
                num += w[i] * l[i];
                den += w[i];
            }
            assertEquals(num / den, withW.get(k).item(), 1e-12, k + " weighted mean");
            assertEquals(mean.get(k).item(), withoutW.get(k).item(), 1e-12, k + ": weights off are ignored");
        }
    }

    /**
     * An actor and a critic sharing their first layer: the critic's loss trains the shared layer
     * unless {@code separateLosses}, which detaches it inside the critic. The actor loss trains it
     * either way.
     */
    @Test
    void separateLossesKeepsTheCriticLossOffASharedTrunk() {
        for (boolean separate : new boolean[] {false, true}) {
            Generator g = new Generator(21);
            Linear trunk = new Linear(OBS, 4, true, DType.FLOAT64, g);
            Linear actorHead = new Linear(4, ACT, true, DType.FLOAT64, g), criticHead = new Linear(4 + ACT, 1, true, DType.FLOAT64, g);
            Sequential actorNet = new Sequential(trunk, new Tanh(), actorHead, new Tanh());
            Sequential criticModules = new Sequential(trunk, criticHead);
            TensorFunction q = TensorFunction.of((o, a) -> criticHead.forward(Tensor.cat(List.of(trunk.forward(o).tanh(), a), -1)));
            ValueOperator critic = new ValueOperator(criticModules, q, List.of("observation", "action"), List.of("state_action_value"));
            DDPGLoss loss = DDPGLoss.builder(new Actor(actorNet), critic).separateLosses(separate).build();
            assertEquals(separate, loss.separateLosses());
            TensorDict out = loss.forward(TinyActorCritic.batch(Gen.seeded(22), 5));
            List<Tensor> shared = trunk.parameters();
            double fromValue = TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_value"), shared));
            double fromActor = TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_actor"), shared));
            assertTrue(fromActor > 0, "the actor loss trains the shared trunk");
            if (separate) assertEquals(0.0, fromValue, "separate losses: the critic loss leaves the trunk alone");
            else assertTrue(fromValue > 0, "shared losses: the critic loss trains the trunk too");
            assertTrue(TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_value"), criticHead.parameters())) > 0);
        }
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Sequential actorNet = TinyActorCritic.actorNet(4), criticNet = TinyActorCritic.criticNet(5);
        TensorDict td = TinyActorCritic.batch(Gen.seeded(6), 5);
        TensorDict plain = loss(actorNet, criticNet, false, "l2", "mean").forward(td.copy());

        DDPGLoss renamed = DDPGLoss.builder(TinyActorCritic.actor(actorNet), TinyActorCritic.critic(criticNet, "action", "qv")).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("state_action_value", "qv");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        TensorDict out = renamed.forward(moved);
        assertEquals(plain.get("loss_value").item(), out.get("loss_value").item(), 1e-12);
        assertEquals(plain.get("loss_actor").item(), out.get("loss_actor").item(), 1e-12);
        assertTrue(moved.contains(Key.of("prio", "err")));
        assertFalse(moved.contains("td_error"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("action", "a"));
        assertTrue(e.getMessage().contains("'action'") && e.getMessage().contains("state_action_value"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        DDPGLoss loss = loss(TinyActorCritic.actorNet(1), TinyActorCritic.criticNet(2), false, "l2", "mean");
        for (Key missing : List.of(Key.of("observation"), Key.of("action"), Key.of("next", "reward"), Key.of("next", "observation"))) {
            TensorDict td = TinyActorCritic.batch(Gen.seeded(3), 4);
            td.remove(missing);
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td), "without " + missing);
            assertTrue(e.getMessage().contains(missing.last()), "the error names " + missing + ": " + e.getMessage());
        }
    }

    @Test
    void estimatorsAndConstructorChecks() {
        DDPGLoss loss = loss(TinyActorCritic.actorNet(1), TinyActorCritic.criticNet(2), false, "l2", "mean");
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("DDPGLoss"), u.getMessage());
        loss.makeValueEstimator(ValueEstimators.TD1);
        assertEquals(ValueEstimators.TD1, loss.valueEstimatorType());
        assertThrows(IllegalArgumentException.class, () -> DDPGLoss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(1)),
                TinyActorCritic.critic(TinyActorCritic.criticNet(2))).lossFunction("l3"));
        assertThrows(NullPointerException.class, () -> DDPGLoss.builder(null, TinyActorCritic.critic(TinyActorCritic.criticNet(2))));
        assertEquals(List.of("state_action_value", "priority", "reward", "done", "terminated", "priority_weight"), DDPGLoss.keyNames());
    }

    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("ddpg order invariance", 20, gen -> {
            DDPGLoss loss = loss(TinyActorCritic.actorNet(gen.intIn(0, 100)), TinyActorCritic.criticNet(gen.intIn(0, 100)), gen.bool(),
                    gen.oneOf("l2", "smooth_l1"), "mean");
            int n = gen.intIn(2, 9);
            TensorDict td = TinyActorCritic.batch(gen, n);
            int[] perm = gen.permutation(n);
            TensorDict shuffled = TinyActorCritic.permuted(td, perm);
            TensorDict a = loss.forward(td), b = loss.forward(shuffled);
            for (String k : List.of("loss_actor", "loss_value", "pred_value_max", "target_value_max")) {
                assertEquals(a.get(k).item(), b.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    /**
     * A contextual bandit (every transition terminates) with reward {@code −|a − a*(s)|²} for a
     * fixed linear {@code a*}: the critic must learn the reward and the actor must move towards
     * {@code a*}.
     */
    @Test
    void aShortTrainingRunLowersTheLossAndStaysFinite() {
        Sequential actorNet = TinyActorCritic.actorNet(31), criticNet = TinyActorCritic.criticNet(32, 32);
        DDPGLoss loss = loss(actorNet, criticNet, false, "l2", "mean");
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        // The critic learns faster than the actor follows it, as usual for DDPG.
        Adam criticOpt = new Adam(criticNet.parameters(), 0.01), actorOpt = new Adam(actorNet.parameters(), 0.002);
        Gen gen = Gen.seeded(33);
        List<Double> valueLoss = new ArrayList<>(), regret = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            TensorDict td = Bandit.batch(gen, 32);
            criticOpt.zeroGrad();
            actorOpt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            criticOpt.step();
            actorOpt.step();
            updater.step();
            valueLoss.add(out.get("loss_value").item());
            regret.add(Bandit.regret(actorNet, td.get("observation")));
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        assertTrue(Bandit.mean(valueLoss, 280, 300) < 0.6 * Bandit.mean(valueLoss, 0, 20),
                "the critic loss falls: " + Bandit.mean(valueLoss, 0, 20) + " -> " + Bandit.mean(valueLoss, 280, 300));
        assertTrue(Bandit.mean(regret, 280, 300) < 0.3 * Bandit.mean(regret, 0, 20),
                "the actor approaches the best action: " + Bandit.mean(regret, 0, 20) + " -> " + Bandit.mean(regret, 280, 300));
    }
}
