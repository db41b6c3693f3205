package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.TinyPpo.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.GAE;

/** PPOLoss (spec losses.md §2.17): the plain surrogate, entropy, critic, advantage handling and the options they share with the subclasses. */
class PPOLossTest {
    private static PPOLoss plain(ProbabilisticActor actor, ValueOperator critic, String reduction) {
        return PPOLoss.builder(actor, critic).reduction(reduction).build();
    }

    /** Every output of spec §2.17 against the formulas evaluated by hand from the networks' raw outputs. */
    @Test
    void matchesTheFormulasComputedByHand() {
        Property.forAll("ppo formula", 15, gen -> {
            ProbabilisticActor actor = TinyPpo.normalActor(gen.intIn(0, 500));
            ValueOperator critic = TinyPpo.critic(gen.intIn(0, 500));
            int n = gen.intIn(2, 7);
            TensorDict td = TinyPpo.batch(gen, n, TinyPpo.normalActor(gen.intIn(501, 900)), gen.intIn(0, 100));
            TensorDict out = plain(actor, critic, "none").forward(td);

            Tensor obs = td.get("observation");
            double[] lp = TinyPpo.normalLogProb(actor, obs, td.get("action")), old = td.get("action_log_prob").toDoubleArray();
            double[] adv = td.get("advantage").toDoubleArray(), vt = td.get("value_target").toDoubleArray();
            double[] h = TinyPpo.normalEntropy(actor, obs), v = TinyPpo.values(critic, obs);
            double klApprox = 0, entropy = 0, meanT = 0, meanR = 0;
            for (int i = 0; i < n; i++) {
                assertClose(-Math.exp(lp[i] - old[i]) * adv[i], out.get("loss_objective").toDoubleArray()[i], "objective " + i);
                assertClose(-0.01 * h[i], out.get("loss_entropy").toDoubleArray()[i], "entropy loss " + i);
                assertClose(TinyPpo.smoothL1(vt[i], v[i]), out.get("loss_critic").toDoubleArray()[i], "critic loss " + i);
                klApprox += (old[i] - lp[i]) / n;
                entropy += h[i] / n;
                meanT += vt[i] / n;
                meanR += (vt[i] - v[i]) / n;
            }
            double varT = 0, varR = 0;
            for (int i = 0; i < n; i++) {
                varT += (vt[i] - meanT) * (vt[i] - meanT) / n;
                varR += (vt[i] - v[i] - meanR) * (vt[i] - v[i] - meanR) / n;
            }
            assertClose(klApprox, out.get("kl_approx").item(), "kl_approx");
            assertClose(entropy, out.get("entropy").item(), "entropy");
            assertArrayEquals(new int[] {1}, out.get("explained_variance").shapeRef(), "population variances over axis 0: [1]");
            assertClose(1 - varR / (varT + Math.ulp(1.0)), out.get("explained_variance").item(), "explained variance");
            assertEquals(List.of("loss_objective", "kl_approx", "entropy", "loss_entropy", "explained_variance", "loss_critic"),
                    out.keys().stream().map(Key::first).toList());
            assertArrayEquals(new int[] {n}, out.get("loss_objective").shapeRef(), "reduction none: [*B], the trailing singleton removed");
            assertFalse(out.get("entropy").requiresGrad() || out.get("kl_approx").requiresGrad() || out.get("explained_variance").requiresGrad(),
                    "metrics are detached");
        });
    }

    @Test
    void gradientsReachTheActorFromTheObjectiveAndEntropyAndTheCriticFromItsLoss() {
        ProbabilisticActor actor = TinyPpo.normalActor(1);
        ValueOperator critic = TinyPpo.critic(2);
        PPOLoss loss = plain(actor, critic, "mean");
        TensorDict td = TinyPpo.batch(Gen.seeded(3), 6, TinyPpo.normalActor(4), 5);
        TensorDict out = loss.forward(td);
        List<Tensor> actorParams = actor.parameters(), criticParams = critic.parameters();
        List<Tensor> all = TinyActorCritic.concat(actorParams, criticParams);
        for (String name : List.of("loss_objective", "loss_entropy")) {
            List<Tensor> g = TinyActorCritic.grads(out.get(name), all);
            assertTrue(TinyActorCritic.size(g.subList(0, actorParams.size())) > 0, name + " reaches the actor");
            assertEquals(0.0, TinyActorCritic.size(g.subList(actorParams.size(), all.size())), name + " does not reach the critic");
        }
        List<Tensor> g = TinyActorCritic.grads(out.get("loss_critic"), all);
        assertEquals(0.0, TinyActorCritic.size(g.subList(0, actorParams.size())), "loss_critic does not reach the actor");
        assertTrue(TinyActorCritic.size(g.subList(actorParams.size(), all.size())) > 0, "loss_critic reaches the critic");
        assertEquals(actorParams.size() + criticParams.size(), loss.parameters().size(), "the loss trains both networks' own tensors");
        assertTrue(loss.targetParams(PPOLoss.CRITIC).leaves().values().stream().noneMatch(Tensor::requiresGrad), "the target tree is a detached alias");
        assertFalse(loss.hasDelayedTarget(PPOLoss.CRITIC), "no delayed copies");
    }

    /** A trunk shared by actor and critic gets the critic loss's gradient, unless separateLosses detaches it (and the critic's data) there. */
    @Test
    void separateLossesDetachesTheSharedTrunkAndTheDataInTheCriticLoss() {
        for (boolean separate : new boolean[] {false, true}) {
            Linear trunk = new Linear(TinyPpo.OBS, TinyPpo.HIDDEN, true, DType.FLOAT64, new Generator(7));
            Linear policyHead = new Linear(TinyPpo.HIDDEN, 2 * TinyPpo.ACT, true, DType.FLOAT64, new Generator(8));
            Linear valueHead = new Linear(TinyPpo.HIDDEN, 1, true, DType.FLOAT64, new Generator(9));
            TensorDictSequential params = new TensorDictSequential(
                    TensorDictModule.of(new Sequential(trunk, new Tanh(), policyHead), List.of("observation"), List.of("param")),
                    TensorDictModule.builder(new NormalParamExtractorModule("exp", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
            ProbabilisticActor actor = new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                    .distribution(DistributionFactory.INDEPENDENT_NORMAL).returnLogProb(true));
            ValueOperator critic = new ValueOperator(new Sequential(trunk, new Tanh(), valueHead));
            PPOLoss loss = PPOLoss.builder(actor, critic).separateLosses(separate).build();
            TensorDict td = TinyPpo.batch(Gen.seeded(10), 5, TinyPpo.normalActor(11), 12);
            Tensor obs = td.get("observation").detach().requiresGrad(true);
            td.set("observation", obs);
            Tensor lc = loss.forward(td).get("loss_critic");
            List<Tensor> g = TinyActorCritic.grads(lc, List.of(trunk.weight(), valueHead.weight(), obs));
            assertTrue(g.get(1).abs().sum().item() > 0, "the critic's own head always trains");
            if (separate) {
                assertEquals(0.0, g.get(0).abs().sum().item(), "separate: the shared trunk gets no critic gradient");
                assertEquals(0.0, g.get(2).abs().sum().item(), "separate: the critic loss's data is detached");
            } else {
                assertTrue(g.get(0).abs().sum().item() > 0, "shared: the trunk gets the critic gradient");
                assertTrue(g.get(2).abs().sum().item() > 0, "shared: the data is not detached");
            }
            assertEquals(separate, loss.separateLosses());
            assertEquals(3 + 3, loss.parameters().size(), "trunk (2), heads (2 + 2): each tensor once");
        }
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        ProbabilisticActor actor = TinyPpo.normalActor(13);
        ValueOperator critic = TinyPpo.critic(14);
        TensorDict td = TinyPpo.batch(Gen.seeded(15), 6, TinyPpo.normalActor(16), 17);
        TensorDict want = plain(actor, critic, "mean").forward(td.copy());

        PPOLoss renamed = plain(actor, critic, "mean");
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("advantage", "adv");
        keys.put("value_target", Key.of("targets", "v"));
        keys.put("sample_log_prob", "old_lp");
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("advantage", "adv");
        moved.rename(Key.of("value_target"), Key.of("targets", "v"));
        moved.rename("action_log_prob", "old_lp");
        TensorDict got = renamed.forward(moved);
        for (String k : List.of("loss_objective", "loss_entropy", "loss_critic", "kl_approx")) assertEquals(want.get(k).item(), got.get(k).item(), 1e-14, k);
        assertEquals(List.of(Key.of("old_lp")), renamed.sampleLogProbKeys());
        renamed.setKeys("sample_log_prob", null);
        assertEquals(Key.of("action_log_prob"), renamed.key("sample_log_prob"), "null restores the default");
        assertEquals(List.of("advantage", "value_target", "value", "sample_log_prob", "action", "reward", "done", "terminated"), PPOLoss.keyNames());
    }

    @Test
    void theActorsDeclaredKeysBecomeTheLosssKeys() {
        ProbabilisticActor actor = new ProbabilisticActor(TensorDictModule.of(TinyPpo.mlp(TinyPpo.OBS, TinyPpo.ACTIONS, 18), List.of("observation"), List.of("logits")),
                ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL).outKeys("move").returnLogProb(true));
        PPOLoss loss = plain(actor, TinyPpo.critic(19), "mean");
        assertEquals(Key.of("move"), loss.key("action"));
        assertEquals(Key.of("move_log_prob"), loss.key("sample_log_prob"));
        TensorDict td = TinyPpo.batch(Gen.seeded(20), 5, actor, 21);
        assertTrue(td.contains("move_log_prob"));
        assertTrue(Double.isFinite(loss.forward(td).get("loss_objective").item()));
    }

    @Test
    void missingOrMalformedInputsAreErrorsThatNameTheKey() {
        ProbabilisticActor actor = TinyPpo.normalActor(22);
        PPOLoss loss = plain(actor, TinyPpo.critic(23), "mean");
        TensorDict td = TinyPpo.batch(Gen.seeded(24), 5, TinyPpo.normalActor(25), 26);

        TensorDict noLogProb = td.copy();
        noLogProb.remove("action_log_prob");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(noLogProb)), "action_log_prob", "observation");

        TensorDict gradLogProb = td.copy();
        gradLogProb.set("action_log_prob", td.get("action_log_prob").detach().requiresGrad(true));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(gradLogProb)), "action_log_prob", "requires grad");

        TensorDict gradAction = td.copy();
        gradAction.set("action", td.get("action").detach().requiresGrad(true));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(gradAction)), "action", "requires grad");

        TensorDict flatAdvantage = td.copy();
        flatAdvantage.set("advantage", td.get("advantage").squeeze(-1));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(flatAdvantage)), "advantage", "trailing dim", "[5]", "[5, 1]");

        TensorDict wrongLogProbShape = td.copy();
        wrongLogProbShape.set("action_log_prob", td.get("action_log_prob").unsqueeze(-1));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(wrongLogProbShape)), "action_log_prob", "[5, 1]", "expected [5]");

        TensorDict noTarget = td.copy();
        noTarget.remove("value_target");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(noTarget)), "value_target");

        PPOLoss clipped = PPOLoss.builder(actor, TinyPpo.critic(23)).clipValue(0.1).build();
        assertMentions(assertThrows(IllegalArgumentException.class, () -> clipped.forward(td.copy())), "clip_value", "state_value");

        TensorDict noReward = td.copy();
        noReward.remove("advantage");
        noReward.remove(Key.of("next", "reward"));
        assertMentions(assertThrows(RuntimeException.class, () -> loss.forward(noReward)), "reward");
    }

    @Test
    void criticCoeffRules() {
        ProbabilisticActor actor = TinyPpo.normalActor(27);
        TensorDict td = TinyPpo.batch(Gen.seeded(28), 5, TinyPpo.normalActor(29), 30);
        PPOLoss defaults = plain(actor, TinyPpo.critic(31), "mean");
        assertEquals(1.0, defaults.criticCoeff(), "null with a critic: 1.0");
        double base = defaults.forward(td.copy()).get("loss_critic").item();
        PPOLoss half = PPOLoss.builder(actor, TinyPpo.critic(31)).criticCoeff(0.5).build();
        assertEquals(0.5 * base, half.forward(td.copy()).get("loss_critic").item(), 1e-14, "the coefficient scales the critic loss");
        PPOLoss zero = PPOLoss.builder(actor, TinyPpo.critic(31)).criticCoeff(0.0).build();
        assertNull(zero.criticCoeff());
        TensorDict out = zero.forward(td.copy());
        assertFalse(out.contains("loss_critic") || out.contains("explained_variance"), "critic_coeff 0: no critic loss");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> PPOLoss.builder(actor, null).criticCoeff(1.0).build()), "critic_coeff", "no critic");
        PPOLoss noCritic = PPOLoss.builder(actor, null).build();
        assertNull(noCritic.criticCoeff());
        assertFalse(noCritic.forward(td.copy()).contains("loss_critic"));
        half.setCriticCoeff(2.0);
        assertEquals(2 * base, half.forward(td.copy()).get("loss_critic").item(), 1e-14, "schedulable");
    }

    @Test
    void entropyBonusAndCoefficient() {
        ProbabilisticActor actor = TinyPpo.normalActor(32);
        TensorDict td = TinyPpo.batch(Gen.seeded(33), 5, TinyPpo.normalActor(34), 35);
        TensorDict off = PPOLoss.builder(actor, TinyPpo.critic(36)).entropyBonus(false).build().forward(td.copy());
        assertFalse(off.contains("loss_entropy") || off.contains("entropy"), "no entropy bonus: no entropy entries");
        PPOLoss loss = PPOLoss.builder(actor, TinyPpo.critic(36)).entropyCoeff(0.3).build();
        TensorDict out = loss.forward(td.copy());
        assertClose(-0.3 * out.get("entropy").item(), out.get("loss_entropy").item(), "loss_entropy = -c mean H");
        loss.setEntropyCoeff(0.1);
        assertClose(-0.1 * out.get("entropy").item(), loss.forward(td.copy()).get("loss_entropy").item(), "schedulable");
    }

    /** A TanhNormal policy has no closed-form entropy: samplesMcEntropy draws of [S, B, A] are taken and H = -mean log p. */
    @Test
    void theMonteCarloEntropyTakesSamplesMcEntropyDraws() {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(TinyPpo.mlp(TinyPpo.OBS, 2 * TinyPpo.ACT, 37), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("exp", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        ProbabilisticActor actor = new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                .distribution(DistributionFactory.TANH_NORMAL).returnLogProb(true));
        int n = 4, samples = 3;
        TensorDict td = TinyPpo.batch(Gen.seeded(38), n, actor, 39);
        Tensor eps = new Generator(40).normal(new int[] {samples, n, TinyPpo.ACT}, DType.FLOAT64);
        ReplayedDraws draws = new ReplayedDraws(List.of(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, eps)));
        PPOLoss loss = PPOLoss.builder(actor, TinyPpo.critic(41)).samplesMcEntropy(samples).build();
        loss.setRandomSource(draws);
        double h = loss.forward(td.copy()).get("entropy").item();
        assertEquals(1, draws.used(), "one [S, B, A] draw");

        double[] raw = TinyPpo.normalActorRaw(actor, td.get("observation")), e = eps.toDoubleArray();
        double want = 0;
        for (int s = 0; s < samples; s++) for (int i = 0; i < n; i++) for (int j = 0; j < TinyPpo.ACT; j++) {
            double mu = raw[i * 2 * TinyPpo.ACT + j], sigma = Math.exp(raw[i * 2 * TinyPpo.ACT + TinyPpo.ACT + j]);
            double u = mu + sigma * e[(s * n + i) * TinyPpo.ACT + j];
            // log p of tanh(u): log N(u) − log(1 − tanh²u), written as 2 (log 2 − u − softplus(−2u)).
            double lp = TinyPpo.normalLogDensity(u, mu, sigma) - 2 * (Math.log(2) - u - Math.log1p(Math.exp(-2 * u)));
            want -= lp / (samples * n);
        }
        assertEquals(want, h, 1e-9 * (1 + Math.abs(want)), "H = -mean over draws and batch of log p");
    }

    @Test
    void reductionsSumAndNone() {
        ProbabilisticActor actor = TinyPpo.normalActor(42);
        ValueOperator critic = TinyPpo.critic(43);
        TensorDict td = TinyPpo.batch(Gen.seeded(44), 6, TinyPpo.normalActor(45), 46);
        TensorDict none = plain(actor, critic, "none").forward(td.copy()), sum = plain(actor, critic, "sum").forward(td.copy()),
                mean = plain(actor, critic, "mean").forward(td.copy());
        for (String k : List.of("loss_objective", "loss_entropy", "loss_critic")) {
            assertArrayEquals(new int[] {6}, none.get(k).shapeRef(), k);
            assertArrayEquals(new int[0], sum.get(k).shapeRef(), k);
            assertClose(none.get(k).sum().item(), sum.get(k).item(), k + " sum");
            assertClose(none.get(k).sum().item() / 6, mean.get(k).item(), k + " mean");
        }
        assertEquals(mean.get("entropy").item(), none.get("entropy").item(), 1e-15, "metrics are not reduced by the option");
    }

    /** A validity mask in the data (spec §1.8) drops masked samples from the mean. */
    @Test
    void aMaskExcludesSamplesFromTheReduction() {
        ProbabilisticActor actor = TinyPpo.normalActor(47);
        ValueOperator critic = TinyPpo.critic(48);
        TensorDict td = TinyPpo.batch(Gen.seeded(49), 6, TinyPpo.normalActor(50), 51);
        TensorDict none = plain(actor, critic, "none").forward(td.copy());
        TensorDict masked = td.copy();
        masked.set(Key.of("collector", "mask"), Tensor.of(new boolean[] {true, false, true, true, false, true}, 6));
        TensorDict out = plain(actor, critic, "mean").forward(masked);
        double[] all = none.get("loss_objective").toDoubleArray();
        assertClose((all[0] + all[2] + all[3] + all[5]) / 4, out.get("loss_objective").item(), "masked mean");
    }

    @Test
    void normalizeAdvantageStandardisesWithTheUnbiasedStdFlooredAt1eMinus6() {
        ProbabilisticActor actor = TinyPpo.normalActor(52);
        TensorDict td = TinyPpo.batch(Gen.seeded(53), 6, TinyPpo.normalActor(54), 55);
        double[] a = td.get("advantage").toDoubleArray();
        double mean = 0, ss = 0;
        for (double x : a) mean += x / a.length;
        for (double x : a) ss += (x - mean) * (x - mean);
        double std = Math.sqrt(ss / (a.length - 1));
        TensorDict got = PPOLoss.builder(actor, null).normalizeAdvantage(true).reduction("none").build().forward(td.copy());
        TensorDict raw = PPOLoss.builder(actor, null).reduction("none").build().forward(td.copy());
        for (int i = 0; i < a.length; i++) {
            double ratio = -raw.get("loss_objective").toDoubleArray()[i] / a[i];
            assertClose(-ratio * (a[i] - mean) / std, got.get("loss_objective").toDoubleArray()[i], "sample " + i);
        }

        // A nearly constant advantage: its std (~1e-9) is below the floor, so the deviations are divided by 1e-6.
        TensorDict flat = td.copy();
        Tensor tiny = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1, 1, 1, 1 + 6e-9}, 6, 1);
        flat.set("advantage", tiny);
        double[] f = PPOLoss.builder(actor, null).normalizeAdvantage(true).reduction("none").build().forward(flat).get("loss_objective").toDoubleArray();
        double ratio0 = -raw.get("loss_objective").toDoubleArray()[0] / a[0];
        assertEquals(-ratio0 * (-1e-9) / 1e-6, f[0], 1e-9, "(A - mean) / 1e-6 where std < 1e-6");
    }

    /** With "shifted_valid": masked mean, masked population std floored at 1e-4; invalid entries take no part in the statistics. */
    @Test
    void theMaskedNormalisationUsesThePopulationStdOverValidEntries() {
        ProbabilisticActor actor = TinyPpo.normalActor(56);
        TensorDict td = TinyPpo.batch(Gen.seeded(57), 6, TinyPpo.normalActor(58), 59);
        boolean[] valid = {true, true, false, true, true, false};
        td.set("shifted_valid", Tensor.of(valid, 6));
        double[] a = td.get("advantage").toDoubleArray();
        double mean = 0, ss = 0;
        int count = 0;
        for (int i = 0; i < 6; i++) if (valid[i]) { mean += a[i]; count++; }
        mean /= count;
        for (int i = 0; i < 6; i++) if (valid[i]) ss += (a[i] - mean) * (a[i] - mean);
        double std = Math.sqrt(ss / count);
        // Without a mask key the reduction keeps every sample, so the per-sample terms can be compared.
        PPOLoss loss = PPOLoss.builder(actor, null).normalizeAdvantage(true).reduction("none").build();
        loss.setLossMaskKey(null);
        PPOLoss plainLoss = PPOLoss.builder(actor, null).reduction("none").build();
        plainLoss.setLossMaskKey(null);
        TensorDict got = loss.forward(td.copy());
        double[] r = plainLoss.forward(td.copy()).get("loss_objective").toDoubleArray();
        for (int i = 0; i < 6; i++) {
            double ratio = -r[i] / a[i];
            assertClose(-ratio * (a[i] - mean) / std, got.get("loss_objective").toDoubleArray()[i], "sample " + i);
        }

        // Valid entries 1 ± 1e-5 (population std 1e-5, below the masked floor 1e-4 but above the unmasked 1e-6): divided by 1e-4.
        TensorDict near = td.copy();
        near.set("advantage", Tensor.of(DType.FLOAT64, new double[] {1 + 1e-5, 1 - 1e-5, 50, 1 + 1e-5, 1 - 1e-5, -50}, 6, 1));
        double[] f = loss.forward(near).get("loss_objective").toDoubleArray();
        double ratio0 = -r[0] / a[0];
        assertEquals(-ratio0 * 1e-5 / 1e-4, f[0], 1e-9, "(A - mean) / 1e-4 where the masked std < 1e-4; the invalid ±50 take no part");
    }

    /** Exclude dims keep statistics per index of the excluded dims: a [B, T] batch normalised per time step. */
    @Test
    void excludeDimsKeepStatisticsPerIndex() {
        ProbabilisticActor actor = TinyPpo.normalActor(60);
        int b = 5, t = 2;
        Gen gen = Gen.seeded(61);
        TensorDict td = new TensorDict(b, t);
        td.set("observation", gen.uniform(new int[] {b, t, TinyPpo.OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {b, t, TinyPpo.ACT}, -1, 1));
        td.set("action_log_prob", gen.uniform(new int[] {b, t}, -3, -1));
        td.set("advantage", gen.uniform(new int[] {b, t, 1}, -2, 2));
        double[] a = td.get("advantage").toDoubleArray();
        TensorDict raw = PPOLoss.builder(actor, null).reduction("none").build().forward(td.copy());
        TensorDict got = PPOLoss.builder(actor, null).reduction("none").normalizeAdvantage(true).normalizeAdvantageExcludeDims(1).build().forward(td.copy());
        for (int j = 0; j < t; j++) {
            double mean = 0, ss = 0;
            for (int i = 0; i < b; i++) mean += a[i * t + j] / b;
            for (int i = 0; i < b; i++) ss += Math.pow(a[i * t + j] - mean, 2);
            double std = Math.sqrt(ss / (b - 1));
            for (int i = 0; i < b; i++) {
                double ratio = -raw.get("loss_objective").toDoubleArray()[i * t + j] / a[i * t + j];
                assertClose(-ratio * (a[i * t + j] - mean) / std, got.get("loss_objective").toDoubleArray()[i * t + j], "sample " + i + ", step " + j);
            }
        }
        TensorDict allExcluded = PPOLoss.builder(actor, null).reduction("none").normalizeAdvantage(true).normalizeAdvantageExcludeDims(0, 1, 2).build()
                .forward(td.copy());
        assertArrayEquals(raw.get("loss_objective").toDoubleArray(), allExcluded.get("loss_objective").toDoubleArray(), 1e-15,
                "every dim excluded: left unnormalised");
    }

    /** With a stored value, clip_value bounds the critic's move: L = max(d(tgt, v), d(tgt, v_old + clamp(v − v_old, −ε, ε))). */
    @Test
    void clipValueTakesThePessimisticCriticLoss() {
        ProbabilisticActor actor = TinyPpo.normalActor(62);
        ValueOperator critic = TinyPpo.critic(63);
        int n = 8;
        TensorDict td = TinyPpo.batch(Gen.seeded(64), n, TinyPpo.normalActor(65), 66);
        double[] v = TinyPpo.values(critic, td.get("observation")), vt = td.get("value_target").toDoubleArray(), old = new double[n];
        for (int i = 0; i < n; i++) old[i] = v[i] + (i % 2 == 0 ? 0.3 : 0.01) * (i % 4 < 2 ? 1 : -1);
        td.set("state_value", Tensor.of(DType.FLOAT64, old, n, 1));
        double eps = 0.1;
        TensorDict out = PPOLoss.builder(actor, critic).clipValue(eps).reduction("none").build().forward(td.copy());
        double clippedShare = 0;
        for (int i = 0; i < n; i++) {
            double d = Math.max(-eps, Math.min(eps, v[i] - old[i]));
            clippedShare += (d != v[i] - old[i] ? 1.0 : 0.0) / n;
            double want = Math.max(TinyPpo.smoothL1(vt[i], v[i]), TinyPpo.smoothL1(vt[i], old[i] + d));
            assertClose(want, out.get("loss_critic").toDoubleArray()[i], "sample " + i);
        }
        assertEquals(0.5, clippedShare, "half the samples moved by more than ε");
        assertClose(clippedShare, out.get("value_clip_fraction").item(), "value_clip_fraction");
        TensorDict unclipped = plain(actor, critic, "none").forward(td.copy());
        assertNotEquals(unclipped.get("loss_critic").sum().item(), out.get("loss_critic").sum().item(), "the option changes the loss");
        assertFalse(unclipped.contains("value_clip_fraction"));
    }

    /** Without an advantage, GAE runs on a copy with the critic's parameters detached: no critic gradient through the objective, the caller's dict unchanged. */
    @Test
    void theAdvantageIsComputedByGaeWithDetachedCriticParameters() {
        ProbabilisticActor actor = TinyPpo.normalActor(67);
        ValueOperator critic = TinyPpo.critic(68);
        TensorDict td = TinyPpo.collect(Gen.seeded(69), 6, TinyPpo.normalActor(70), 71);
        List<Key> before = td.keys(true, true);
        PPOLoss loss = plain(actor, critic, "none");
        TensorDict out = loss.forward(td);
        assertEquals(before, td.keys(true, true), "the caller's dict is not written");

        TensorDict copy = td.copy();
        try (GradMode.Scope g = GradMode.noGrad()) {
            GAE.builder().gamma(0.99).lambda(0.95).valueNetwork(critic).build().forward(copy);
        }
        double[] lp = TinyPpo.normalLogProb(actor, td.get("observation"), td.get("action")), old = td.get("action_log_prob").toDoubleArray();
        double[] adv = copy.get("advantage").toDoubleArray();
        for (int i = 0; i < 6; i++) assertClose(-Math.exp(lp[i] - old[i]) * adv[i], out.get("loss_objective").toDoubleArray()[i], "GAE advantage, sample " + i);
        List<Tensor> g = Autograd.grad(List.of(out.get("loss_objective").sum()), critic.parameters(), null, false, false, true);
        assertEquals(0.0, TinyActorCritic.size(g), "the estimator's critic parameters are detached");
        assertEquals(org.rlgrad.estimators.ValueEstimators.GAE, loss.valueEstimatorType(), "GAE by default");
    }

    /** With mean reduction every loss and metric is a mean over samples (or a statistic over them), so the order of the samples does not matter. */
    @Test
    void lossesAreInvariantToTheOrderOfSamples() {
        Property.forAll("ppo family order invariance", 12, gen -> {
            ProbabilisticActor actor = TinyPpo.normalActor(gen.intIn(0, 100));
            ValueOperator critic = TinyPpo.critic(gen.intIn(0, 100));
            int n = gen.intIn(2, 8);
            TensorDict td = TinyPpo.batch(gen, n, TinyPpo.normalActor(gen.intIn(101, 200)), gen.intIn(0, 100));
            TensorDict shuffled = TinyPpo.permuted(td, gen.permutation(n));
            List<PPOLoss> losses = new ArrayList<>(List.of(plain(actor, critic, "mean"),
                    ClipPPOLoss.builder(actor, critic).normalizeAdvantage(gen.bool()).build(),
                    KLPENPPOLoss.builder(actor, critic).build()));
            for (PPOLoss loss : losses) {
                TensorDict a = loss.forward(td.copy());
                loss.reset();
                TensorDict b = loss.forward(shuffled.copy());
                for (Key k : a.keys()) {
                    if (k.first().equals("kl")) continue;
                    double x = a.get(k).sum().item(), y = b.get(k).sum().item();
                    assertEquals(x, y, 1e-10 * (1 + Math.abs(x)), loss.lossName() + " " + k);
                }
            }
        });
    }

    /** A contextual bandit: reward −|a − target(s)|²; a few hundred PPO updates raise the mean reward and lower the critic loss, all finite. */
    @Test
    void aShortTrainingRunImprovesTheReturnAndStaysFinite() {
        ProbabilisticActor actor = TinyPpo.normalActor(72);
        ValueOperator critic = TinyPpo.critic(73);
        PPOLoss loss = PPOLoss.builder(actor, critic).entropyCoeff(0.0).build();
        PPOTraining.Result r = PPOTraining.bandit(loss, actor, 250, 74);
        assertTrue(r.lastReward() > r.firstReward() + 0.3, "mean reward: first " + r.firstReward() + ", last " + r.lastReward());
        assertTrue(r.lastCritic() < 0.5 * r.firstCritic(), "critic loss: first " + r.firstCritic() + ", last " + r.lastCritic());
    }

    @Test
    void theEstimatorChoiceAndItsKeys() {
        PPOLoss loss = plain(TinyPpo.normalActor(75), TinyPpo.critic(76), "mean");
        loss.makeValueEstimator(org.rlgrad.estimators.ValueEstimators.TD0);
        assertEquals(org.rlgrad.estimators.ValueEstimators.TD0, loss.valueEstimatorType());
        loss.setKeys("advantage", "adv");
        assertEquals(Key.of("adv"), loss.valueEstimator().tensorKeys().advantage(), "the advantage key is forwarded to the estimator");
        loss.makeValueEstimator(org.rlgrad.estimators.ValueEstimators.VTrace);
        assertEquals(Key.of("action_log_prob"), loss.valueEstimator().tensorKeys().get("sample_log_prob"), "V-trace gets the log-prob key");
        assertTrue(((org.rlgrad.estimators.VTrace) loss.valueEstimator()).actorNetwork() == loss.actor(), "and the actor");
        assertTrue(loss.toString().startsWith("PPOLoss(entropy_bonus=true, entropy_coeff=0.01"), loss.toString());
    }

    static void assertMentions(Throwable e, String... fragments) {
        for (String f : fragments) assertTrue(e.getMessage() != null && e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
}
