package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** Spec losses.md §2.13. */
class OnlineDTLossTest {
    private static final int OBS = TinySac.OBS, ACT = TinySac.ACT;

    private static TensorDict batch(Gen gen, int b, int t) {
        TensorDict td = new TensorDict(b, t);
        td.set("observation", gen.uniform(new int[] {b, t, OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {b, t, ACT}, -0.9, 0.9));
        return td;
    }

    /** The one {@code [S, B, T, A]} draw of the entropy estimate. */
    private static ReplayedDraws draws(Tensor eps) {
        return new ReplayedDraws(List.of(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, eps)));
    }

    /** {@code Σ_dims [log N(u; loc, scale) − 2 (log 2 − u − softplus(−2u))]} (FORMAT-losses.md §3), element by element. */
    private static double tanhNormalLogProb(double[] loc, double[] scale, double[] u, int at) {
        double lp = 0;
        for (int d = 0; d < ACT; d++) {
            double m = loc[at * ACT + d], s = scale[at * ACT + d], x = u[d];
            double z = (x - m) / s;
            double softplus = Math.log1p(Math.exp(-2 * x));
            lp += -0.5 * z * z - Math.log(s) - 0.5 * Math.log(2 * Math.PI) - 2 * (Math.log(2) - x - softplus);
        }
        return lp;
    }

    /** [mean log π(a), mean H] from the actor's loc and scale and the noise, by hand. */
    private static double[] byHand(ProbabilisticActor actor, TensorDict td, Tensor eps) {
        TensorDict params = actor.distParams(td.copy());
        double[] loc = params.get("loc").toDoubleArray(), scale = params.get("scale").toDoubleArray();
        double[] a = td.get("action").toDoubleArray(), noise = eps.toDoubleArray();
        int n = loc.length / ACT, samples = eps.size(0);
        double ll = 0, h = 0;
        for (int i = 0; i < n; i++) {
            double[] u = new double[ACT];
            for (int d = 0; d < ACT; d++) {
                double y = a[i * ACT + d];
                u[d] = 0.5 * Math.log((1 + y) / (1 - y));
            }
            ll += tanhNormalLogProb(loc, scale, u, i);
            for (int s = 0; s < samples; s++) {
                for (int d = 0; d < ACT; d++) u[d] = loc[i * ACT + d] + scale[i * ACT + d] * noise[(s * n + i) * ACT + d];
                h -= tanhNormalLogProb(loc, scale, u, i) / samples;
            }
        }
        return new double[] {ll / n, h / n};
    }

    @Test
    void matchesTheFormulaWithTheReplayedEntropyDraws() {
        Property.forAll("online dt formula", 20, gen -> {
            ProbabilisticActor actor = TinySac.actor(gen.intIn(0, 1000));
            int b = gen.intIn(1, 4), t = gen.intIn(1, 4), samples = gen.intIn(1, 3);
            double alpha = gen.choose(1.0, 0.2, 2.5), hBar = gen.choose(-2.0, -0.5, 1.0);
            OnlineDTLoss loss = OnlineDTLoss.builder(actor).alphaInit(alpha).targetEntropy(hBar).samplesMcEntropy(samples).build();
            TensorDict td = batch(gen, b, t);
            Tensor eps = TinySac.noise(gen.intIn(0, 1000), samples, b, t, ACT);
            ReplayedDraws replay = draws(eps);
            loss.setRandomSource(replay);
            TensorDict out = loss.forward(td);
            replay.checkAllUsed();

            double[] want = byHand(actor, td, eps);
            assertEquals(-want[0], out.get("loss_log_likelihood").item(), 1e-11);
            assertEquals(-alpha * want[1], out.get("loss_entropy").item(), 1e-11);
            assertEquals(alpha * (want[1] - hBar), out.get("loss_alpha").item(), 1e-11);
            assertEquals(want[1], out.get("entropy").item(), 1e-11);
            assertEquals(alpha, out.get("alpha").item(), 1e-14);
            assertEquals(List.of("loss_log_likelihood", "loss_entropy", "loss_alpha"), LossOutputs.lossKeys(out).stream().map(k -> k.first()).toList());
        });
    }

    @Test
    void theActorLearnsFromTheLikelihoodAndEntropyTermsAndLogAlphaOnlyFromItsOwn() {
        ProbabilisticActor actor = TinySac.actor(3);
        OnlineDTLoss loss = OnlineDTLoss.builder(actor).alphaInit(0.5).targetEntropy(-2.0).build();
        loss.setRandomSource(new Generator(4));
        TensorDict out = loss.forward(batch(Gen.seeded(5), 3, 4));
        List<Tensor> actorParams = new ArrayList<>(actor.parameters());
        List<Tensor> all = new ArrayList<>(actorParams);
        all.add(loss.logAlpha());
        assertEquals(all.size(), loss.parameters().size());
        assertTrue(loss.parameters().contains(loss.logAlpha()));

        List<Tensor> fromAlphaLoss = Autograd.grad(List.of(out.get("loss_alpha")), all, null, false, true, true);
        for (int i = 0; i < actorParams.size(); i++) assertEquals(0.0, fromAlphaLoss.get(i).abs().sum().item(), 0.0, "loss_alpha reaches no actor weight");
        double h = out.get("entropy").item();
        assertEquals(0.5 * (h + 2.0), fromAlphaLoss.get(actorParams.size()).item(), 1e-12, "d loss_alpha / d log_alpha = α (H − H̄)");

        for (String term : List.of("loss_log_likelihood", "loss_entropy")) {
            List<Tensor> g = Autograd.grad(List.of(out.get(term)), all, null, false, true, true);
            assertEquals(0.0, g.get(actorParams.size()).item(), 0.0, term + " reaches no log_alpha");
            assertTrue(g.subList(0, actorParams.size()).stream().mapToDouble(x -> x.abs().sum().item()).sum() > 0, term + " trains the actor");
        }
        LossOutputs.totalLoss(out).backward();
        for (Tensor p : actorParams) assertNotNull(p.grad());
    }

    @Test
    void targetActionsThatRequireGradAreRefused() {
        OnlineDTLoss loss = OnlineDTLoss.builder(TinySac.actor(1)).targetEntropy(-2.0).build();
        TensorDict td = batch(Gen.seeded(2), 2, 2);
        td.set("action", td.get("action").clone().requiresGrad(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("graph"), e.getMessage());
    }

    @Test
    void keysCanBeRenamedAndAMissingTargetIsNamed() {
        ProbabilisticActor actor = TinySac.actor(5);
        TensorDict td = batch(Gen.seeded(6), 2, 3);
        Tensor eps = TinySac.noise(7, 1, 2, 3, ACT);
        OnlineDTLoss plain = OnlineDTLoss.builder(actor).targetEntropy(-2.0).build();
        plain.setRandomSource(draws(eps));
        double want = LossOutputs.totalLoss(plain.forward(td)).item();

        TensorDict renamed = new TensorDict(2, 3);
        renamed.set("observation", td.get("observation"));
        renamed.set("expert_action", td.get("action"));
        OnlineDTLoss loss = OnlineDTLoss.builder(actor).targetEntropy(-2.0).build();
        loss.setKeys("action_target", "expert_action");
        loss.setRandomSource(draws(eps));
        assertEquals(want, LossOutputs.totalLoss(loss.forward(renamed)).item(), 1e-13);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("expert_action"), e.getMessage());
    }

    @Test
    void meanLossesIgnoreTheOrderOfSequences() {
        Property.forAll("online dt order", 10, gen -> {
            ProbabilisticActor actor = TinySac.actor(gen.intIn(0, 100));
            int b = gen.intIn(2, 5), t = gen.intIn(1, 3), samples = gen.intIn(1, 2);
            TensorDict td = batch(gen, b, t);
            Tensor eps = TinySac.noise(gen.intIn(0, 100), samples, b, t, ACT);
            long[] perm = Arrays.stream(gen.permutation(b)).asLongStream().toArray();
            Tensor index = Tensor.of(perm, b);
            OnlineDTLoss loss = OnlineDTLoss.builder(actor).targetEntropy(-1.0).samplesMcEntropy(samples).build();
            loss.setRandomSource(draws(eps));
            TensorDict out = loss.forward(td);
            // The draws follow their sequences: sample s of sequence perm[i] moves to row i.
            loss.setRandomSource(draws(eps.indexSelect(1, index)));
            TensorDict shuffled = loss.forward(td.index(index));
            for (String k : List.of("loss_log_likelihood", "loss_entropy", "loss_alpha", "entropy")) {
                assertEquals(out.get(k).item(), shuffled.get(k).item(), 1e-13, k);
            }
        });
    }

    @Test
    void alphaBoundsClampLogAlphaInPlaceWhenAlphaIsRead() {
        OnlineDTLoss loss = OnlineDTLoss.builder(TinySac.actor(1)).alphaInit(5.0).minAlpha(0.1).maxAlpha(2.0).targetEntropy(-2.0).build();
        loss.setRandomSource(new Generator(2));
        TensorDict out = loss.forward(batch(Gen.seeded(3), 2, 2));
        assertEquals(2.0, out.get("alpha").item(), 1e-12);
        assertEquals(Math.log(2.0), loss.logAlpha().item(), 1e-12, "log_alpha was clamped in place");
        assertEquals(2.0 * (out.get("entropy").item() + 2.0), out.get("loss_alpha").item(), 1e-12, "the alpha loss uses the clamped value");

        OnlineDTLoss low = OnlineDTLoss.builder(TinySac.actor(1)).alphaInit(0.01).minAlpha(0.1).targetEntropy(-2.0).build();
        low.setRandomSource(new Generator(2));
        assertEquals(0.1, low.forward(batch(Gen.seeded(3), 2, 2)).get("alpha").item(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> OnlineDTLoss.builder(TinySac.actor(1)).maxAlpha(0.0).build());
    }

    @Test
    void aFixedAlphaIsNotTrained() {
        ProbabilisticActor actor = TinySac.actor(1);
        OnlineDTLoss loss = OnlineDTLoss.builder(actor).alphaInit(0.3).fixedAlpha(true).targetEntropy(-2.0).build();
        assertFalse(loss.logAlpha().requiresGrad());
        assertEquals(actor.parameters().size(), loss.parameters().size(), "log_alpha is not a parameter");
        loss.setRandomSource(new Generator(2));
        TensorDict out = loss.forward(batch(Gen.seeded(3), 2, 2));
        assertFalse(out.get("loss_alpha").requiresGrad(), "the alpha loss is reported without gradient");
        assertEquals(0.3 * (out.get("entropy").item() + 2.0), out.get("loss_alpha").item(), 1e-12);
    }

    @Test
    void autoTargetEntropyIsMinusTheActionComponents() {
        OnlineDTLoss fromShape = OnlineDTLoss.builder(TinySac.actor(1)).actionShape(ACT).build();
        assertEquals(-ACT, fromShape.targetEntropy(), 0.0);
        OnlineDTLoss fromData = OnlineDTLoss.builder(TinySac.actor(1)).build();
        assertNull(fromData.targetEntropy());
        fromData.setRandomSource(new Generator(2));
        TensorDict out = fromData.forward(batch(Gen.seeded(3), 2, 4));
        assertEquals(-ACT, fromData.targetEntropy(), 0.0, "read off the action after the [B, T] batch dims");
        assertEquals(out.get("entropy").item() + ACT, out.get("loss_alpha").item(), 1e-12);
    }

    @Test
    void reductionNoneKeepsTheSequenceShapeAndTheScalarOutputModeDecidesTheMetrics() {
        ProbabilisticActor actor = TinySac.actor(1);
        TensorDict td = batch(Gen.seeded(3), 2, 3);
        Tensor eps = TinySac.noise(4, 1, 2, 3, ACT);
        OnlineDTLoss mean = OnlineDTLoss.builder(actor).targetEntropy(-2.0).build();
        mean.setRandomSource(draws(eps));
        TensorDict reduced = mean.forward(td);
        for (String mode : List.of("exclude", "non_tensor")) {
            OnlineDTLoss none = OnlineDTLoss.builder(actor).targetEntropy(-2.0).reduction("none").scalarOutputMode(mode).build();
            none.setRandomSource(draws(eps));
            TensorDict out = none.forward(td);
            for (String k : List.of("loss_log_likelihood", "loss_entropy", "loss_alpha")) {
                assertArrayEquals(new int[] {2, 3}, out.get(k).shapeRef(), k);
                assertEquals(reduced.get(k).item(), out.get(k).mean().item(), 1e-13, k);
            }
            assertEquals(mode.equals("non_tensor"), out.contains("alpha"));
            assertEquals(mode.equals("non_tensor"), out.contains("entropy"));
        }
        OnlineDTLoss sum = OnlineDTLoss.builder(actor).targetEntropy(-2.0).reduction("sum").build();
        sum.setRandomSource(draws(eps));
        assertEquals(6 * reduced.get("loss_log_likelihood").item(), sum.forward(td).get("loss_log_likelihood").item(), 1e-12);
    }

    @Test
    void itUsesNoValueEstimatorAndNeedsAtLeastOneSample() {
        OnlineDTLoss loss = OnlineDTLoss.builder(TinySac.actor(1)).build();
        assertThrows(UnsupportedOperationException.class, loss::valueEstimator);
        assertThrows(IllegalArgumentException.class, () -> OnlineDTLoss.builder(TinySac.actor(1)).samplesMcEntropy(0).build());
        assertEquals(List.of("action_target", "action_pred"), OnlineDTLoss.keyNames());
    }

    /** Behaviour cloning of a smooth policy over sequences: the likelihood loss falls, α moves, nothing becomes NaN. */
    @Test
    void cloningTheDataLowersTheLossAndStaysFinite() {
        ProbabilisticActor actor = TinySac.actor(8);
        OnlineDTLoss loss = OnlineDTLoss.builder(actor).alphaInit(0.1).targetEntropy(-2.0).build();
        loss.setRandomSource(new Generator(9));
        Gen gen = Gen.seeded(10);
        TensorDict td = batch(gen, 6, 4);
        td.set("action", td.get("observation").narrow(-1, 0, ACT).mul(0.7).tanh());
        Adam opt = new Adam(loss.parameters(), 0.01);
        double first = Double.NaN, last = Double.NaN, alpha0 = loss.alpha().item();
        for (int step = 0; step < 200; step++) {
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            LossOutputs.totalLoss(out).backward();
            opt.step();
            double ll = out.get("loss_log_likelihood").item();
            if (step == 0) first = ll;
            last = ll;
            assertTrue(Double.isFinite(LossOutputs.totalLoss(out).item()), "step " + step);
        }
        assertTrue(last < first - 1.0, first + " -> " + last);
        assertTrue(Double.isFinite(loss.alpha().item()) && loss.alpha().item() != alpha0, "alpha is trained");
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0);
        }
    }
}
