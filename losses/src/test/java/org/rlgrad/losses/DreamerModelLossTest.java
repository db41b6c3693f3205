package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** Spec losses.md §2.22, DreamerModelLoss. */
class DreamerModelLossTest {
    private static final Key NEXT_REWARD = TinyDreamer.NEXT_REWARD;

    private record Config(double lambdaKl, double lambdaReco, double lambdaReward, String reco, String reward, double freeNats, boolean delayedClamp,
                          boolean globalAverage) {
        static Config random(Gen gen) {
            return new Config(gen.uniform(0.1, 2), gen.uniform(0.1, 2), gen.uniform(0.1, 2), gen.oneOf("l2", "l1", "smooth_l1"),
                    gen.oneOf("l2", "l1", "smooth_l1"), gen.choose(0, 0.05, 0.5, 3), gen.bool(), gen.bool());
        }

        DreamerModelLoss build(TinyDreamer.WorldModel wm) {
            return DreamerModelLoss.builder(wm.module()).lambdaKl(lambdaKl).lambdaReco(lambdaReco).lambdaReward(lambdaReward).recoLoss(reco)
                    .rewardLoss(reward).freeNats(freeNats).delayedClamp(delayedClamp).globalAverage(globalAverage).build();
        }
    }

    /** The three terms recomputed in plain arithmetic from the world model's own outputs (FORMAT-losses.md §6). */
    private static double[] expected(Config c, TinyDreamer.WorldModel wm, TensorDict td) {
        TensorDict ref = td.copy();
        ref.rename(NEXT_REWARD, Key.of("next", "true_reward"));
        wm.module().forward(ref);
        double[] pm = ref.get(Key.of("next", "prior_mean")).toDoubleArray(), ps = ref.get(Key.of("next", "prior_std")).toDoubleArray();
        double[] qm = ref.get(Key.of("next", "posterior_mean")).toDoubleArray(), qs = ref.get(Key.of("next", "posterior_std")).toDoubleArray();
        int z = TinyDreamer.Z, rows = pm.length / z;
        double[] kl = new double[c.globalAverage() ? pm.length : rows];
        for (int i = 0; i < pm.length; i++) {
            double e = Math.log(ps[i] / qs[i]) + (qs[i] * qs[i] + (pm[i] - qm[i]) * (pm[i] - qm[i])) / (2 * ps[i] * ps[i]) - 0.5;
            kl[c.globalAverage() ? i : i / z] += e;
        }
        double klTerm;
        if (c.delayedClamp()) {
            klTerm = Math.max(Arrays.stream(kl).average().orElseThrow(), c.freeNats());
        } else {
            klTerm = Arrays.stream(kl).map(v -> Math.max(v, c.freeNats())).average().orElseThrow();
        }
        double[] px = ref.get(Key.of("next", "pixels")).toDoubleArray(), reco = ref.get(Key.of("next", "reco_pixels")).toDoubleArray();
        double recoSum = 0;
        for (int i = 0; i < px.length; i++) recoSum += TinyDreamer.distance(c.reco(), px[i], reco[i]);
        double recoTerm = recoSum / (c.globalAverage() ? px.length : px.length / 4);
        double[] truth = ref.get(Key.of("next", "true_reward")).toDoubleArray(), pred = ref.get(NEXT_REWARD).toDoubleArray();
        double rewSum = 0;
        for (int i = 0; i < truth.length; i++) rewSum += TinyDreamer.distance(c.reward(), truth[i], pred[i]);
        return new double[] {c.lambdaKl() * klTerm, c.lambdaReco() * recoTerm, c.lambdaReward() * rewSum / truth.length};
    }

    @Test
    void theThreeTermsFollowTheFormulasForEveryOption() {
        Property.forAll("dreamer model loss", 40, gen -> {
            Config c = Config.random(gen);
            TinyDreamer.WorldModel wm = TinyDreamer.worldModel(gen.intIn(1, 1000));
            TensorDict td = TinyDreamer.modelBatch(gen, gen.intIn(1, 3), gen.intIn(1, 4));
            TensorDict out = c.build(wm).forward(td);
            double[] want = expected(c, wm, td);
            String[] names = {"loss_model_kl", "loss_model_reco", "loss_model_reward"};
            for (int i = 0; i < 3; i++) {
                Tensor got = out.get(names[i]);
                assertArrayEquals(new int[] {1}, got.shapeRef(), names[i] + " has the reference's shape [1]");
                assertEquals(want[i], got.item(), 1e-12 * Math.max(1, Math.abs(want[i])), names[i] + " " + c);
            }
        });
    }

    @Test
    void freeNatsStopTheKlGradientBelowTheFloorAndTheCallersDataIsUntouched() {
        TinyDreamer.WorldModel wm = TinyDreamer.worldModel(3);
        TensorDict td = TinyDreamer.modelBatch(Gen.seeded(4), 2, 3);
        Tensor reward = td.get(NEXT_REWARD);

        DreamerModelLoss open = DreamerModelLoss.builder(wm.module()).freeNats(0).build();
        LossOutputs.totalLoss(open.forward(td)).backward();
        for (var m : new org.rlgrad.engine.nn.Module[] {wm.posterior(), wm.prior(), wm.decoder(), wm.reward()}) {
            for (Tensor p : m.parameters()) assertTrue(p.grad() != null && p.grad().abs().sum().item() > 0, "every part of the world model trains");
        }
        assertEquals(4 * 2 * 2, open.parameters().size(), "the loss's parameters are the world model's");
        for (Tensor p : open.parameters()) p.zeroGrad();

        // Above every KL the floor is all that is left: the prior appears only in the KL term, so it gets nothing.
        DreamerModelLoss clamped = DreamerModelLoss.builder(wm.module()).freeNats(1e6).build();
        LossOutputs.totalLoss(clamped.forward(td)).backward();
        for (Tensor p : wm.prior().parameters()) assertTrue(p.grad() == null || p.grad().abs().sum().item() == 0, "no KL gradient below the free nats");
        assertNotNull(wm.decoder().parameters().get(0).grad());

        assertSame(reward, td.get(NEXT_REWARD), "the caller's reward stays where it was");
        assertFalse(td.contains(Key.of("next", "true_reward")));
        assertFalse(td.contains(Key.of("next", "prior_mean")), "the world model ran on a copy");
    }

    @Test
    void forwardWithDataReturnsTheDetachedModelOutputs() {
        TinyDreamer.WorldModel wm = TinyDreamer.worldModel(5);
        TensorDict td = TinyDreamer.modelBatch(Gen.seeded(6), 2, 2);
        DreamerModelLoss loss = DreamerModelLoss.builder(wm.module()).build();
        LossAndData r = loss.forwardWithData(td);
        assertEquals(loss.forward(td).get("loss_model_reco").item(), r.losses().get("loss_model_reco").item(), 0);
        TensorDict data = r.data();
        for (String k : new String[] {"prior_mean", "prior_std", "posterior_mean", "posterior_std", "reco_pixels", "reward", "true_reward"}) {
            Tensor t = data.get(Key.of("next", k));
            assertFalse(t.requiresGrad(), k + " is detached");
        }
        assertArrayEquals(td.get(NEXT_REWARD).toDoubleArray(), data.get(Key.of("next", "true_reward")).toDoubleArray(), 0);
    }

    @Test
    void keysCanBeRenamedAndAMissingInputIsNamed() {
        TinyDreamer.WorldModel wm = TinyDreamer.worldModel(7);
        TensorDict td = TinyDreamer.modelBatch(Gen.seeded(8), 2, 2);
        double plain = LossOutputs.totalLoss(DreamerModelLoss.builder(wm.module()).freeNats(0).build().forward(td)).item();

        // The world model writes its reward at ("next", "reward"); the data's true reward moves to ("next", "observed").
        DreamerModelLoss loss = DreamerModelLoss.builder(wm.module()).freeNats(0).build();
        loss.setKeys("true_reward", "observed");
        assertEquals(plain, LossOutputs.totalLoss(loss.forward(td)).item(), 1e-12);

        TensorDict noPixels = td.copy();
        noPixels.remove(Key.of("next", "pixels"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(noPixels));
        assertTrue(e.getMessage().contains("pixels"), e.getMessage());

        TensorDict noReward = td.copy();
        noReward.remove(NEXT_REWARD);
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> loss.forward(noReward));
        assertTrue(r.getMessage().contains("reward"), r.getMessage());
    }

    @Test
    void aRenamedOutputKeyIsRead() {
        TinyDreamer.WorldModel wm = TinyDreamer.worldModel(9);
        TensorDict td = TinyDreamer.modelBatch(Gen.seeded(10), 2, 2);
        DreamerModelLoss loss = DreamerModelLoss.builder(wm.module()).build();
        loss.setKeys("reco_pixels", "decoded");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("decoded"), "the loss reads the renamed key: " + e.getMessage());
    }

    @Test
    void theLossIgnoresTheOrderOfSamples() {
        Property.forAll("dreamer model order", 10, gen -> {
            Config c = Config.random(gen);
            DreamerModelLoss loss = c.build(TinyDreamer.worldModel(gen.intIn(1, 100)));
            int b = gen.intIn(2, 5);
            TensorDict td = TinyDreamer.modelBatch(gen, b, 2);
            TensorDict shuffled = td.index(Tensor.of(Arrays.stream(gen.permutation(b)).asLongStream().toArray(), b));
            assertEquals(LossOutputs.totalLoss(loss.forward(td)).item(), LossOutputs.totalLoss(loss.forward(shuffled)).item(), 1e-12);
        });
    }

    @Test
    void trainingTheWorldModelLowersTheLossAndStaysFinite() {
        TinyDreamer.WorldModel wm = TinyDreamer.worldModel(11);
        DreamerModelLoss loss = DreamerModelLoss.builder(wm.module()).freeNats(0).build();
        Gen gen = Gen.seeded(12);
        TensorDict td = TinyDreamer.modelBatch(gen, 8, 4);
        // A learnable world: the reward is a function of the pixels.
        Tensor px = td.get(Key.of("next", "pixels"));
        td.set(NEXT_REWARD, px.flatten(-3, -1).sum(-1, true).mul(0.3));
        Adam opt = new Adam(loss.parameters(), 0.01);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 300; step++) {
            opt.zeroGrad();
            Tensor l = LossOutputs.totalLoss(loss.forward(td));
            l.backward();
            opt.step();
            if (step == 0) first = l.item();
            last = l.item();
            assertTrue(Double.isFinite(last), "step " + step);
        }
        assertTrue(last < 0.3 * first, first + " -> " + last);
    }

    @Test
    void itUsesNoValueEstimator() {
        DreamerModelLoss loss = DreamerModelLoss.builder(TinyDreamer.worldModel(1).module()).build();
        assertThrows(UnsupportedOperationException.class, loss::valueEstimator);
    }
}
