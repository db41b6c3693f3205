package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.TinyActorCritic.ACT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class TD3LossTest {
    static List<Sequential> criticNets(long seed, int n) {
        List<Sequential> out = new ArrayList<>();
        for (int k = 0; k < n; k++) out.add(TinyActorCritic.criticNet(seed + 101L * k));
        return out;
    }

    static List<TensorDictModuleBase> critics(List<Sequential> nets) {
        return nets.stream().<TensorDictModuleBase>map(TinyActorCritic::critic).toList();
    }

    static TD3Loss td3(Sequential actorNet, List<Sequential> criticNets) {
        return TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).build();
    }

    /** Loads the target copies from other networks of the same shapes. */
    static void loadTargets(TD3LossBase loss, Sequential targetActor, List<Sequential> targetCritics) {
        loss.loadTargetParams(TD3LossBase.ACTOR, Parameters.fromModule(TinyActorCritic.actor(targetActor)));
        loss.loadTargetParams(TD3LossBase.QVALUE, Parameters.fromModules(critics(targetCritics)));
    }

    /** A source that hands out {@code z} once, where the Q loss asks for its target noise. */
    static ReplayedDraws noise(Tensor z) {
        return new ReplayedDraws(List.of(new ReplayedDraws.Draw("randn_like", ReplayedDraws.Kind.STANDARD_NORMAL, z)));
    }

    /** The leaves of the loss's stacked critic tree, in order. */
    static List<Tensor> criticLeaves(TD3LossBase loss) {
        return new ArrayList<>(loss.params(TD3LossBase.QVALUE).leaves().values());
    }

    @Test
    void eachLossTrainsOnlyItsOwnNetworksAndNoTargetIsTrained() {
        Sequential actorNet = TinyActorCritic.actorNet(1);
        List<Sequential> criticNets = criticNets(2, 2);
        TD3Loss loss = td3(actorNet, criticNets);
        loadTargets(loss, TinyActorCritic.actorNet(3), criticNets(4, 2));
        TensorDict td = TinyActorCritic.batch(Gen.seeded(5), 6);
        loss.setRandomSource(new Generator(6));
        TensorDict out = loss.forward(td);
        List<Tensor> actorParams = actorNet.parameters(), criticParams = criticLeaves(loss);
        assertEquals(actorParams.size() + criticParams.size(), loss.parameters().size());
        int na = actorParams.size();
        List<Tensor> all = TinyActorCritic.concat(actorParams, criticParams);

        List<Tensor> fromActor = TinyActorCritic.grads(out.get("loss_actor"), all);
        for (int i = 0; i < na; i++) assertTrue(fromActor.get(i).abs().sum().item() > 0, "loss_actor reaches actor tensor " + i);
        assertEquals(0.0, TinyActorCritic.size(fromActor.subList(na, all.size())), "loss_actor never reaches a critic");

        List<Tensor> fromQ = TinyActorCritic.grads(out.get("loss_qvalue"), all);
        assertEquals(0.0, TinyActorCritic.size(fromQ.subList(0, na)), "loss_qvalue never reaches the actor");
        for (int i = na; i < all.size(); i++) {
            for (int k = 0; k < 2; k++) assertTrue(fromQ.get(i).select(0, k).abs().sum().item() > 0, "loss_qvalue reaches critic " + k + ", leaf " + i);
        }
        for (String net : List.of(TD3LossBase.ACTOR, TD3LossBase.QVALUE)) {
            for (Tensor t : loss.targetParams(net).leaves().values()) {
                assertFalse(t.requiresGrad());
                assertNull(t.grad());
                assertTrue(loss.parameters().stream().noneMatch(q -> q.storage() == t.storage()), "the " + net + " target is a copy");
            }
        }
        for (String m : List.of("state_action_value_actor", "next_state_value", "pred_value", "target_value")) assertFalse(out.get(m).requiresGrad(), m);
        assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
    }

    /**
     * Spec §2.15 evaluated with the networks directly: distinct target networks, 2 or 3 critics,
     * random σ, c and bounds (numbers or per-component tensors, narrow enough that the clip bites).
     */
    @Test
    void matchesTheFormulaComputedFromTheNetworks() {
        Property.forAll("td3 formula", 12, gen -> {
            int n = gen.intIn(1, 6), members = gen.intIn(2, 3);
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            double sigma = gen.uniform(0.1, 1.0), clip = gen.uniform(0.1, 0.6);
            double[] lo = {gen.uniform(-0.9, -0.1), gen.uniform(-0.9, -0.1)}, hi = {gen.uniform(0.1, 0.9), gen.uniform(0.1, 0.9)};
            boolean tensorBounds = gen.bool(), delayActor = gen.bool(), delayQvalue = gen.bool();
            if (!tensorBounds) {
                lo[1] = lo[0];
                hi[1] = hi[0];
            }
            Sequential actorNet = TinyActorCritic.actorNet(gen.intIn(0, 999));
            Sequential targetActor = TinyActorCritic.actorNet(gen.intIn(1000, 1999));
            List<Sequential> criticNets = criticNets(gen.intIn(0, 999), members);
            List<Sequential> targetCritics = criticNets(gen.intIn(1000, 1999), members);
            TD3Loss.Builder b = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).policyNoise(sigma).noiseClip(clip)
                    .lossFunction(distance).reduction("none").delayActor(delayActor).delayQvalue(delayQvalue);
            if (tensorBounds) b.bounds(Tensor.of(DType.FLOAT64, lo, ACT), Tensor.of(DType.FLOAT64, hi, ACT));
            else b.bounds(lo[0], hi[0]);
            TD3Loss loss = b.build();
            assertEquals(delayActor, loss.hasDelayedTarget(TD3LossBase.ACTOR));
            assertEquals(delayQvalue, loss.hasDelayedTarget(TD3LossBase.QVALUE));
            // Without a delayed copy the target is the online network itself (detached).
            if (delayActor) loss.loadTargetParams(TD3LossBase.ACTOR, Parameters.fromModule(TinyActorCritic.actor(targetActor)));
            else targetActor = actorNet;
            if (delayQvalue) loss.loadTargetParams(TD3LossBase.QVALUE, Parameters.fromModules(critics(targetCritics)));
            else targetCritics = criticNets;
            TensorDict td = TinyActorCritic.batch(gen, n);
            Tensor z = gen.uniform(new int[] {n, ACT}, -3, 3);
            ReplayedDraws draws = noise(z);
            loss.setRandomSource(draws);
            TensorDict out = loss.forward(td);
            assertEquals(1, draws.used(), "one draw, of the action's shape, at randn_like");

            Tensor s = td.get("observation"), a = td.get("action"), s2 = td.get(Key.of("next", "observation"));
            double[] zs = z.toDoubleArray(), mu2 = targetActor.forward(s2).toDoubleArray();
            double[] a2 = new double[n * ACT];
            for (int i = 0; i < a2.length; i++) {
                double eps = Math.max(-clip, Math.min(clip, sigma * zs[i]));
                a2[i] = Math.max(lo[i % ACT], Math.min(hi[i % ACT], mu2[i] + eps));
            }
            Tensor nextAction = Tensor.of(DType.FLOAT64, a2, n, ACT);
            Tensor actorAction = actorNet.forward(s);
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[][] q = new double[members][], qNext = new double[members][], qActor = new double[members][];
            for (int k = 0; k < members; k++) {
                q[k] = TinyActorCritic.q(criticNets.get(k), s, a);
                qNext[k] = TinyActorCritic.q(targetCritics.get(k), s2, nextAction);
                qActor[k] = TinyActorCritic.q(criticNets.get(k), s, actorAction);
            }
            double[] lq = out.get("loss_qvalue").toDoubleArray(), la = out.get("loss_actor").toDoubleArray(), written = td.get("td_error").toDoubleArray();
            double[] pred = out.get("pred_value").toDoubleArray(), sva = out.get("state_action_value_actor").toDoubleArray();
            assertArrayEquals(new int[] {members, n}, out.get("pred_value").shape());
            assertArrayEquals(new int[] {members, n}, out.get("state_action_value_actor").shape());
            for (int i = 0; i < n; i++) {
                double v = Double.POSITIVE_INFINITY;
                for (int k = 0; k < members; k++) v = Math.min(v, qNext[k][i]);
                double y = r[i] + (term[i] ? 0 : 0.99 * v);
                double sum = 0, maxErr = 0;
                for (int k = 0; k < members; k++) {
                    sum += TinyActorCritic.distance(distance, q[k][i], y);
                    maxErr = Math.max(maxErr, (q[k][i] - y) * (q[k][i] - y));
                    assertEquals(q[k][i], pred[k * n + i], 1e-12, "pred_value");
                    assertEquals(qActor[k][i], sva[k * n + i], 1e-12, "state_action_value_actor");
                }
                assertEquals(sum, lq[i], 1e-12, "loss_qvalue " + i);
                assertEquals(-qActor[0][i], la[i], 1e-12, "loss_actor " + i + ": the first critic only");
                assertEquals(maxErr, written[i], 1e-12, "priority " + i);
                assertEquals(v, out.get("next_state_value").toDoubleArray()[i], 1e-12);
                assertEquals(y, out.get("target_value").toDoubleArray()[i], 1e-12);
            }
        });
    }

    /** Outputs and gradients of one loss, with vmap and then with the loop of {@code deactivate_vmap}. */
    static void loopGivesTheNumbersOfVmap(TD3LossBase loss, TensorDict batch, Tensor z) {
        List<double[]> withVmap = outputsAndGrads(loss, batch.copy(), z);
        loss.setDeactivateVmap(true);
        assertTrue(loss.deactivateVmap());
        List<double[]> withLoop = outputsAndGrads(loss, batch.copy(), z);
        assertEquals(withVmap.size(), withLoop.size());
        for (int i = 0; i < withVmap.size(); i++) assertArrayEquals(withVmap.get(i), withLoop.get(i), 1e-13, "entry " + i);
    }

    private static List<double[]> outputsAndGrads(TD3LossBase loss, TensorDict td, Tensor z) {
        loss.setRandomSource(noise(z));
        TensorDict out = loss.forward(td);
        List<double[]> values = new ArrayList<>();
        for (Map.Entry<Key, Tensor> e : out.leaves().entrySet()) values.add(e.getValue().detach().toDoubleArray());
        values.add(td.get("td_error").toDoubleArray());
        for (Tensor g : TinyActorCritic.grads(LossOutputs.totalLoss(out), loss.parameters())) values.add(g.toDoubleArray());
        return values;
    }

    @Test
    void deactivatingVmapGivesTheSameNumbers() {
        Gen gen = Gen.seeded(41);
        TD3Loss loss = TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(42)), critics(criticNets(43, 3))).bounds(-0.5, 0.7).build();
        loadTargets(loss, TinyActorCritic.actorNet(44), criticNets(45, 3));
        loopGivesTheNumbersOfVmap(loss, TinyActorCritic.batch(gen, 5), gen.uniform(new int[] {5, ACT}, -2, 2));
        TD3Loss looping = TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(1)), critics(criticNets(2, 2))).bounds(-1, 1).deactivateVmap(true)
                .build();
        assertTrue(looping.deactivateVmap(), "the builder option sets it too");
        // The loop refuses SAME randomness (spec §1.6) where vmap accepts it: proof that the critics really run in the loop.
        TensorDict td = TinyActorCritic.batch(gen, 3);
        looping.setVmapRandomness("same").setRandomSource(new Generator(46));
        Exception e = assertThrows(RuntimeException.class, () -> looping.forward(td.copy()));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("same"), e.getMessage());
        looping.setDeactivateVmap(false);
        looping.forward(td.copy());
    }

    @Test
    void boundsAreExactlyOneOfBoundsOrSpecWithLowNotAboveHigh() {
        var actor = TinyActorCritic.actor(TinyActorCritic.actorNet(1));
        var cs = critics(criticNets(2, 2));
        IllegalArgumentException neither = assertThrows(IllegalArgumentException.class, () -> TD3Loss.builder(actor, cs).build());
        assertTrue(neither.getMessage().contains("bounds") && neither.getMessage().contains("actionSpec"), neither.getMessage());
        Tensor lo = Tensor.of(DType.FLOAT64, new double[] {-1, -0.5}, ACT), hi = Tensor.of(DType.FLOAT64, new double[] {1, 0.5}, ACT);
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> TD3Loss.builder(actor, cs).bounds(-1, 1).actionSpec(BoundedActionSpec.of(lo, hi)).build());
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        IllegalArgumentException inverted = assertThrows(IllegalArgumentException.class, () -> TD3Loss.builder(actor, cs).bounds(1, -1).build());
        assertTrue(inverted.getMessage().contains("higher"), inverted.getMessage());
        Tensor crossed = Tensor.of(DType.FLOAT64, new double[] {-1, 0.6}, ACT);
        assertThrows(IllegalArgumentException.class, () -> TD3Loss.builder(actor, cs).bounds(crossed, hi).build(), "one component above its high bound");
        assertThrows(IllegalArgumentException.class, () -> TD3Loss.builder(actor, cs).actionSpec(BoundedActionSpec.of(crossed, hi)).build());

        // A spec with one container dim (2 agents): the first element's box is used.
        Tensor specLo = Tensor.of(DType.FLOAT64, new double[] {-1, -0.5, -9, -9}, 2, ACT), specHi = Tensor.of(DType.FLOAT64, new double[] {1, 0.5, 9, 9}, 2, ACT);
        TD3Loss fromSpec = TD3Loss.builder(actor, cs).actionSpec(new BoundedActionSpec(specLo, specHi, 1)).build();
        assertArrayEquals(lo.toDoubleArray(), fromSpec.low().toDoubleArray());
        assertArrayEquals(hi.toDoubleArray(), fromSpec.high().toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> new BoundedActionSpec(specLo, hi, 0), "low and high of different shapes");
        assertThrows(IllegalArgumentException.class, () -> new BoundedActionSpec(lo, hi, 2), "more container dims than dims");

        // The spec and the same bounds give the same loss.
        Gen gen = Gen.seeded(3);
        TensorDict td = TinyActorCritic.batch(gen, 4);
        Tensor z = gen.uniform(new int[] {4, ACT}, -3, 3);
        Sequential actorNet = TinyActorCritic.actorNet(5);
        List<Sequential> criticNets = criticNets(6, 2);
        TD3Loss viaBounds = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(lo, hi).policyNoise(1).noiseClip(1).build();
        TD3Loss viaSpec = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).actionSpec(BoundedActionSpec.of(lo, hi)).policyNoise(1)
                .noiseClip(1).build();
        TD3Loss wide = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).policyNoise(1).noiseClip(1).build();
        double a = viaBounds.setRandomSource(noise(z)).forward(td.copy()).get("loss_qvalue").item();
        double b = viaSpec.setRandomSource(noise(z)).forward(td.copy()).get("loss_qvalue").item();
        double c = wide.setRandomSource(noise(z)).forward(td.copy()).get("loss_qvalue").item();
        assertEquals(a, b, 0.0);
        assertTrue(Math.abs(a - c) > 1e-9, "the bounds clip the target actions");
    }

    @Test
    void anEnsembleGrownFromOneModuleHasRedrawnMembers() {
        Sequential criticNet = TinyActorCritic.criticNet(7);
        TD3Loss loss = TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(8)), TinyActorCritic.critic(criticNet)).bounds(-1, 1)
                .numQvalueNets(3).generator(new Generator(9)).build();
        assertEquals(3, loss.numQvalueNets());
        Tensor w = loss.params(TD3LossBase.QVALUE).get(Key.of("module", "0", "weight"));
        Tensor original = criticNet.parameters().get(0);
        assertArrayEquals(new int[] {3, 5, TinyActorCritic.OBS + ACT}, w.shape());
        assertTrue(w.requiresGrad());
        double min = original.min().item(), max = original.max().item();
        assertTrue(w.min().item() >= min && w.max().item() <= max, "re-drawn in the original's [min, max]");
        assertTrue(w.select(0, 0).sub(w.select(0, 1)).abs().sum().item() > 0, "members differ");
        assertTrue(w.select(0, 0).sub(original).abs().sum().item() > 0, "even the first member is re-drawn");
        loss.setRandomSource(new Generator(10));
        TensorDict out = loss.forward(TinyActorCritic.batch(Gen.seeded(11), 4));
        assertArrayEquals(new int[] {3, 4}, out.get("pred_value").shape());

        TD3Loss same = TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(8)), TinyActorCritic.critic(criticNet)).bounds(-1, 1)
                .numQvalueNets(3).generator(new Generator(9)).build();
        TD3Loss other = TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(8)), TinyActorCritic.critic(criticNet)).bounds(-1, 1)
                .numQvalueNets(3).generator(new Generator(99)).build();
        Key w0 = Key.of("module", "0", "weight");
        assertArrayEquals(w.toDoubleArray(), same.params(TD3LossBase.QVALUE).get(w0).toDoubleArray(), 0.0, "the generator decides the draws");
        assertTrue(w.sub(other.params(TD3LossBase.QVALUE).get(w0)).abs().sum().item() > 0, "another generator, other members");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(1)),
                critics(criticNets(2, 2))).bounds(-1, 1).numQvalueNets(3).build());
        assertTrue(e.getMessage().contains("numQvalueNets"), e.getMessage());
    }

    /**
     * An actor and a critic sharing their first layer, the ensemble grown from the critic: the
     * shared layer is re-drawn and trained by the critics unless {@code separateLosses}, which
     * keeps it as a detached expansion of the actor's (spec §1.3, §1.11).
     */
    @Test
    void separateLossesKeepsTheSharedTrunkOutOfTheCriticEnsemble() {
        for (boolean separate : new boolean[] {false, true}) {
            Generator g = new Generator(31);
            org.rlgrad.engine.nn.Linear trunk = new org.rlgrad.engine.nn.Linear(TinyActorCritic.OBS, 4, true, DType.FLOAT64, g);
            org.rlgrad.engine.nn.Linear actorHead = new org.rlgrad.engine.nn.Linear(4, ACT, true, DType.FLOAT64, g);
            org.rlgrad.engine.nn.Linear criticHead = new org.rlgrad.engine.nn.Linear(4 + ACT, 1, true, DType.FLOAT64, g);
            Sequential actorNet = new Sequential(trunk, new org.rlgrad.engine.nn.Tanh(), actorHead, new org.rlgrad.engine.nn.Tanh());
            var q = org.rlgrad.engine.modules.TensorFunction.of((o, a) -> criticHead.forward(Tensor.cat(List.of(trunk.forward(o).tanh(), a), -1)));
            var critic = new org.rlgrad.engine.modules.ValueOperator(new Sequential(trunk, criticHead), q, List.of("observation", "action"),
                    List.of("state_action_value"));
            TD3Loss loss = TD3Loss.builder(new org.rlgrad.engine.modules.Actor(actorNet), critic).bounds(-1, 1).separateLosses(separate)
                    .generator(new Generator(32)).build();
            Tensor sharedInCritics = loss.params(TD3LossBase.QVALUE).get(Key.of("module", "0", "weight"));
            assertEquals(!separate, sharedInCritics.requiresGrad(), "trainable in the critics only without separate losses");
            double[] trunkValues = trunk.parameters().get(0).toDoubleArray();
            for (int k = 0; k < 2; k++) {
                double diff = sharedInCritics.select(0, k).sub(trunk.parameters().get(0)).abs().sum().item();
                if (separate) assertEquals(0.0, diff, "member " + k + " holds the actor's trunk");
                else assertTrue(diff > 0, "member " + k + " holds a re-drawn trunk");
            }
            assertEquals(trunkValues.length, sharedInCritics.select(0, 0).numel());
        }
    }

    /** Reductions and priority weights against the per-sample losses of reduction none. */
    @Test
    void reductionsAndPriorityWeightsApplyToBothLosses() {
        Sequential actorNet = TinyActorCritic.actorNet(12);
        List<Sequential> criticNets = criticNets(13, 2);
        Gen gen = Gen.seeded(14);
        int n = 5;
        TensorDict td = TinyActorCritic.batch(gen, n);
        Tensor z = gen.uniform(new int[] {n, ACT}, -2, 2);
        Map<String, TensorDict> byReduction = new LinkedHashMap<>();
        for (String red : List.of("none", "sum", "mean")) {
            TD3Loss loss = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).reduction(red).build();
            byReduction.put(red, loss.setRandomSource(noise(z)).forward(td.copy()));
        }
        double[] w = gen.uniform(new int[] {n}, 0.1, 2).toDoubleArray();
        TensorDict weighted = td.copy();
        weighted.set("priority_weight", Tensor.of(DType.FLOAT64, w, n));
        TensorDict withW = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).build()
                .setRandomSource(noise(z)).forward(weighted);
        for (String k : List.of("loss_actor", "loss_qvalue")) {
            double[] l = byReduction.get("none").get(k).toDoubleArray();
            assertEquals(n, l.length, k + " keeps the batch with none");
            double s = 0, num = 0, den = 0;
            for (int i = 0; i < n; i++) {
                s += l[i];
                num += w[i] * l[i];
                den += w[i];
            }
            assertEquals(s, byReduction.get("sum").get(k).item(), 1e-12, k + " sum");
            assertEquals(s / n, byReduction.get("mean").get(k).item(), 1e-12, k + " mean");
            assertEquals(num / den, withW.get(k).item(), 1e-12, k + " weighted mean");
        }
        TensorDict weightsOff = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1)
                .prioritizedWeights(LossModule.PrioritizedWeights.OFF).build().setRandomSource(noise(z)).forward(weighted.copy());
        for (String k : List.of("loss_actor", "loss_qvalue")) assertEquals(byReduction.get("mean").get(k).item(), weightsOff.get(k).item(), 1e-12, k);
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Sequential actorNet = TinyActorCritic.actorNet(15);
        List<Sequential> criticNets = criticNets(16, 2);
        Gen gen = Gen.seeded(17);
        TensorDict td = TinyActorCritic.batch(gen, 5);
        Tensor z = gen.uniform(new int[] {5, ACT}, -2, 2);
        TensorDict plain = td3(actorNet, criticNets).setRandomSource(noise(z)).forward(td.copy());

        List<TensorDictModuleBase> renamedCritics = criticNets.stream().<TensorDictModuleBase>map(c -> TinyActorCritic.critic(c, "act", "qv")).toList();
        TD3Loss renamed = TD3Loss.builder(TinyActorCritic.actor(actorNet, "act"), renamedCritics).bounds(-1, 1).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("state_action_value", "qv");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        TensorDict out = renamed.setRandomSource(noise(z)).forward(moved);
        for (String k : List.of("loss_actor", "loss_qvalue")) assertEquals(plain.get(k).item(), out.get(k).item(), 1e-12, k);
        assertTrue(moved.contains(Key.of("prio", "err")));
        assertFalse(moved.contains("td_error"));
        assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("value", "v"));
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKeyAndDrawsNothing() {
        TD3Loss loss = td3(TinyActorCritic.actorNet(1), criticNets(2, 2));
        for (Key missing : List.of(Key.of("observation"), Key.of("action"), Key.of("next", "reward"), Key.of("next", "observation"))) {
            TensorDict td = TinyActorCritic.batch(Gen.seeded(3), 4);
            td.remove(missing);
            ReplayedDraws draws = noise(Tensor.zeros(DType.FLOAT64, 4, ACT));
            loss.setRandomSource(draws);
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td), "without " + missing);
            assertTrue(e.getMessage().contains(missing.last()), "the error names " + missing + ": " + e.getMessage());
            if (!missing.equals(Key.of("next", "reward"))) assertEquals(0, draws.used(), "inputs are checked before the draw");
        }
    }

    @Test
    void componentsAloneAndEstimators() {
        TD3Loss loss = td3(TinyActorCritic.actorNet(1), criticNets(2, 2));
        TensorDict td = TinyActorCritic.batch(Gen.seeded(3), 4);
        ReplayedDraws draws = noise(Tensor.zeros(DType.FLOAT64, 4, ACT));
        loss.setRandomSource(draws);
        LossTerm actor = loss.actorLoss(td);
        assertEquals(0, draws.used(), "the actor loss draws nothing");
        assertEquals(List.of("state_action_value_actor"), List.copyOf(actor.metadata().keySet()));
        LossTerm q = loss.qvalueLoss(td);
        assertEquals(1, draws.used(), "the Q loss draws the target noise");
        assertArrayEquals(new int[] {2, 4}, q.metric("td_error").shape(), "per critic, before the max of forward");
        assertFalse(td.contains("td_error"), "components alone write no priority");

        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("TD3Loss"), u.getMessage());
        assertEquals(List.of("action", "state_action_value", "priority", "reward", "done", "terminated", "priority_weight"), TD3Loss.keyNames());
    }

    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("td3 order invariance", 15, gen -> {
            TD3Loss loss = TD3Loss.builder(TinyActorCritic.actor(TinyActorCritic.actorNet(gen.intIn(0, 100))), critics(criticNets(gen.intIn(0, 100), 2)))
                    .bounds(-0.8, 0.8).lossFunction(gen.oneOf("l2", "smooth_l1")).build();
            int n = gen.intIn(2, 8);
            TensorDict td = TinyActorCritic.batch(gen, n);
            Tensor z = gen.uniform(new int[] {n, ACT}, -3, 3);
            int[] perm = gen.permutation(n);
            TensorDict shuffled = TinyActorCritic.permuted(td, perm);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict a = loss.setRandomSource(noise(z)).forward(td);
            TensorDict b = loss.setRandomSource(noise(z.indexSelect(0, Tensor.of(idx, n)))).forward(shuffled);
            for (String k : List.of("loss_actor", "loss_qvalue")) assertEquals(a.get(k).item(), b.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    /** The bandit of {@link Bandit}: the critics learn the reward, the actor approaches the best action. */
    @Test
    void aShortTrainingRunLowersTheLossAndStaysFinite() {
        Sequential actorNet = TinyActorCritic.actorNet(51);
        List<Sequential> criticNets = List.of(TinyActorCritic.criticNet(52, 32), TinyActorCritic.criticNet(53, 32));
        TD3Loss loss = td3(actorNet, criticNets);
        loss.setRandomSource(new Generator(54));
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam criticOpt = new Adam(criticLeaves(loss), 0.01), actorOpt = new Adam(actorNet.parameters(), 0.002);
        Gen gen = Gen.seeded(55);
        List<Double> qLoss = new ArrayList<>(), regret = new ArrayList<>();
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
            qLoss.add(out.get("loss_qvalue").item());
            regret.add(Bandit.regret(actorNet, td.get("observation")));
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        assertTrue(Bandit.mean(qLoss, 280, 300) < 0.6 * Bandit.mean(qLoss, 0, 20), "the critic loss falls: " + Bandit.mean(qLoss, 0, 20) + " -> "
                + Bandit.mean(qLoss, 280, 300));
        assertTrue(Bandit.mean(regret, 280, 300) < 0.3 * Bandit.mean(regret, 0, 20), "the actor approaches the best action: " + Bandit.mean(regret, 0, 20)
                + " -> " + Bandit.mean(regret, 280, 300));
    }
}
