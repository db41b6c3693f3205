package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

class SACLossTest {
    private static final int A = TinySac.ACT;

    private static SACLoss.Builder v2(long seed) {
        return SACLoss.builder(TinySac.actor(seed), TinySac.critics(seed + 1, 2));
    }

    private static SACLoss.Builder v1(long seed) {
        return v2(seed).valueNetwork(TinySac.value(seed + 2));
    }

    /** Two recorded standard-normal draws of {@code [n, A]} at the site Normal.rsample. */
    private static ReplayedDraws draws(Tensor... noise) {
        List<ReplayedDraws.Draw> list = new ArrayList<>();
        for (Tensor t : noise) list.add(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, t));
        return new ReplayedDraws(list);
    }

    /** A source that draws from a generator and records the shape of every request. */
    private static final class RecordingSource implements RandomSource {
        final Generator g = new Generator(99);
        final List<String> asked = new ArrayList<>();

        @Override
        public Tensor standardNormal(String site, int[] shape, DType dtype) {
            asked.add(site + java.util.Arrays.toString(shape));
            return g.standardNormal(site, shape, dtype);
        }

        @Override
        public Tensor uniform(String site, int[] shape, DType dtype, double low, double high) {
            throw new AssertionError("SAC draws no uniform");
        }

        @Override
        public Tensor randperm(String site, int n) {
            throw new AssertionError("SAC draws no permutation");
        }
    }

    /** Which of {@code params} have a non-zero gradient of {@code term}. */
    private static Set<Tensor> reached(Tensor term, List<Tensor> params) {
        Set<Tensor> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        if (!term.requiresGrad()) return out;
        List<Tensor> grads = Autograd.grad(List.of(term.sum()), params, null, false, true, true);
        for (int i = 0; i < params.size(); i++) if (grads.get(i).abs().sum().item() > 0) out.add(params.get(i));
        return out;
    }

    private static List<Tensor> trainable(SACLoss loss, String name) {
        return new ArrayList<>(loss.namedParameters(name).values());
    }

    @Test
    void eachLossEntryReachesExactlyItsOwnParametersAndNeverATarget() {
        for (boolean version1 : new boolean[] {false, true}) {
            SACLoss loss = (version1 ? v1(1) : v2(1)).build();
            SoftUpdate.withTau(loss, 0.1);
            TensorDict td = TinySac.batch(Gen.seeded(2), 6);
            TensorDict out = loss.forward(td);
            List<Tensor> all = loss.parameters();
            assertTrue(all.contains(loss.logAlpha()), "log_alpha is a parameter of the loss");
            Set<Tensor> actor = Set.copyOf(trainable(loss, SACLoss.ACTOR)), critics = Set.copyOf(trainable(loss, SACLoss.QVALUE));
            assertEquals(actor, reached(out.get("loss_actor"), all), "loss_actor trains the actor only");
            assertEquals(critics, reached(out.get("loss_qvalue"), all), "loss_qvalue trains the critics only");
            assertEquals(Set.of(loss.logAlpha()), reached(out.get("loss_alpha"), all), "loss_alpha trains log_alpha only");
            if (version1) assertEquals(Set.copyOf(trainable(loss, SACLoss.VALUE)), reached(out.get("loss_value"), all), "loss_value trains V only");
            LossOutputs.totalLoss(out).backward();
            for (String name : loss.networkNames()) {
                for (Tensor t : loss.targetParams(name).leaves().values()) {
                    assertFalse(t.requiresGrad(), name + ": a target tensor never requires grad");
                    assertNull(t.grad());
                }
            }
            for (String metric : List.of("alpha", "entropy")) assertFalse(out.get(metric).requiresGrad(), metric + " is detached");
            assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
            assertArrayEquals(new int[] {6}, td.get("td_error").shape());
        }
    }

    @Test
    void drawsComeFromTheLossSourceInTheSpecifiedOrderAndShapes() {
        RecordingSource v2Source = new RecordingSource(), v1Source = new RecordingSource();
        SACLoss two = v2(3).build(), one = v1(3).build();
        two.setRandomSource(v2Source).forward(TinySac.batch(Gen.seeded(4), 4));
        one.setRandomSource(v1Source).forward(TinySac.batch(Gen.seeded(4), 4));
        assertEquals(List.of("Normal.rsample[4, 2]", "Normal.rsample[4, 2]"), v2Source.asked);
        assertEquals(List.of("Normal.rsample[4, 2]", "Normal.rsample[4, 2]"), v1Source.asked);

        // v2: the first draw is at s' (its noise moves the target, hence loss_qvalue, not loss_actor); the second at s.
        TensorDict td = TinySac.batch(Gen.seeded(5), 4);
        Tensor e1 = TinySac.noise(6, 4, A), e2 = TinySac.noise(7, 4, A);
        TensorDict base = v2(3).build().setRandomSource(draws(e1, e2)).forward(td.copy());
        TensorDict otherFirst = v2(3).build().setRandomSource(draws(e1.mul(-1.0), e2)).forward(td.copy());
        TensorDict otherSecond = v2(3).build().setRandomSource(draws(e1, e2.mul(-1.0))).forward(td.copy());
        assertNotEquals(base.get("loss_qvalue").item(), otherFirst.get("loss_qvalue").item());
        assertEquals(base.get("loss_actor").item(), otherFirst.get("loss_actor").item(), 0.0);
        assertEquals(base.get("loss_qvalue").item(), otherSecond.get("loss_qvalue").item(), 0.0);
        assertNotEquals(base.get("loss_actor").item(), otherSecond.get("loss_actor").item());
    }

    /** Under mean reduction every term is a mean over samples: permuting the batch (and its noise) changes nothing but the order of td_error. */
    @Test
    void version2IsInvariantToTheOrderOfSamples() {
        Property.forAll("sac v2 order invariance", 12, gen -> {
            int n = gen.intIn(2, 7);
            String distance = gen.oneOf("l2", "smooth_l1");
            TensorDict td = TinySac.batch(gen, n);
            Tensor e1 = gen.uniform(new int[] {n, A}, -2, 2), e2 = gen.uniform(new int[] {n, A}, -2, 2);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            Tensor index = Tensor.of(idx, n);
            TensorDict shuffled = td.index(index);
            long seed = gen.intIn(0, 1000);
            TensorDict a = v2(seed).lossFunction(distance).build().setRandomSource(draws(e1, e2)).forward(td);
            TensorDict b = v2(seed).lossFunction(distance).build().setRandomSource(draws(e1.indexSelect(0, index), e2.indexSelect(0, index))).forward(shuffled);
            for (String k : List.of("loss_qvalue", "loss_actor", "loss_alpha", "entropy")) {
                double x = a.get(k).item(), y = b.get(k).item();
                assertEquals(x, y, 1e-12 * (1 + Math.abs(x)), k);
            }
            double[] err = td.get("td_error").toDoubleArray(), errShuffled = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(err[perm[i]], errShuffled[i], 1e-12);
        });
    }

    /** Version 1 trains critic k on the k-th contiguous chunk only (spec §4 item 3): moving rows of chunk 1 leaves critic 0's gradient alone. */
    @Test
    void version1TrainsCriticKOnChunkKOnly() {
        TensorDict td = TinySac.batch(Gen.seeded(8), 6);
        TensorDict moved = td.copy();
        Tensor obs = td.get("observation");
        moved.set("observation", Tensor.cat(List.of(obs.slice(0, 0, 3, 1), obs.slice(0, 3, 6, 1).add(0.5)), 0));
        List<Tensor> g0 = new ArrayList<>(), g1 = new ArrayList<>();
        for (TensorDict batch : List.of(td, moved)) {
            SACLoss loss = v1(9).build();
            loss.setRandomSource(new Generator(1));
            Tensor q = loss.forward(batch).get("loss_qvalue");
            Tensor w = loss.params(SACLoss.QVALUE).get(Key.of("module", "0", "weight"));
            Tensor g = Autograd.grad(q, w);
            g0.add(g.select(0, 0));
            g1.add(g.select(0, 1));
        }
        assertArrayEquals(g0.get(0).toDoubleArray(), g0.get(1).toDoubleArray(), 1e-15, "critic 0 sees rows 0-2 only");
        assertFalse(java.util.Arrays.equals(g1.get(0).toDoubleArray(), g1.get(1).toDoubleArray()), "critic 1 sees rows 3-5");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v1(9).build().forward(TinySac.batch(Gen.seeded(8), 5)));
        assertTrue(e.getMessage().contains("multiple of num_qvalue_nets"), e.getMessage());
    }

    @Test
    void reductionsAndPriorityWeights() {
        TensorDict td = TinySac.batch(Gen.seeded(10), 6);
        Tensor e1 = TinySac.noise(11, 6, A), e2 = TinySac.noise(12, 6, A);
        for (boolean version1 : new boolean[] {false, true}) {
            TensorDict none = (version1 ? v1(13) : v2(13)).reduction("none").scalarOutputMode("exclude").build().setRandomSource(draws(e1, e2)).forward(td.copy());
            TensorDict mean = (version1 ? v1(13) : v2(13)).build().setRandomSource(draws(e1, e2)).forward(td.copy());
            TensorDict sum = (version1 ? v1(13) : v2(13)).reduction("sum").build().setRandomSource(draws(e1, e2)).forward(td.copy());
            Tensor w = Gen.seeded(14).uniform(new int[] {6}, 0.1, 2);
            TensorDict weighted = td.copy();
            weighted.set("priority_weight", w);
            TensorDict prio = (version1 ? v1(13) : v2(13)).build().setRandomSource(draws(e1, e2)).forward(weighted);
            TensorDict ignored = (version1 ? v1(13) : v2(13)).prioritizedWeights(LossModule.PrioritizedWeights.OFF).build().setRandomSource(draws(e1, e2))
                    .forward(weighted.copy());
            List<String> losses = new ArrayList<>(List.of("loss_qvalue", "loss_actor", "loss_alpha"));
            if (version1) losses.add("loss_value");
            for (String k : losses) {
                Tensor perSample = none.get(k);
                assertArrayEquals(new int[] {6}, perSample.shape(), k + " is per sample under none");
                assertEquals(perSample.mean().item(), mean.get(k).item(), 1e-12, k + ": mean");
                assertEquals(perSample.sum().item(), sum.get(k).item(), 1e-12, k + ": sum");
                assertEquals(perSample.mul(w).sum().item() / w.sum().item(), prio.get(k).item(), 1e-12, k + ": weighted mean");
                assertEquals(mean.get(k).item(), ignored.get(k).item(), 1e-12, k + ": weights off");
            }
            assertFalse(none.contains("alpha") || none.contains("entropy"), "exclude drops the scalar metrics");
        }
        TensorDict kept = v2(13).reduction("none").scalarOutputMode("non_tensor").build().setRandomSource(draws(e1, e2)).forward(td.copy());
        assertEquals(1.0, kept.get("alpha").item(), 0.0);
        assertTrue(kept.contains("entropy"));
        TensorDict unset = v2(13).reduction("none").build().setRandomSource(draws(e1, e2)).forward(td.copy());
        assertFalse(unset.contains("alpha"), "null behaves as exclude (after a warning)");
        assertThrows(IllegalArgumentException.class, () -> v2(13).scalarOutputMode("drop"));
    }

    @Test
    void temperatureOptions() {
        TensorDict td = TinySac.batch(Gen.seeded(15), 4);
        // alpha_init = 2 with max_alpha = 0.5: reading α clamps log α in place.
        SACLoss clamped = v2(16).alphaInit(2.0).maxAlpha(0.5).targetEntropy(-1.5).build();
        TensorDict out = clamped.setRandomSource(new Generator(3)).forward(td.copy());
        assertEquals(0.5, out.get("alpha").item(), 1e-15);
        assertEquals(Math.log(0.5), clamped.logAlpha().item(), 1e-15, "log_alpha was clamped in place");
        assertEquals(-Math.log(0.5) * (-out.get("entropy").item() - 1.5), out.get("loss_alpha").item(), 1e-12, "loss_alpha = -log α (mean ℓ + H̄)");

        // "auto": minus the number of action components, from the data or from an explicit shape.
        SACLoss auto = v2(16).alphaInit(0.7).build();
        assertNull(auto.targetEntropy());
        TensorDict a = auto.setRandomSource(new Generator(3)).forward(td.copy());
        assertEquals(-2.0, auto.targetEntropy(), 0.0);
        assertEquals(-Math.log(0.7) * (-a.get("entropy").item() - 2.0), a.get("loss_alpha").item(), 1e-12);
        assertEquals(-6.0, v2(16).actionShape(2, 3).build().targetEntropy(), 0.0, "an explicit action shape is read at construction");
        SACLoss shaped = v2(16).actionShape(5).build();
        shaped.setRandomSource(new Generator(3)).forward(td.copy());
        assertEquals(-5.0, shaped.targetEntropy(), 0.0, "the given action shape wins over the data's");

        SACLoss fixed = v2(16).fixedAlpha(true).build();
        assertFalse(fixed.parameters().contains(fixed.logAlpha()), "a fixed α is not trained");
        TensorDict f = fixed.setRandomSource(new Generator(3)).forward(td.copy());
        assertFalse(f.get("loss_alpha").requiresGrad(), "the alpha loss of a fixed α carries no gradient");
        assertThrows(IllegalArgumentException.class, () -> v2(16).maxAlpha(0.0).build());
    }

    @Test
    void skipDoneStatesSamplesOnlyTheLiveNextStates() {
        TensorDict td = TinySac.batch(Gen.seeded(17), 6);
        boolean[] done = {true, false, false, true, false, true};
        td.set(Key.of("next", "done"), Tensor.of(done, 6, 1));
        RecordingSource skipping = new RecordingSource(), plain = new RecordingSource();
        v2(18).skipDoneStates(true).build().setRandomSource(skipping).forward(td.copy());
        v2(18).build().setRandomSource(plain).forward(td.copy());
        assertEquals(List.of("Normal.rsample[3, 2]", "Normal.rsample[6, 2]"), skipping.asked, "3 live next states, then the actor draw");
        assertEquals(List.of("Normal.rsample[6, 2]", "Normal.rsample[6, 2]"), plain.asked);

        // The live rows get the same draws either way, so their td_error agrees; the done rows differ (a' = 0, ℓ' = 0).
        Tensor live = TinySac.noise(19, 3, A), actorNoise = TinySac.noise(20, 6, A);
        long[] liveRows = {1, 2, 4};
        double[] liveNoise = live.toDoubleArray(), fullNoise = new double[6 * A];
        for (int j = 0; j < liveRows.length; j++) System.arraycopy(liveNoise, j * A, fullNoise, (int) liveRows[j] * A, A);
        Tensor full = Tensor.of(DType.FLOAT64, fullNoise, 6, A);
        TensorDict a = td.copy(), b = td.copy();
        v2(18).skipDoneStates(true).build().setRandomSource(draws(live, actorNoise)).forward(a);
        v2(18).build().setRandomSource(draws(full, actorNoise)).forward(b);
        double[] ea = a.get("td_error").toDoubleArray(), eb = b.get("td_error").toDoubleArray();
        for (long i : liveRows) assertEquals(eb[(int) i], ea[(int) i], 1e-12, "live row " + i);
    }

    @Test
    void delayActorGivesVersion1ItsOwnActorCopy() {
        TensorDict td = TinySac.batch(Gen.seeded(21), 4);
        Tensor e1 = TinySac.noise(22, 4, A), e2 = TinySac.noise(23, 4, A);
        SACLoss alias = v1(24).build(), delayed = v1(24).delayActor(true).build();
        double same = alias.setRandomSource(draws(e1, e2)).forward(td.copy()).get("loss_value").item();
        assertEquals(same, delayed.setRandomSource(draws(e1, e2)).forward(td.copy()).get("loss_value").item(), 1e-14, "a fresh copy equals the online actor");
        TensorDict moved = delayed.targetParams(SACLoss.ACTOR).apply(t -> t.add(0.3));
        delayed.loadTargetParams(SACLoss.ACTOR, moved);
        TensorDict out = delayed.setRandomSource(draws(e1, e2)).forward(td.copy());
        assertNotEquals(same, out.get("loss_value").item(), "the value loss samples with the actor's target parameters");
        assertEquals(alias.setRandomSource(draws(e1, e2)).forward(td.copy()).get("loss_actor").item(), out.get("loss_actor").item(), 1e-14,
                "the actor loss keeps the online parameters");
        assertThrows(IllegalArgumentException.class, () -> alias.loadTargetParams(SACLoss.ACTOR, moved), "without delay the target is an alias");
    }

    @Test
    void deactivatedVmapGivesTheVmapNumbers() {
        TensorDict td = TinySac.batch(Gen.seeded(25), 6);
        Tensor e1 = TinySac.noise(26, 6, A), e2 = TinySac.noise(27, 6, A);
        for (boolean version1 : new boolean[] {false, true}) {
            TensorDict a = (version1 ? v1(28) : v2(28)).build().setRandomSource(draws(e1, e2)).forward(td.copy());
            TensorDict b = (version1 ? v1(28) : v2(28)).deactivateVmap(true).build().setRandomSource(draws(e1, e2)).forward(td.copy());
            for (Key k : a.keys()) assertEquals(a.get(k).item(), b.get(k).item(), 1e-13, k.toString());
        }
        // The loop refuses SAME randomness (spec §1.6); vmap accepts it.
        v2(28).build().setVmapRandomness("same").setRandomSource(draws(e1, e2)).forward(td.copy());
        LossModule looped = v2(28).deactivateVmap(true).build().setVmapRandomness("same").setRandomSource(draws(e1, e2));
        RuntimeException e = assertThrows(RuntimeException.class, () -> looped.forward(td.copy()));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("same"), e.getMessage());
    }

    /** Each public component alone gives forward's entry for the same draws (version 1: Q, V, actor, alpha). */
    @Test
    void componentsCalledAloneMatchForward() {
        TensorDict td = TinySac.batch(Gen.seeded(29), 4);
        Tensor e1 = TinySac.noise(30, 4, A), e2 = TinySac.noise(31, 4, A);
        TensorDict whole = v1(32).alphaInit(0.4).build().setRandomSource(draws(e1, e2)).forward(td.copy());
        SACLoss loss = v1(32).alphaInit(0.4).build();
        loss.setRandomSource(draws(e1, e2));
        TensorDict data = td.copy();
        assertEquals(whole.get("loss_qvalue").item(), loss.qvalueLoss(data).loss().item(), 1e-14);
        assertTrue(data.contains("td_error"), "the Q loss alone writes the priority");
        assertEquals(whole.get("loss_value").item(), loss.valueLoss(data).loss().item(), 1e-14);
        LossTerm actor = loss.actorLoss(data);
        assertEquals(whole.get("loss_actor").item(), actor.loss().item(), 1e-14);
        assertEquals(whole.get("loss_alpha").item(), loss.alphaLoss(data, actor.metadata().get("log_prob")).loss().item(), 1e-14);
        assertThrows(IllegalStateException.class, () -> v2(32).build().valueLoss(td.copy()));
    }

    /**
     * A critic grown from one module that shares its trunk with the actor: with separateLosses the
     * trunk inside the critics is a detached expansion of the actor's; without, each member holds a
     * trainable re-drawn copy (spec §1.3, §1.11). The value network of version 1 shares it too: it
     * trains the actor's trunk only without separateLosses.
     */
    @Test
    void separateLossesKeepsSharedParametersOutOfTheCriticLosses() {
        for (boolean separate : new boolean[] {false, true}) {
            Linear trunk = new Linear(TinySac.OBS, 4, true, DType.FLOAT64, new Generator(30));
            Linear head = new Linear(4, 2 * A, true, DType.FLOAT64, new Generator(31));
            Sequential actorNet = new Sequential(trunk, new Tanh(), head);
            ProbabilisticActor actor = new ProbabilisticActor(new TensorDictSequential(
                    TensorDictModule.of(actorNet, List.of("observation"), List.of("param")),
                    TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build()),
                    ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                            .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
            Linear qHead = new Linear(4 + A, 1, true, DType.FLOAT64, new Generator(32));
            Sequential qModules = new Sequential(trunk, qHead);
            ValueOperator critic = new ValueOperator(qModules, (positional, named) -> qHead.forward(Tensor.cat(List.of(trunk.forward(positional.get(0)).tanh(),
                    positional.get(1)), -1)), List.of("observation", "action"), List.of("state_action_value"));
            Linear vHead = new Linear(4, 1, true, DType.FLOAT64, new Generator(33));
            Sequential vModules = new Sequential(trunk, vHead);
            ValueOperator value = new ValueOperator(vModules, (positional, named) -> vHead.forward(trunk.forward(positional.get(0)).tanh()),
                    List.of("observation"), List.of("state_value"));
            SACLoss loss = SACLoss.builder(actor, critic).valueNetwork(value).separateLosses(separate).generator(new Generator(34)).build();

            Tensor stackedTrunk = loss.params(SACLoss.QVALUE).get(Key.of("module", "0", "weight"));
            assertEquals(!separate, stackedTrunk.requiresGrad(), "the critics' trunk is trainable only without separateLosses");
            if (separate) {
                for (int k = 0; k < 2; k++) assertArrayEquals(trunk.weight().toDoubleArray(), stackedTrunk.select(0, k).toDoubleArray(), 0.0);
            }
            TensorDict out = loss.setRandomSource(new Generator(35)).forward(TinySac.batch(Gen.seeded(36), 4));
            Tensor g = Autograd.grad(List.of(out.get("loss_value")), List.of(trunk.weight()), null, false, true, true).get(0);
            assertEquals(separate, g.abs().sum().item() == 0, "loss_value reaches the shared trunk only without separateLosses");
        }
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        TensorDict td = TinySac.batch(Gen.seeded(40), 4);
        Tensor e1 = TinySac.noise(41, 4, A), e2 = TinySac.noise(42, 4, A);
        TensorDict plain = v2(43).build().setRandomSource(draws(e1, e2)).forward(td.copy());

        SACLoss renamed = v2(43).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        keys.put("priority_weight", "w");
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        TensorDict out = renamed.setRandomSource(draws(e1, e2)).forward(moved);
        for (String k : List.of("loss_qvalue", "loss_actor", "loss_alpha")) assertEquals(plain.get(k).item(), out.get(k).item(), 1e-14, k);
        assertTrue(moved.contains(Key.of("prio", "err")));
        assertFalse(moved.contains("td_error"));
        moved.set("w", Tensor.of(DType.FLOAT64, new double[] {1, 0, 0, 0}, 4));
        TensorDict weighted = renamed.setRandomSource(draws(e1, e2)).forward(moved);
        assertNotEquals(plain.get("loss_qvalue").item(), weighted.get("loss_qvalue").item(), "the renamed priority weight is read");

        assertEquals(Key.of("action_log_prob"), v2(43).build().key("log_prob"), "the log-prob key comes from the actor");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("qvalue", "q"));
        assertTrue(e.getMessage().contains("'qvalue'") && e.getMessage().contains("state_action_value"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        SACLoss loss = v2(44).build();
        for (Key missing : List.of(Key.of("action"), Key.of("next", "reward"), Key.of("observation"))) {
            TensorDict td = TinySac.batch(Gen.seeded(45), 4);
            td.remove(missing);
            Exception e = assertThrows(RuntimeException.class, () -> loss.setRandomSource(new Generator(1)).forward(td));
            assertTrue(e.getMessage().contains(missing.last()), missing + ": " + e.getMessage());
        }
    }

    @Test
    void constructorChecks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SACLoss.builder(TinySac.actor(1), TinySac.critics(2, 3)).numQvalueNets(2).build());
        assertTrue(e.getMessage().contains("num_qvalue_nets"), e.getMessage());
        assertEquals(3, SACLoss.builder(TinySac.actor(1), TinySac.critic(2)).numQvalueNets(3).build().numQvalueNets(), "grown from one critic");
        // Grown copies are re-drawn from the given generator (spec §1.3).
        Tensor w1 = SACLoss.builder(TinySac.actor(1), TinySac.critic(2)).generator(new Generator(5)).build().params(SACLoss.QVALUE).get(Key.of("module", "0", "weight"));
        Tensor w2 = SACLoss.builder(TinySac.actor(1), TinySac.critic(2)).generator(new Generator(5)).build().params(SACLoss.QVALUE).get(Key.of("module", "0", "weight"));
        Tensor w3 = SACLoss.builder(TinySac.actor(1), TinySac.critic(2)).generator(new Generator(6)).build().params(SACLoss.QVALUE).get(Key.of("module", "0", "weight"));
        assertArrayEquals(w1.toDoubleArray(), w2.toDoubleArray(), 0.0);
        assertFalse(java.util.Arrays.equals(w1.toDoubleArray(), w3.toDoubleArray()));
        assertFalse(java.util.Arrays.equals(w1.select(0, 0).toDoubleArray(), w1.select(0, 1).toDoubleArray()), "members differ");
        // Which target trees are delayed copies (spec §3: critics and V by default, the actor not).
        assertTrue(v1(1).build().hasDelayedTarget(SACLoss.QVALUE) && v1(1).build().hasDelayedTarget(SACLoss.VALUE));
        assertFalse(v1(1).build().hasDelayedTarget(SACLoss.ACTOR));
        assertFalse(v1(1).delayQvalue(false).build().hasDelayedTarget(SACLoss.QVALUE));
        assertFalse(v1(1).delayValue(false).build().hasDelayedTarget(SACLoss.VALUE));
        assertThrows(IllegalArgumentException.class, () -> v2(1).lossFunction("l3"));
        SACLoss loss = v2(1).build();
        assertEquals(2, loss.version());
        assertEquals(1, v1(1).build().version());
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("SACLoss"), u.getMessage());
        assertEquals(List.of("action", "value", "state_action_value", "log_prob", "priority", "reward", "done", "terminated", "priority_weight"),
                SACLoss.keyNames());
    }

    /**
     * A one-step task (every transition terminates): the reward is {@code −|a − a*(s)|²} with
     * {@code a*(s) = 0.5·tanh(s₀, s₁)}. The critics fit the reward, so loss_qvalue falls, and the
     * actor's deterministic action moves toward a*.
     */
    @Test
    void aShortTrainingRunLowersTheCriticLossAndImprovesThePolicy() {
        SACLoss loss = v2(50).alphaInit(0.05).build();
        loss.setRandomSource(new Generator(51));
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(52);
        List<Double> critic = new ArrayList<>();
        double before = policyReward(loss, Gen.seeded(53));
        for (int step = 0; step < 150; step++) {
            int n = 32;
            TensorDict td = TinySac.batch(gen, n);
            td.set(Key.of("next", "reward"), reward(td.get("observation"), td.get("action")));
            td.set(Key.of("next", "terminated"), Tensor.ones(DType.BOOL, n, 1));
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            opt.step();
            updater.step();
            critic.add(out.get("loss_qvalue").item());
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double first = critic.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = critic.subList(130, 150).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.25 * first, "the critic loss falls: first 20 steps " + first + ", last 20 " + last);
        double after = policyReward(loss, Gen.seeded(53));
        assertTrue(after > before && after > -0.05, "the policy's reward improves: before " + before + ", after " + after);
    }

    private static Tensor reward(Tensor obs, Tensor action) {
        Tensor best = obs.slice(1, 0, A, 1).tanh().mul(0.5);
        return action.sub(best).square().sum(-1, true).neg();
    }

    /** The mean reward of the actor's deterministic action tanh(loc) on fresh states. */
    private static double policyReward(SACLoss loss, Gen gen) {
        TensorDict td = TinySac.batch(gen, 64);
        try (GradMode.Scope g = GradMode.noGrad()) {
            TensorDict out = loss.actor().forward(td.copy());
            return reward(td.get("observation"), out.get("loc").tanh()).mean().item();
        }
    }
}
