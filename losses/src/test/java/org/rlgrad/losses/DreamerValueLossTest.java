package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** Spec losses.md §2.22, DreamerValueLoss. */
class DreamerValueLossTest {
    /** {@code mean_B Σ_t w_t d(V(s_t), G_t)} in plain arithmetic, {@code w_t = γ^t} or 1. */
    static double expected(ValueOperator value, TensorDict td, String kind, double gamma, boolean discount) {
        double[] v = value.forward(td.copy()).get("state_value").toDoubleArray(), g = td.get("lambda_target").toDoubleArray();
        int b = td.batchSize()[0], h = td.batchSize()[1];
        double sum = 0;
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < h; t++) sum += (discount ? Math.pow(gamma, t) : 1) * TinyDreamer.distance(kind, v[i * h + t], g[i * h + t]);
        }
        return sum / b;
    }

    @Test
    void theLossIsTheDiscountedSumOfDistancesAveragedOverTrajectories() {
        Property.forAll("dreamer value loss", 30, gen -> {
            ValueOperator value = TinyDreamer.value(gen.intIn(1, 1000));
            String kind = gen.oneOf("l2", "l1", "smooth_l1");
            double gamma = gen.choose(0.99, 0.9, 0.5);
            boolean discount = gen.bool();
            TensorDict td = TinyDreamer.imagined(gen, gen.intIn(1, 4), gen.intIn(1, 6));
            Tensor got = DreamerValueLoss.builder(value).valueLoss(kind).gamma(gamma).discountLoss(discount).build().forward(td).get("loss_value");
            assertArrayEquals(new int[0], got.shapeRef());
            double want = expected(value, td, kind, gamma, discount);
            assertEquals(want, got.item(), 1e-12 * Math.max(1, Math.abs(want)), kind + " gamma " + gamma + " discount " + discount);
        });
    }

    @Test
    void discountingWeighsLaterStepsLess() {
        ValueOperator value = TinyDreamer.value(2);
        TensorDict td = TinyDreamer.imagined(Gen.seeded(3), 3, 5);
        double discounted = DreamerValueLoss.builder(value).gamma(0.5).build().forward(td).get("loss_value").item();
        double flat = DreamerValueLoss.builder(value).discountLoss(false).build().forward(td).get("loss_value").item();
        assertTrue(discounted < flat - 1e-6, discounted + " vs " + flat);
        assertEquals(expected(value, td, "l2", 0.5, true), discounted, 1e-12);
    }

    @Test
    void gradientReachesTheValueModelOnlyNeverTheTarget() {
        ValueOperator value = TinyDreamer.value(4);
        TensorDict td = TinyDreamer.imagined(Gen.seeded(5), 3, 4);
        Tensor target = td.get("lambda_target").clone().requiresGrad(true);
        td.set("lambda_target", target);
        DreamerValueLoss loss = DreamerValueLoss.builder(value).build();
        loss.forward(td).get("loss_value").backward();
        for (Tensor p : value.parameters()) assertTrue(p.grad() != null && p.grad().abs().sum().item() > 0);
        assertNull(target.grad(), "the λ-target is detached");
        assertEquals(value.parameters().size(), loss.parameters().size());
        assertTrue(!td.contains("state_value"), "the value model ran on a copy");
        assertSame(td, loss.forwardWithData(td).data(), "the data comes back as given");
    }

    @Test
    void keysCanBeRenamedAndAMissingTargetIsNamed() {
        TensorDict td = TinyDreamer.imagined(Gen.seeded(6), 2, 3);
        double plain = DreamerValueLoss.builder(TinyDreamer.value(7)).build().forward(td).get("loss_value").item();
        TensorDict renamed = td.copy();
        renamed.rename("lambda_target", "g");
        DreamerValueLoss loss = DreamerValueLoss.builder(TinyDreamer.value(7, "v")).build();
        loss.setKeys("value", "v").setKeys("lambda_target", "g");
        assertEquals(plain, loss.forward(renamed).get("loss_value").item(), 1e-14);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("no entry \"g\""), e.getMessage());
        DreamerValueLoss wrongValue = DreamerValueLoss.builder(TinyDreamer.value(7)).build();
        wrongValue.setKeys("value", "v");
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> wrongValue.forward(td));
        assertTrue(v.getMessage().contains("no entry \"v\""), v.getMessage());
    }

    @Test
    void theLossIgnoresTheOrderOfTrajectories() {
        Property.forAll("dreamer value order", 10, gen -> {
            DreamerValueLoss loss = DreamerValueLoss.builder(TinyDreamer.value(gen.intIn(1, 100))).valueLoss(gen.oneOf("l2", "smooth_l1")).build();
            int b = gen.intIn(2, 6);
            TensorDict td = TinyDreamer.imagined(gen, b, 3);
            TensorDict shuffled = td.index(Tensor.of(Arrays.stream(gen.permutation(b)).asLongStream().toArray(), b));
            assertEquals(loss.forward(td).get("loss_value").item(), loss.forward(shuffled).get("loss_value").item(), 1e-12);
        });
    }

    @Test
    void regressingOnTheTargetsLowersTheLossAndStaysFinite() {
        ValueOperator value = TinyDreamer.value(8);
        DreamerValueLoss loss = DreamerValueLoss.builder(value).build();
        TensorDict td = TinyDreamer.imagined(Gen.seeded(9), 8, 5);
        // Targets the value model can represent: a smooth function of the state.
        td.set("lambda_target", td.get("state").sum(-1, true).tanh());
        Adam opt = new Adam(loss.parameters(), 0.02);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 300; step++) {
            opt.zeroGrad();
            Tensor l = loss.forward(td).get("loss_value");
            l.backward();
            opt.step();
            if (step == 0) first = l.item();
            last = l.item();
            assertTrue(Double.isFinite(last), "step " + step);
        }
        assertTrue(last < 0.1 * first, first + " -> " + last);
    }

    @Test
    void itUsesNoValueEstimatorAndKeepsItsOwnGamma() {
        DreamerValueLoss loss = DreamerValueLoss.builder(TinyDreamer.value(1)).gamma(0.8).build();
        assertThrows(UnsupportedOperationException.class, loss::valueEstimator);
        assertEquals(0.8, loss.gamma());
    }
}
