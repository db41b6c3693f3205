package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.PPOLossTest.assertMentions;
import static org.rlgrad.losses.TinyPpo.assertClose;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** KLPENPPOLoss (spec losses.md §2.19): the KL penalty against the stored behaviour distribution, β's adaptation and referenceCompat. */
class KLPENPPOLossTest {
    /** KL(old ‖ new) of the Gaussian actor by hand, from the stored loc/scale and the actor's raw outputs: {@code [n]}. */
    private static double[] normalKl(ProbabilisticActor actor, TensorDict td) {
        int n = td.batchSize()[0], a = TinyPpo.ACT;
        double[] raw = TinyPpo.normalActorRaw(actor, td.get("observation")), mu0 = td.get("loc").toDoubleArray(), s0 = td.get("scale").toDoubleArray();
        double[] kl = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < a; j++) {
            double mu1 = raw[i * 2 * a + j], s1 = Math.exp(raw[i * 2 * a + a + j]), p = s0[i * a + j], m = mu0[i * a + j];
            kl[i] += Math.log(s1 / p) + (p * p + (m - mu1) * (m - mu1)) / (2 * s1 * s1) - 0.5;
        }
        return kl;
    }

    @Test
    void matchesThePenalisedObjectiveComputedByHand() {
        Property.forAll("klpen formula", 12, gen -> {
            ProbabilisticActor actor = TinyPpo.normalActor(gen.intIn(0, 300));
            int n = gen.intIn(2, 7);
            TensorDict td = TinyPpo.batch(gen, n, TinyPpo.normalActor(gen.intIn(301, 600)), gen.intIn(0, 100));
            double beta = gen.uniform(0.2, 2);
            KLPENPPOLoss loss = KLPENPPOLoss.builder(actor, TinyPpo.critic(gen.intIn(0, 100))).beta(beta).reduction("none").build();
            TensorDict out = loss.forward(td);
            double[] kl = normalKl(actor, td), lp = TinyPpo.normalLogProb(actor, td.get("observation"), td.get("action"));
            double[] old = td.get("action_log_prob").toDoubleArray(), adv = td.get("advantage").toDoubleArray();
            for (int i = 0; i < n; i++) {
                assertClose(-(Math.exp(lp[i] - old[i]) * adv[i] - beta * kl[i]), out.get("loss_objective").toDoubleArray()[i], "objective " + i);
                assertClose(kl[i], out.get("kl").toDoubleArray()[i], "kl " + i);
            }
            assertArrayEquals(new int[] {n, 1}, out.get("kl").shapeRef(), "kl is per sample, [*B, 1]");
            assertFalse(out.get("kl").requiresGrad());
        });
    }

    /** Categorical: KL = Σ p_old (log p_old − log p_new), from the stored logits. */
    @Test
    void theCategoricalDivergenceComesFromTheStoredLogits() {
        ProbabilisticActor actor = TinyPpo.categoricalActor(1);
        int n = 5, k = TinyPpo.ACTIONS;
        TensorDict td = TinyPpo.batch(Gen.seeded(2), n, TinyPpo.categoricalActor(3), 4);
        TensorDict out = KLPENPPOLoss.builder(actor, null).build().forward(td.copy());
        double[] oldLogits = td.get("logits").toDoubleArray();
        TensorDict t = new TensorDict(n);
        t.set("observation", td.get("observation"));
        double[] newLogits = actor.deterministicPart().get(0).forward(t).get("logits").detach().toDoubleArray();
        for (int i = 0; i < n; i++) {
            double kl = 0;
            for (int j = 0; j < k; j++) {
                double lpo = TinyPpo.logSoftmax(oldLogits, i * k, k, j), lpn = TinyPpo.logSoftmax(newLogits, i * k, k, j);
                kl += Math.exp(lpo) * (lpo - lpn);
            }
            assertClose(kl, out.get("kl").toDoubleArray()[i], "kl " + i);
        }
    }

    @Test
    void betaGrowsWhenTheDivergenceIsLargeShrinksWhenSmallAndResetRestoresIt() {
        ProbabilisticActor actor = TinyPpo.normalActor(5);
        TensorDict far = TinyPpo.batch(Gen.seeded(6), 6, TinyPpo.normalActor(7), 8);
        TensorDict same = TinyPpo.batch(Gen.seeded(6), 6, actor, 8);

        KLPENPPOLoss loss = KLPENPPOLoss.builder(actor, null).beta(1.0).increment(3.0).decrement(0.25).build();
        double mean = loss.forward(far.copy()).get("kl").mean().item();
        assertTrue(mean > 1.5 * 0.01);
        assertEquals(3.0, loss.beta(), "mean kl > 1.5 dtarg: β × increment");
        assertEquals(0.0, loss.forward(same.copy()).get("kl").abs().max().item(), 1e-12, "the behaviour policy itself: kl 0");
        assertEquals(0.75, loss.beta(), "mean kl < dtarg / 1.5: β × decrement");
        loss.reset();
        assertEquals(1.0, loss.beta(), "reset restores the constructor's β");

        KLPENPPOLoss inBand = KLPENPPOLoss.builder(actor, null).dtarg(mean).build();
        inBand.forward(far.copy());
        assertEquals(1.0, inBand.beta(), "dtarg/1.5 ≤ mean kl ≤ 1.5 dtarg: β unchanged");
        inBand.setBeta(0.4);
        assertEquals(0.4, inBand.beta(), "schedulable");

        assertMentions(assertThrows(IllegalArgumentException.class, () -> KLPENPPOLoss.builder(actor, null).increment(0.9).build()), "increment");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> KLPENPPOLoss.builder(actor, null).decrement(1.1).build()), "decrement");
    }

    /**
     * β moves from 1 to 2 in this call. Both modes report the objective with β = 1; by default its
     * gradient is that objective's, with referenceCompat the KL term's gradient is scaled by the new
     * β = 2 (TorchRL's in-place update), i.e. it equals the default gradient of a loss built with β = 2.
     */
    @Test
    void referenceCompatScalesTheKlGradientByTheUpdatedBeta() {
        ProbabilisticActor actor = TinyPpo.normalActor(9);
        TensorDict td = TinyPpo.batch(Gen.seeded(10), 6, TinyPpo.normalActor(11), 12);
        KLPENPPOLoss plain = KLPENPPOLoss.builder(actor, null).entropyBonus(false).build();
        KLPENPPOLoss compat = KLPENPPOLoss.builder(actor, null).entropyBonus(false).referenceCompat(true).build();
        KLPENPPOLoss two = KLPENPPOLoss.builder(actor, null).entropyBonus(false).beta(2.0).build();
        Tensor a = plain.forward(td.copy()).get("loss_objective"), b = compat.forward(td.copy()).get("loss_objective"), c = two.forward(td.copy()).get("loss_objective");
        assertEquals(2.0, plain.beta());
        assertEquals(2.0, compat.beta());
        assertEquals(a.item(), b.item(), 0, "the same reported value");
        List<Tensor> params = actor.parameters();
        List<Tensor> ga = TinyActorCritic.grads(a, params), gb = TinyActorCritic.grads(b, params), gc = TinyActorCritic.grads(c, params);
        double differ = 0;
        for (int i = 0; i < params.size(); i++) {
            assertArrayEquals(gc.get(i).toDoubleArray(), gb.get(i).toDoubleArray(), 1e-12, "compat gradient = gradient with β = 2, param " + i);
            differ += ga.get(i).sub(gb.get(i)).abs().sum().item();
        }
        assertTrue(differ > 1e-6, "the default gradient is the β = 1 objective's");
    }

    @Test
    void missingBehaviourParametersAreAnErrorNamingThem() {
        KLPENPPOLoss loss = KLPENPPOLoss.builder(TinyPpo.normalActor(13), null).build();
        TensorDict td = TinyPpo.batch(Gen.seeded(14), 4, TinyPpo.normalActor(15), 16);
        td.remove("scale");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(td)), "behaviour policy", "[\"loc\", \"scale\"]", "missing [\"scale\"]");
    }

    /** TruncatedNormal has no closed-form KL: samplesMcKl draws from the stored policy, kl = mean(log π_old(x) − log π(x)). */
    @Test
    void withoutAClosedFormTheDivergenceIsAMonteCarloEstimate() {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(TinyPpo.mlp(TinyPpo.OBS, 2 * TinyPpo.ACT, 17), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("exp", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        ProbabilisticActor actor = new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                .distribution(DistributionFactory.TRUNCATED_NORMAL).returnLogProb(true));
        TensorDict td = TinyPpo.batch(Gen.seeded(18), 5, TinyPpo.normalActor(19), 20);
        td.set("action", td.get("action").clamp(-0.9, 0.9));
        int samples = 4;
        KLPENPPOLoss loss = KLPENPPOLoss.builder(actor, null).samplesMcKl(samples).entropyBonus(false).build();
        loss.setRandomSource(new Generator(21));
        double[] got = loss.forward(td.copy()).get("kl").toDoubleArray();

        Distribution old = actor.probabilisticModule().getDist(td);
        Distribution current;
        try (GradMode.Scope g = GradMode.noGrad()) {
            current = actor.getDist(td.copy());
        }
        Tensor x = old.sample(new Generator(21), samples);
        double[] want = old.logProb(x).sub(current.logProb(x)).mean(0).toDoubleArray();
        assertArrayEquals(want, got, 1e-12);
        KLPENPPOLoss one = KLPENPPOLoss.builder(actor, null).samplesMcKl(1).entropyBonus(false).build();
        one.setRandomSource(new Generator(21));
        assertNotEquals(want[0], one.forward(td.copy()).get("kl").toDoubleArray()[0], "the number of draws matters");
    }

    @Test
    void aShortTrainingRunImprovesTheReturnAndStaysFinite() {
        ProbabilisticActor actor = TinyPpo.normalActor(22);
        KLPENPPOLoss loss = KLPENPPOLoss.builder(actor, TinyPpo.critic(23)).entropyCoeff(0.0).build();
        // The bandit collects with the current actor, whose loc/scale it stores: the penalty is against that behaviour policy.
        PPOTraining.Result r = PPOTraining.bandit(loss, actor, 250, 24);
        assertTrue(r.lastReward() > r.firstReward() + 0.3, "mean reward: first " + r.firstReward() + ", last " + r.lastReward());
        assertTrue(loss.beta() > 0 && Double.isFinite(loss.beta()));
    }
}
