package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.TD3LossTest.critics;
import static org.rlgrad.losses.TD3LossTest.criticNets;
import static org.rlgrad.losses.TD3LossTest.noise;
import static org.rlgrad.losses.TinyActorCritic.ACT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

class TD3BCLossTest {
    private static TD3BCLoss td3bc(Sequential actorNet, List<Sequential> criticNets, double alpha, String reduction) {
        return TD3BCLoss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).alpha(alpha).reduction(reduction).build();
    }

    /** Spec §2.16's actor loss from the networks directly; the Q part equals TD3's on the same networks and noise. */
    @Test
    void matchesTheFormulaAndSharesTd3sQLoss() {
        Property.forAll("td3bc formula", 12, gen -> {
            int n = gen.intIn(1, 6);
            double alpha = gen.uniform(0.5, 3);
            String reduction = gen.oneOf("none", "mean", "sum");
            Sequential actorNet = TinyActorCritic.actorNet(gen.intIn(0, 999)), targetActor = TinyActorCritic.actorNet(gen.intIn(1000, 1999));
            List<Sequential> criticNets = criticNets(gen.intIn(0, 999), 2), targetCritics = criticNets(gen.intIn(1000, 1999), 2);
            TD3BCLoss loss = td3bc(actorNet, criticNets, alpha, reduction);
            TD3Loss td3 = TD3Loss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).reduction(reduction).build();
            TD3LossTest.loadTargets(loss, targetActor, targetCritics);
            TD3LossTest.loadTargets(td3, targetActor, targetCritics);
            TensorDict td = TinyActorCritic.batch(gen, n), td3Batch = td.copy();
            Tensor z = gen.uniform(new int[] {n, ACT}, -3, 3);
            TensorDict out = loss.setRandomSource(noise(z)).forward(td);
            TensorDict ref = td3.setRandomSource(noise(z)).forward(td3Batch);
            assertEquals(Set.of("loss_actor", "loss_qvalue", "bc_loss", "lmbd", "state_action_value_actor", "next_state_value", "pred_value", "target_value"),
                    Set.copyOf(out.keys().stream().map(Key::first).toList()));
            for (String k : List.of("loss_qvalue", "next_state_value", "pred_value", "target_value")) {
                assertArrayEquals(ref.get(k).toDoubleArray(), out.get(k).toDoubleArray(), 1e-14, k + " is TD3's");
            }
            assertArrayEquals(td3Batch.get("td_error").toDoubleArray(), td.get("td_error").toDoubleArray(), 1e-14, "so is the priority");

            Tensor s = td.get("observation");
            double[] act = actorNet.forward(s).toDoubleArray(), data = td.get("action").toDoubleArray();
            double[] q0 = TinyActorCritic.q(criticNets.get(0), s, actorNet.forward(s));
            double bc = 0, meanAbs = 0;
            for (int i = 0; i < act.length; i++) bc += (act[i] - data[i]) * (act[i] - data[i]) / act.length;
            for (double v : q0) meanAbs += Math.abs(v) / n;
            double lmbd = alpha / meanAbs;
            double[] perSample = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                perSample[i] = -lmbd * q0[i] + bc;
                sum += perSample[i];
            }
            assertEquals(bc, out.get("bc_loss").item(), 1e-12);
            assertEquals(lmbd, out.get("lmbd").item(), 1e-12 * lmbd);
            assertArrayEquals(q0, out.get("state_action_value_actor").toDoubleArray(), 1e-12, "the first critic only, [B]");
            switch (reduction) {
                case "none" -> assertArrayEquals(perSample, out.get("loss_actor").toDoubleArray(), 1e-10);
                case "sum" -> assertEquals(sum, out.get("loss_actor").item(), 1e-10 * (1 + Math.abs(sum)), "bc counted once per sample");
                default -> assertEquals(sum / n, out.get("loss_actor").item(), 1e-10 * (1 + Math.abs(sum)));
            }
        });
    }

    @Test
    void eachLossTrainsOnlyItsOwnNetworksAndTheMetricsCarryNoGraph() {
        Sequential actorNet = TinyActorCritic.actorNet(1);
        TD3BCLoss loss = td3bc(actorNet, criticNets(2, 2), 2.5, "mean");
        loss.setRandomSource(new Generator(3));
        TensorDict out = loss.forward(TinyActorCritic.batch(Gen.seeded(4), 6));
        List<Tensor> actorParams = actorNet.parameters(), criticParams = TD3LossTest.criticLeaves(loss);
        List<Tensor> all = TinyActorCritic.concat(actorParams, criticParams);
        int na = actorParams.size();
        List<Tensor> fromActor = TinyActorCritic.grads(out.get("loss_actor"), all), fromQ = TinyActorCritic.grads(out.get("loss_qvalue"), all);
        for (int i = 0; i < na; i++) assertTrue(fromActor.get(i).abs().sum().item() > 0, "loss_actor reaches actor tensor " + i);
        assertEquals(0.0, TinyActorCritic.size(fromActor.subList(na, all.size())), "loss_actor never reaches a critic");
        assertEquals(0.0, TinyActorCritic.size(fromQ.subList(0, na)), "loss_qvalue never reaches the actor");
        assertTrue(TinyActorCritic.size(fromQ.subList(na, all.size())) > 0);
        for (String m : List.of("bc_loss", "lmbd", "state_action_value_actor")) assertFalse(out.get(m).requiresGrad(), m + " has no history");
    }

    @Test
    void alphaScalesTheQTermOnly() {
        Sequential actorNet = TinyActorCritic.actorNet(5);
        List<Sequential> criticNets = criticNets(6, 2);
        TensorDict td = TinyActorCritic.batch(Gen.seeded(7), 5);
        TensorDict one = td3bc(actorNet, criticNets, 1.0, "mean").setRandomSource(new Generator(8)).forward(td.copy());
        TensorDict four = td3bc(actorNet, criticNets, 4.0, "mean").setRandomSource(new Generator(8)).forward(td.copy());
        assertEquals(4 * one.get("lmbd").item(), four.get("lmbd").item(), 1e-12);
        assertEquals(one.get("bc_loss").item(), four.get("bc_loss").item(), 0.0);
        double qTermOne = one.get("loss_actor").item() - one.get("bc_loss").item();
        double qTermFour = four.get("loss_actor").item() - four.get("bc_loss").item();
        assertEquals(4 * qTermOne, qTermFour, 1e-10);
        assertEquals(2.5, TD3BCLoss.builder(TinyActorCritic.actor(actorNet), critics(criticNets)).bounds(-1, 1).build().alpha(), "the default α");
    }

    @Test
    void deactivatingVmapGivesTheSameNumbers() {
        Gen gen = Gen.seeded(9);
        TD3BCLoss loss = td3bc(TinyActorCritic.actorNet(10), criticNets(11, 3), 2.5, "mean");
        TD3LossTest.loadTargets(loss, TinyActorCritic.actorNet(12), criticNets(13, 3));
        TD3LossTest.loopGivesTheNumbersOfVmap(loss, TinyActorCritic.batch(gen, 5), gen.uniform(new int[] {5, ACT}, -2, 2));
    }

    /** The renamed action key is where the data action for the BC term is read, and where actor and critics meet. */
    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Sequential actorNet = TinyActorCritic.actorNet(14);
        List<Sequential> criticNets = criticNets(15, 2);
        Gen gen = Gen.seeded(16);
        TensorDict td = TinyActorCritic.batch(gen, 5);
        Tensor z = gen.uniform(new int[] {5, ACT}, -2, 2);
        TensorDict plain = td3bc(actorNet, criticNets, 2.5, "mean").setRandomSource(noise(z)).forward(td.copy());
        List<TensorDictModuleBase> renamedCritics = criticNets.stream().<TensorDictModuleBase>map(c -> TinyActorCritic.critic(c, "act", "state_action_value"))
                .toList();
        TD3BCLoss renamed = TD3BCLoss.builder(TinyActorCritic.actor(actorNet, "act"), renamedCritics).bounds(-1, 1).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("done", "dn");
        keys.put("priority", "prio");
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "done"), Key.of("next", "dn"));
        TensorDict out = renamed.setRandomSource(noise(z)).forward(moved);
        for (String k : List.of("loss_actor", "loss_qvalue", "bc_loss")) assertEquals(plain.get(k).item(), out.get(k).item(), 1e-12, k);
        assertTrue(moved.contains("prio"));
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        TD3BCLoss loss = td3bc(TinyActorCritic.actorNet(1), criticNets(2, 2), 2.5, "mean");
        for (Key missing : List.of(Key.of("observation"), Key.of("action"), Key.of("next", "observation"))) {
            TensorDict td = TinyActorCritic.batch(Gen.seeded(3), 4);
            td.remove(missing);
            loss.setRandomSource(new Generator(4));
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td), "without " + missing);
            assertTrue(e.getMessage().contains(missing.last()), "the error names " + missing + ": " + e.getMessage());
        }
    }

    @Test
    void lossIsInvariantToTheOrderOfSamples() {
        Property.forAll("td3bc order invariance", 15, gen -> {
            TD3BCLoss loss = td3bc(TinyActorCritic.actorNet(gen.intIn(0, 100)), criticNets(gen.intIn(0, 100), 2), gen.uniform(0.5, 3), "mean");
            int n = gen.intIn(2, 8);
            TensorDict td = TinyActorCritic.batch(gen, n);
            Tensor z = gen.uniform(new int[] {n, ACT}, -3, 3);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict a = loss.setRandomSource(noise(z)).forward(td);
            TensorDict b = loss.setRandomSource(noise(z.indexSelect(0, Tensor.of(idx, n)))).forward(TinyActorCritic.permuted(td, perm));
            for (String k : List.of("loss_actor", "loss_qvalue", "bc_loss", "lmbd")) {
                assertEquals(a.get(k).item(), b.get(k).item(), 1e-12 * (1 + Math.abs(a.get(k).item())), k);
            }
        });
    }

    /** The bandit of {@link Bandit} with uniformly random data actions: the losses fall and stay finite. */
    @Test
    void aShortTrainingRunLowersTheLossAndStaysFinite() {
        Sequential actorNet = TinyActorCritic.actorNet(61);
        List<Sequential> criticNets = List.of(TinyActorCritic.criticNet(62, 32), TinyActorCritic.criticNet(63, 32));
        TD3BCLoss loss = td3bc(actorNet, criticNets, 2.5, "mean");
        loss.setRandomSource(new Generator(64));
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam criticOpt = new Adam(TD3LossTest.criticLeaves(loss), 0.01), actorOpt = new Adam(actorNet.parameters(), 0.002);
        Gen gen = Gen.seeded(65);
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
        assertTrue(Bandit.mean(regret, 280, 300) < 0.5 * Bandit.mean(regret, 0, 20), "the actor approaches the best action: " + Bandit.mean(regret, 0, 20)
                + " -> " + Bandit.mean(regret, 280, 300));
    }
}
