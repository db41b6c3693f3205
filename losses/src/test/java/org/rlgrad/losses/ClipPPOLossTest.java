package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.PPOLossTest.assertMentions;
import static org.rlgrad.losses.TinyPpo.assertClose;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** ClipPPOLoss (spec losses.md §2.18): the clipped surrogate, its bounds and metrics, and clip_value's flavours. */
class ClipPPOLossTest {
    /** log π(a|s) − stored log-prob by hand, for the Gaussian or the categorical actor. */
    private static double[] logWeights(ProbabilisticActor actor, TensorDict td, boolean categorical) {
        int n = td.batchSize()[0];
        double[] old = td.get("action_log_prob").toDoubleArray(), lw = new double[n];
        if (!categorical) {
            double[] lp = TinyPpo.normalLogProb(actor, td.get("observation"), td.get("action"));
            for (int i = 0; i < n; i++) lw[i] = lp[i] - old[i];
            return lw;
        }
        TensorDict t = new TensorDict(n);
        t.set("observation", td.get("observation"));
        double[] logits = actor.deterministicPart().get(0).forward(t).get("logits").detach().toDoubleArray();
        long[] a = td.get("action").toLongArray();
        for (int i = 0; i < n; i++) lw[i] = TinyPpo.logSoftmax(logits, i * TinyPpo.ACTIONS, TinyPpo.ACTIONS, (int) a[i]) - old[i];
        return lw;
    }

    @Test
    void matchesTheClippedObjectiveAndItsMetricsComputedByHand() {
        Property.forAll("clip ppo formula", 16, gen -> {
            boolean categorical = gen.bool(), pair = gen.bool();
            ProbabilisticActor actor = categorical ? TinyPpo.categoricalActor(gen.intIn(0, 300)) : TinyPpo.normalActor(gen.intIn(0, 300));
            ProbabilisticActor behaviour = categorical ? TinyPpo.categoricalActor(gen.intIn(301, 600)) : TinyPpo.normalActor(gen.intIn(301, 600));
            int n = gen.intIn(2, 8);
            TensorDict td = TinyPpo.batch(gen, n, behaviour, gen.intIn(0, 100));
            double lowEps = pair ? gen.uniform(0.05, 0.4) : 0.2, highEps = pair ? gen.uniform(0.05, 0.6) : 0.2;
            ClipPPOLoss.Builder b = ClipPPOLoss.builder(actor, TinyPpo.critic(gen.intIn(0, 100))).reduction("none");
            if (pair) b.clipEpsilon(lowEps, highEps);
            TensorDict out = b.build().forward(td);

            double[] lw = logWeights(actor, td, categorical), adv = td.get("advantage").toDoubleArray();
            double lo = Math.log1p(-lowEps), hi = Math.log1p(highEps), clipped = 0, maxRatio = 0, meanRatio = 0, kl = 0, s1 = 0, s2 = 0;
            for (int i = 0; i < n; i++) {
                double c = Math.max(lo, Math.min(hi, lw[i]));
                double want = -Math.min(Math.exp(lw[i]) * adv[i], Math.exp(c) * adv[i]);
                assertClose(want, out.get("loss_objective").toDoubleArray()[i], "objective " + i);
                clipped += (c != lw[i] ? 1.0 : 0.0) / n;
                maxRatio = Math.max(maxRatio, Math.exp(lw[i]));
                meanRatio += Math.exp(lw[i]) / n;
                kl -= lw[i] / n;
                s1 += Math.exp(lw[i]);
                s2 += Math.exp(2 * lw[i]);
            }
            assertClose(clipped, out.get("clip_fraction").item(), "clip_fraction");
            assertClose(maxRatio, out.get("max_ratio").item(), "max_ratio");
            assertClose(meanRatio, out.get("mean_ratio").item(), "mean_ratio");
            assertClose(kl, out.get("kl_approx").item(), "kl_approx");
            assertClose(s1 * s1 / s2 / n, out.get("ESS").item(), "ESS = (Σw)² / Σw² / B");
        });
    }

    /** Far outside the bounds, the clipped branch is the minimum for a positive advantage (no gradient) but not for a negative one. */
    @Test
    void aClippedSampleSendsNoGradientWhenTheClipBinds() {
        ProbabilisticActor actor = TinyPpo.normalActor(1);
        TensorDict td = TinyPpo.batch(Gen.seeded(2), 1, TinyPpo.normalActor(3), 4);
        td.set("action_log_prob", td.get("action_log_prob").sub(5.0)); // ratio e^5 ≫ 1 + ε
        for (double a : new double[] {1.0, -1.0}) {
            td.set("advantage", Tensor.of(DType.FLOAT64, new double[] {a}, 1, 1));
            TensorDict out = ClipPPOLoss.builder(actor, null).entropyBonus(false).build().forward(td.copy());
            assertEquals(1.0, out.get("clip_fraction").item());
            double g = TinyActorCritic.size(TinyActorCritic.grads(out.get("loss_objective"), actor.parameters()));
            if (a > 0) assertEquals(0.0, g, "A > 0 and lw > hi: the clipped constant wins, no gradient");
            else assertTrue(g > 0, "A < 0 and lw > hi: the unclipped term is the minimum");
        }
    }

    @Test
    void anAsymmetricPairMovesTheBounds() {
        ProbabilisticActor actor = TinyPpo.normalActor(5);
        TensorDict td = TinyPpo.batch(Gen.seeded(6), 16, TinyPpo.normalActor(7), 8);
        ClipPPOLoss sym = ClipPPOLoss.builder(actor, null).reduction("none").build();
        ClipPPOLoss asym = ClipPPOLoss.builder(actor, null).clipEpsilon(0.05, 0.6).reduction("none").build();
        TensorDict a = sym.forward(td.copy()), b = asym.forward(td.copy());
        assertTrue(a.get("clip_fraction").item() > 0, "some samples are clipped at ε = 0.2");
        assertNotEquals(a.get("clip_fraction").item(), b.get("clip_fraction").item(), "the pair changes which samples are clipped");
        assertNotEquals(a.get("loss_objective").sum().item(), b.get("loss_objective").sum().item());
        assertEquals(Math.log1p(-0.05), asym.clipBounds()[0], 0);
        assertEquals(Math.log1p(0.6), asym.clipBounds()[1], 0);
        assertTrue(asym.asymmetricClip());
        assertEquals(0.05, asym.clipEpsilonLow());
        assertThrows(IllegalStateException.class, asym::clipEpsilon);
        assertThrows(IllegalStateException.class, () -> asym.setClipEpsilon(0.3), "the other flavour's name is an error");
        assertThrows(IllegalStateException.class, () -> sym.setClipEpsilonLowHigh(0.1, 0.3));
        sym.setClipEpsilon(0.05);
        assertTrue(sym.forward(td.copy()).get("clip_fraction").item() > a.get("clip_fraction").item(), "schedulable: a smaller ε clips more");
        asym.setClipEpsilonLowHigh(0.2, 0.2);
        assertEquals(a.get("loss_objective").sum().item(), asym.forward(td.copy()).get("loss_objective").sum().item(), 1e-12, "(0.2, 0.2) = 0.2");
    }

    @Test
    void invalidPairsAreErrors() {
        ProbabilisticActor actor = TinyPpo.normalActor(9);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ClipPPOLoss.builder(actor, null).clipEpsilon(1.0, 0.2)), "low in [0, 1)");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ClipPPOLoss.builder(actor, null).clipEpsilon(-0.1, 0.2)), "clip_epsilon");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ClipPPOLoss.builder(actor, null).clipEpsilon(0.1, -0.2)), "high >= 0");
    }

    @Test
    void clipValueTrueUsesEpsilonANumberItselfFalseNone() {
        ProbabilisticActor actor = TinyPpo.normalActor(10);
        ValueOperator critic = TinyPpo.critic(11);
        TensorDict td = TinyPpo.batch(Gen.seeded(12), 8, TinyPpo.normalActor(13), 14);
        Gen gen = Gen.seeded(15);
        td.set("state_value", gen.uniform(new int[] {8, 1}, -1, 1));
        TensorDict viaTrue = ClipPPOLoss.builder(actor, critic).clipEpsilon(0.15).clipValue(true).build().forward(td.copy());
        ClipPPOLoss number = ClipPPOLoss.builder(actor, critic).clipEpsilon(0.15).clipValue(0.15).build();
        TensorDict viaNumber = number.forward(td.copy());
        assertEquals(viaNumber.get("loss_critic").item(), viaTrue.get("loss_critic").item(), 0);
        assertTrue(viaTrue.contains("value_clip_fraction"));
        TensorDict other = ClipPPOLoss.builder(actor, critic).clipEpsilon(0.15).clipValue(0.5).build().forward(td.copy());
        assertNotEquals(viaTrue.get("loss_critic").item(), other.get("loss_critic").item(), "a number other than ε");
        TensorDict off = ClipPPOLoss.builder(actor, critic).clipValue(false).build().forward(td.copy());
        assertFalse(off.contains("value_clip_fraction"), "false: no value clipping");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ClipPPOLoss.builder(actor, critic).clipEpsilon(0.1, 0.3).clipValue(true).build()),
                "clip_value=true", "number");
        number.setClipValue(0.5);
        assertEquals(other.get("loss_critic").item(), number.forward(td.copy()).get("loss_critic").item(), 0, "schedulable");
    }

    @Test
    void aMissingAdvantageWithoutACriticIsAnError() {
        ClipPPOLoss loss = ClipPPOLoss.builder(TinyPpo.normalActor(16), null).build();
        TensorDict td = TinyPpo.collect(Gen.seeded(17), 4, TinyPpo.normalActor(18), 19);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(td)), "advantage", "no critic");
    }

    @Test
    void aShortTrainingRunImprovesTheReturnAndStaysFinite() {
        ProbabilisticActor actor = TinyPpo.normalActor(20);
        ClipPPOLoss loss = ClipPPOLoss.builder(actor, TinyPpo.critic(21)).entropyCoeff(0.0).build();
        PPOTraining.Result r = PPOTraining.bandit(loss, actor, 250, 22);
        assertTrue(r.lastReward() > r.firstReward() + 0.3, "mean reward: first " + r.firstReward() + ", last " + r.lastReward());
        assertTrue(r.lastCritic() < 0.5 * r.firstCritic(), "critic loss: first " + r.firstCritic() + ", last " + r.lastCritic());
    }

    @Test
    void describesItself() {
        ClipPPOLoss loss = ClipPPOLoss.builder(TinyPpo.normalActor(23), TinyPpo.critic(24)).clipEpsilon(0.1, 0.3).build();
        assertTrue(loss.toString().contains("clip_epsilon=(0.1, 0.3)"), loss.toString());
        assertEquals(List.of(PPOLoss.ACTOR, PPOLoss.CRITIC), loss.networkNames());
    }
}
