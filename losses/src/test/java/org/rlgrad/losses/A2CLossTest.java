package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.TinyOnPolicy.ACT;
import static org.rlgrad.losses.TinyOnPolicy.ACTIONS;
import static org.rlgrad.losses.TinyOnPolicy.OBS;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.ProbabilisticActor;
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
import org.rlgrad.estimators.VTrace;
import org.rlgrad.estimators.ValueEstimators;

/** Spec losses.md §2.20; the expected numbers are computed in doubles from the networks (TinyOnPolicy), not through the loss. */
class A2CLossTest {
    private static final double TOL = 1e-12;

    /** What the loss should give on a batch with a stored advantage and value target, by hand. */
    private record Expected(double objective, double entropy, double critic) {}

    private static Expected byHand(ProbabilisticActor actor, Sequential criticNet, TensorDict td, boolean categorical, String distance) {
        int n = td.batchSize()[0];
        double[] adv = td.get("advantage").toDoubleArray(), target = td.get("value_target").toDoubleArray();
        double[] v = TinyOnPolicy.values(criticNet, td.get("observation"));
        double[] lp = new double[n], h = new double[n], lv = new double[n];
        if (categorical) {
            double[] logits = TinyOnPolicy.distParam(actor, td, "logits");
            long[] a = td.get("action").toLongArray();
            for (int i = 0; i < n; i++) {
                lp[i] = TinyOnPolicy.logSoftmax(logits, i, (int) a[i]);
                h[i] = TinyOnPolicy.categoricalEntropy(logits, i);
            }
        } else {
            double[] loc = TinyOnPolicy.distParam(actor, td, "loc"), scale = TinyOnPolicy.distParam(actor, td, "scale");
            double[] a = td.get("action").toDoubleArray();
            for (int i = 0; i < n; i++) {
                lp[i] = TinyOnPolicy.normalLogProb(loc, scale, a, i);
                h[i] = TinyOnPolicy.normalEntropy(scale, i);
            }
        }
        double[] obj = new double[n];
        for (int i = 0; i < n; i++) {
            obj[i] = -lp[i] * adv[i];
            lv[i] = TinyOnPolicy.distance(distance, target[i], v[i]);
        }
        return new Expected(TinyOnPolicy.mean(obj), TinyOnPolicy.mean(h), TinyOnPolicy.mean(lv));
    }

    @Test
    void theLossesAreTheFormulasOfTheSpec() {
        Property.forAll("a2c formulas", 12, gen -> {
            boolean categorical = gen.bool();
            Sequential actorNet = TinyOnPolicy.mlp(OBS, categorical ? ACTIONS : 2 * ACT, gen.intIn(1, 1000));
            Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, gen.intIn(1, 1000));
            ProbabilisticActor actor = categorical ? TinyOnPolicy.categoricalActor(actorNet) : TinyOnPolicy.normalActor(actorNet);
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            double entropyCoeff = gen.uniform(0.001, 0.5), criticCoeff = gen.uniform(0.1, 3);
            A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).entropyCoeff(entropyCoeff).criticCoeff(criticCoeff)
                    .lossCriticType(distance).build();
            int n = gen.intIn(1, 7);
            TensorDict td = categorical ? TinyOnPolicy.categoricalBatch(gen, n, true) : TinyOnPolicy.continuousBatch(gen, n, true);
            Set<Key> keysBefore = Set.copyOf(td.keys(true, true));
            Tensor actionBefore = td.get("action");

            TensorDict out = loss.forward(td);
            Expected want = byHand(actor, criticNet, td, categorical, distance);
            assertEquals(Set.of("loss_objective", "entropy", "loss_entropy", "loss_critic"), Set.copyOf(out.keys().stream().map(Key::first).toList()),
                    "no kl_approx, no explained_variance, no value_clip_fraction without clipping");
            assertEquals(want.objective(), out.get("loss_objective").item(), TOL);
            assertEquals(want.entropy(), out.get("entropy").item(), TOL);
            assertEquals(-entropyCoeff * want.entropy(), out.get("loss_entropy").item(), TOL);
            assertEquals(criticCoeff * want.critic(), out.get("loss_critic").item(), TOL);
            assertFalse(out.get("entropy").requiresGrad(), "metrics are detached");
            assertEquals(keysBefore, Set.copyOf(td.keys(true, true)), "the caller's dict gains no entry");
            assertSame(actionBefore, td.get("action"));
        });
    }

    @Test
    void aMissingAdvantageIsComputedByTheEstimatorOnACopy() {
        Sequential actorNet = TinyOnPolicy.mlp(OBS, 2 * ACT, 3), criticNet = TinyOnPolicy.mlp(OBS, 1, 4);
        ProbabilisticActor actor = TinyOnPolicy.normalActor(actorNet);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(5), 7, false);
        A2CLoss gae = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).build();
        assertEquals(ValueEstimators.GAE, gae.valueEstimatorType(), "GAE by default");
        TensorDict out = gae.forward(td);
        assertFalse(td.contains(Key.of("advantage")), "A2C writes nothing into the caller's dict");

        double[][] want = TinyOnPolicy.gae(criticNet, td, 0.99, 0.95);
        TensorDict withGae = td.copy();
        withGae.set("advantage", Tensor.of(DType.FLOAT64, want[0], 7, 1));
        withGae.set("value_target", Tensor.of(DType.FLOAT64, want[1], 7, 1));
        Expected e = byHand(actor, criticNet, withGae, false, "smooth_l1");
        assertEquals(e.objective(), out.get("loss_objective").item(), TOL);
        assertEquals(e.critic(), out.get("loss_critic").item(), TOL);

        // TD(0) instead: A = r + γ(1 − term)V' − V, so the choice of estimator must show.
        A2CLoss td0 = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).build();
        td0.makeValueEstimator("td0", java.util.Map.of("gamma", 0.9));
        double[] v = TinyOnPolicy.values(criticNet, td.get("observation")), vn = TinyOnPolicy.values(criticNet, td.get(Key.of("next", "observation")));
        double[] r = td.get(Key.of("next", "reward")).toDoubleArray(), term = td.get(Key.of("next", "terminated")).to(DType.FLOAT64).toDoubleArray();
        double[] a = new double[7], t = new double[7];
        for (int i = 0; i < 7; i++) {
            t[i] = r[i] + 0.9 * (1 - term[i]) * vn[i];
            a[i] = t[i] - v[i];
        }
        withGae.set("advantage", Tensor.of(DType.FLOAT64, a, 7, 1));
        withGae.set("value_target", Tensor.of(DType.FLOAT64, t, 7, 1));
        Expected e0 = byHand(actor, criticNet, withGae, false, "smooth_l1");
        TensorDict out0 = td0.forward(td);
        assertEquals(e0.objective(), out0.get("loss_objective").item(), TOL);
        assertEquals(e0.critic(), out0.get("loss_critic").item(), TOL);
    }

    @Test
    void gradientsReachTheActorFromTheObjectiveAndEntropyAndTheCriticFromItsLoss() {
        for (boolean stored : new boolean[] {true, false}) {
            ProbabilisticActor actor = TinyOnPolicy.normalActor(6);
            Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 7);
            A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).build();
            List<Tensor> actorParams = actor.parameters(), criticParams = criticNet.parameters();
            assertEquals(actorParams.size() + criticParams.size(), loss.parameters().size());
            TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(8), 6, stored);
            TensorDict out = loss.forward(td);
            Tensor actorSide = out.get("loss_objective").add(out.get("loss_entropy"));
            assertTrue(TinyActorCritic.size(TinyActorCritic.grads(actorSide, actorParams)) > 0);
            assertEquals(0.0, TinyActorCritic.size(TinyActorCritic.grads(actorSide, criticParams)),
                    "the objective reaches no critic parameter, also through an estimator-made advantage (stored=" + stored + ")");
            for (Tensor g : TinyActorCritic.grads(out.get("loss_objective"), actorParams)) assertTrue(g.abs().sum().item() > 0, "every actor tensor");
            assertTrue(TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_entropy"), actorParams)) > 0, "the entropy bonus trains the scale");
            assertTrue(TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_critic"), criticParams)) > 0);
            assertEquals(0.0, TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_critic"), actorParams)));
        }
    }

    /** Actor and critic share their first layer. */
    private static List<Object> sharedTrunk(boolean separate) {
        Generator g = new Generator(9);
        Linear trunk = new Linear(OBS, 8, true, DType.FLOAT64, g);
        Sequential actorNet = new Sequential(trunk, new Tanh(), new Linear(8, 2 * ACT, true, DType.FLOAT64, g));
        Sequential criticNet = new Sequential(trunk, new Tanh(), new Linear(8, 1, true, DType.FLOAT64, g));
        A2CLoss loss = A2CLoss.builder(TinyOnPolicy.normalActor(actorNet), TinyOnPolicy.critic(criticNet)).separateLosses(separate).build();
        return List.of(loss, trunk);
    }

    @Test
    void separateLossesKeepsTheCriticLossOutOfASharedTrunk() {
        for (boolean separate : new boolean[] {false, true}) {
            List<Object> built = sharedTrunk(separate);
            A2CLoss loss = (A2CLoss) built.get(0);
            Linear trunk = (Linear) built.get(1);
            assertTrue(loss.separateLosses() == separate);
            TensorDict out = loss.forward(TinyOnPolicy.continuousBatch(Gen.seeded(10), 5, true));
            List<Tensor> trunkParams = List.of(trunk.weight(), trunk.bias());
            double fromCritic = TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_critic"), trunkParams));
            double fromActor = TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_objective"), trunkParams));
            assertTrue(fromActor > 0, "the actor always trains the trunk");
            if (separate) assertEquals(0.0, fromCritic, "separate_losses: the critic loss does not reach the shared trunk");
            else assertTrue(fromCritic > 0, "without separate_losses the critic loss trains the trunk too");
            assertEquals(6, loss.parameters().size(), "a shared tensor is listed once");
        }
    }

    @Test
    void keysCanBeRenamedAndAMissingEntryIsNamed() {
        Sequential actorNet = TinyOnPolicy.mlp(OBS, ACTIONS, 11), criticNet = TinyOnPolicy.mlp(OBS, 1, 12);
        TensorDict td = TinyOnPolicy.categoricalBatch(Gen.seeded(13), 5, true);
        TensorDict plain = A2CLoss.builder(TinyOnPolicy.categoricalActor(actorNet), TinyOnPolicy.critic(criticNet)).build().forward(td);

        ValueOperator renamedCritic = new ValueOperator(criticNet, List.of("observation"), List.of("v"));
        A2CLoss loss = A2CLoss.builder(TinyOnPolicy.categoricalActor(actorNet), renamedCritic).build();
        loss.setKeys(java.util.Map.of("advantage", "adv", "value_target", "ret", "value", "v", "action", "act"));
        TensorDict renamed = new TensorDict(5);
        renamed.set("observation", td.get("observation"));
        renamed.set("act", td.get("action"));
        renamed.set("adv", td.get("advantage"));
        renamed.set("ret", td.get("value_target"));
        renamed.set("next", td.getTensorDict(Key.of("next")));
        TensorDict out = loss.forward(renamed);
        for (String k : List.of("loss_objective", "entropy", "loss_entropy", "loss_critic")) assertEquals(plain.get(k).item(), out.get(k).item(), TOL, k);

        TensorDict noTarget = renamed.copy();
        noTarget.remove(Key.of("ret"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noTarget));
        assertTrue(e.getMessage().contains("ret"), e.getMessage());
        TensorDict noAction = renamed.copy();
        noAction.remove(Key.of("act"));
        e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noAction));
        assertTrue(e.getMessage().contains("act"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loss.setKeys("q_value", "x"), "an unknown key name is an error");
    }

    @Test
    void theActionAndLogProbKeysComeFromTheActor() {
        ProbabilisticActor actor = new ProbabilisticActor(
                org.rlgrad.engine.modules.TensorDictModule.of(TinyOnPolicy.mlp(OBS, ACTIONS, 1), List.of("observation"), List.of("logits")),
                org.rlgrad.engine.modules.ProbabilisticTensorDictModule.builder().inKeys("logits").outKeys("my_action")
                        .distribution(org.rlgrad.engine.modules.DistributionFactory.CATEGORICAL).returnLogProb(true));
        A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 2))).build();
        assertEquals(Key.of("my_action"), loss.key("action"));
        assertEquals(Key.of("my_action_log_prob"), loss.key("sample_log_prob"));
        assertEquals(A2CLoss.keyNames(), List.copyOf(loss.tensorKeys().keySet()));
    }

    @Test
    void meanLossesIgnoreTheOrderOfSamples() {
        Property.forAll("a2c order", 10, gen -> {
            boolean categorical = gen.bool();
            ProbabilisticActor actor = categorical ? TinyOnPolicy.categoricalActor(TinyOnPolicy.mlp(OBS, ACTIONS, gen.intIn(1, 500)))
                    : TinyOnPolicy.normalActor(gen.intIn(1, 500));
            A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, gen.intIn(1, 500)))).clipValue(gen.bool() ? 0.3 : null).build();
            int n = gen.intIn(2, 8);
            TensorDict td = categorical ? TinyOnPolicy.categoricalBatch(gen, n, true) : TinyOnPolicy.continuousBatch(gen, n, true);
            td.set("state_value", gen.uniform(new int[] {n, 1}, -1, 1));
            TensorDict a = loss.forward(td), b = loss.forward(TinyOnPolicy.permuted(td, gen.permutation(n)));
            for (Key k : a.keys()) assertEquals(a.get(k).item(), b.get(k).item(), 1e-12, k.toString());
        });
    }

    @Test
    void theEntropyBonusNeedsTheFlagAndANonZeroCoefficient() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(14);
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 15);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(16), 4, true);
        TensorDict off = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).entropyBonus(false).build().forward(td);
        assertFalse(off.contains(Key.of("entropy")) || off.contains(Key.of("loss_entropy")));
        A2CLoss zero = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).entropyCoeff(0.0).build();
        assertFalse(zero.forward(td).contains(Key.of("loss_entropy")), "entropy_coeff = 0 switches the bonus off");
        double h = byHand(actor, criticNet, td, false, "smooth_l1").entropy();
        zero.setEntropyCoeff(0.3);
        assertEquals(-0.3 * h, zero.forward(td).get("loss_entropy").item(), TOL, "a scheduled coefficient applies from the next call");
        A2CLoss nullCoeff = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).entropyCoeff(null).build();
        assertEquals(0.01, nullCoeff.entropyCoeff());
    }

    @Test
    void theCriticCoefficientScalesOrRemovesTheCriticLoss() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(17);
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 18);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(19), 4, true);
        double critic = byHand(actor, criticNet, td, false, "l2").critic();
        A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).lossCriticType("l2").criticCoeff(2.5).build();
        assertEquals(2.5 * critic, loss.forward(td).get("loss_critic").item(), TOL);
        assertEquals(2.5 * critic, loss.criticLoss(td).loss().item(), TOL, "the component alone");
        loss.setCriticCoeff(null);
        assertFalse(loss.forward(td).contains(Key.of("loss_critic")));
        assertThrows(IllegalStateException.class, () -> loss.criticLoss(td));
        TensorDict none = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).criticCoeff(null).build().forward(td);
        assertFalse(none.contains(Key.of("loss_critic")));
    }

    @Test
    void valueClippingKeepsTheWorseOfTheTwoLossesAndCountsTheClampedEntries() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(20);
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 21);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(22), 6, true);
        double[] v = TinyOnPolicy.values(criticNet, td.get("observation")), target = td.get("value_target").toDoubleArray();
        double[] offsets = {1.0, -1.0, 0.05, -0.05, 0.5, 0.0};
        double[] old = new double[6];
        double eps = 0.2, sum = 0;
        int clamped = 0;
        for (int i = 0; i < 6; i++) {
            old[i] = v[i] + offsets[i];
            double pre = v[i] - old[i], delta = Math.max(-eps, Math.min(eps, pre));
            if (pre != delta) clamped++;
            sum += Math.max(TinyOnPolicy.distance("l2", target[i], v[i]), TinyOnPolicy.distance("l2", target[i], old[i] + delta));
        }
        td.set("state_value", Tensor.of(DType.FLOAT64, old, 6, 1));
        A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).lossCriticType("l2").clipValue(eps).build();
        TensorDict out = loss.forward(td);
        assertEquals(sum / 6, out.get("loss_critic").item(), TOL);
        assertEquals(clamped / 6.0, out.get("value_clip_fraction").item(), 0.0);
        assertEquals(3, clamped, "the fixture clamps three of six");
        assertEquals(clamped / 6.0, loss.criticLoss(td).metric("value_clip_fraction").item(), 0.0);

        TensorDict noStored = td.copy();
        noStored.remove(Key.of("state_value"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noStored));
        assertTrue(e.getMessage().contains("state_value"), e.getMessage());
        for (double bad : new double[] {0.0, -0.1, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).clipValue(bad).build());
        }
        loss.setClipValue(null);
        assertFalse(loss.forward(td).contains(Key.of("value_clip_fraction")));
    }

    @Test
    void distributionsOutsideTheEntropyTableGetTheMonteCarloEstimate() {
        int n = 3, s = 2;
        ProbabilisticActor actor = TinyOnPolicy.tanhNormalActor(23);
        TensorDict td = TinyOnPolicy.batch(Gen.seeded(24), n, Gen.seeded(25).uniform(new int[] {n, ACT}, -0.9, 0.9), true);
        Tensor eps = Gen.seeded(26).uniform(new int[] {s, n, ACT}, -2, 2);
        ReplayedDraws draws = new ReplayedDraws(List.of(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, eps)));
        A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 27))).samplesMcEntropy(s).build();
        loss.setRandomSource(draws);
        TensorDict out = loss.forward(td);
        draws.checkAllUsed();

        // H = −mean_s Σ_d [log N(u; loc, σ) − 2(log 2 − u − softplus(−2u))], u = loc + σ ε (the TanhNormal density, FORMAT-losses.md §3).
        double[] loc = TinyOnPolicy.distParam(actor, td, "loc"), scale = TinyOnPolicy.distParam(actor, td, "scale"), e = eps.toDoubleArray();
        double total = 0;
        for (int k = 0; k < s; k++) {
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < ACT; d++) {
                    int j = i * ACT + d;
                    double u = loc[j] + scale[j] * e[k * n * ACT + j];
                    double z = (u - loc[j]) / scale[j];
                    double logN = -0.5 * z * z - Math.log(scale[j]) - 0.5 * TinyOnPolicy.LOG_2PI;
                    total += logN - 2 * (Math.log(2) - u - Math.log1p(Math.exp(-2 * u)));
                }
            }
        }
        double h = -total / s / n;
        assertEquals(h, out.get("entropy").item(), 1e-10);
        assertEquals(-0.01 * h, out.get("loss_entropy").item(), 1e-12);

        // A Normal is in the table: no draw at all.
        A2CLoss normal = A2CLoss.builder(TinyOnPolicy.normalActor(28), TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 29))).samplesMcEntropy(s).build();
        normal.setRandomSource(new ReplayedDraws(List.of()));
        normal.forward(TinyOnPolicy.continuousBatch(Gen.seeded(30), 3, true));
        assertThrows(IllegalArgumentException.class, () -> A2CLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 1))).samplesMcEntropy(0).build());
    }

    @Test
    void reductionsAndMasksApplyToEveryLossEntry() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(31);
        Sequential criticNet = TinyOnPolicy.mlp(OBS, 1, 32);
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(33), 6, true);
        TensorDict mean = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).build().forward(td);
        TensorDict sum = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).reduction("sum").build().forward(td);
        TensorDict none = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).reduction("none").build().forward(td);
        for (String k : List.of("loss_objective", "loss_entropy", "loss_critic")) {
            assertArrayEquals(new int[] {6}, none.get(k).shapeRef(), k + ": none gives [B], the trailing axis removed");
            assertEquals(6 * mean.get(k).item(), sum.get(k).item(), 1e-12, k);
            assertEquals(mean.get(k).item(), none.get(k).mean().item(), 1e-12, k);
        }
        assertArrayEquals(new int[0], none.get("entropy").shapeRef(), "the entropy metric stays a scalar");

        TensorDict masked = td.copy();
        boolean[] keep = {true, false, true, true, false, true};
        masked.set(Key.of("collector", "mask"), Tensor.of(keep, 6));
        TensorDict m = A2CLoss.builder(actor, TinyOnPolicy.critic(criticNet)).build().forward(masked);
        for (String k : List.of("loss_objective", "loss_entropy", "loss_critic")) {
            double[] each = none.get(k).toDoubleArray();
            double s = 0;
            for (int i = 0; i < 6; i++) if (keep[i]) s += each[i];
            assertEquals(s / 4, m.get(k).item(), 1e-12, k + ": the mean over the valid samples");
        }
    }

    @Test
    void everyOnPolicyEstimatorIsAcceptedAndVTraceGetsTheActorAndTheLogProbKey() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(34);
        A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 35))).build();
        for (String alias : List.of("td0", "td1", "tdlambda", "gae", "magae", "vtrace")) {
            loss.makeValueEstimator(alias);
            assertEquals(ValueEstimators.parse(alias), loss.valueEstimatorType());
        }
        assertSame(actor, ((VTrace) loss.valueEstimator()).actorNetwork());
        loss.setKeys("sample_log_prob", "behaviour_log_prob");
        assertEquals(Key.of("behaviour_log_prob"), loss.valueEstimator().tensorKeys().get("sample_log_prob"));
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(36), 5, false);
        td.set("behaviour_log_prob", td.get("action_log_prob"));
        TensorDict out = loss.forward(td);
        assertTrue(Double.isFinite(out.get("loss_objective").item()));
        loss.makeValueEstimator("gae");
        assertTrue(loss.valueEstimator() instanceof GAE, "GAE takes no sample_log_prob key and still builds");
    }

    @Test
    void trainingOnABanditRaisesTheRewardAndLowersTheCriticLoss() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(37);
        actor.probabilisticModule().randomSource(new Generator(38));
        A2CLoss loss = A2CLoss.builder(actor, TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 39))).build();
        TinyOnPolicy.assertBanditTrainingImproves(loss, actor, 40, "loss_critic");
    }

    @Test
    void badInputsAreRejectedClearly() {
        ProbabilisticActor actor = TinyOnPolicy.normalActor(41);
        ValueOperator critic = TinyOnPolicy.critic(TinyOnPolicy.mlp(OBS, 1, 42));
        assertThrows(IllegalArgumentException.class, () -> A2CLoss.builder(actor, critic).entropyCoeff(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> A2CLoss.builder(actor, critic).criticCoeff(Double.POSITIVE_INFINITY).build());
        assertThrows(NullPointerException.class, () -> A2CLoss.builder(actor, null));
        TensorDict td = TinyOnPolicy.continuousBatch(Gen.seeded(43), 3, true);
        td.set("advantage", td.get("advantage").reshape(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> A2CLoss.builder(actor, critic).build().forward(td),
                "an advantage without its trailing axis would broadcast to [B, B]");
        assertTrue(e.getMessage().contains("advantage"), e.getMessage());
        String s = A2CLoss.builder(actor, critic).clipValue(0.1).build().toString();
        assertTrue(s.contains("clip_value=0.1") && s.contains("loss_critic_type=smooth_l1"), s);
        assertNull(A2CLoss.builder(actor, critic).build().clipValue());
    }
}
