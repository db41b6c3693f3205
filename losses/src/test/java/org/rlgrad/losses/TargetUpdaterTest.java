package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

class TargetUpdaterTest {
    private static DQNLoss loss(long seed, boolean delay) {
        return DQNLoss.builder(TinyQ.network(seed)).delayValue(delay).build();
    }

    private static List<double[]> values(List<Tensor> tensors) {
        List<double[]> out = new ArrayList<>();
        for (Tensor t : tensors) out.add(t.toDoubleArray());
        return out;
    }

    private static List<Tensor> targets(DQNLoss loss) {
        return new ArrayList<>(loss.targetParams(DQNLoss.VALUE_NETWORK).leaves().values());
    }

    /** Moves every online parameter somewhere new, as an optimiser step would. */
    private static void moveOnline(DQNLoss loss, double by) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) p.addInPlace(Tensor.onesLike(p).mul(by), 1.0);
        }
    }

    @Test
    void softUpdateMovesEachTargetByTauTowardItsSource() {
        Property.forAll("soft update fraction", 20, gen -> {
            DQNLoss loss = loss(gen.intIn(0, 100), true);
            double tau = gen.uniform(0.0, 1.0);
            SoftUpdate up = gen.bool() ? SoftUpdate.withTau(loss, tau) : SoftUpdate.withEps(loss, 1 - tau);
            moveOnline(loss, gen.uniform(-2, 2));
            List<double[]> before = values(targets(loss)), source = values(loss.parameters());
            up.step();
            List<double[]> after = values(targets(loss));
            for (int i = 0; i < before.size(); i++) {
                for (int j = 0; j < before.get(i).length; j++) {
                    double want = (1 - up.tau()) * before.get(i)[j] + up.tau() * source.get(i)[j];
                    assertEquals(want, after.get(i)[j], 1e-12, "tensor " + i + " element " + j);
                }
            }
        });
    }

    @Test
    void softUpdateTakesExactlyOneOfEpsAndTauInRange() {
        DQNLoss loss = loss(1, true);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoftUpdate.of(loss, null, null)).getMessage().contains("neither"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoftUpdate.of(loss, 0.9, 0.1)).getMessage().contains("both"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoftUpdate.withEps(loss, 1.5)).getMessage().contains("[0, 1]"));
        assertEquals(0.95, SoftUpdate.withTau(loss, 0.05).eps(), 1e-15);
    }

    @Test
    void hardUpdateCopiesOnTheIntervalPlusFirstStep() {
        Property.forAll("hard update interval", 10, gen -> {
            DQNLoss loss = loss(gen.intIn(0, 100), true);
            int interval = gen.intIn(0, 6);
            HardUpdate up = new HardUpdate(loss, interval);
            List<double[]> initial = values(targets(loss));
            moveOnline(loss, 0.5);
            for (int s = 1; s <= interval; s++) {
                up.step();
                List<double[]> now = values(targets(loss));
                for (int i = 0; i < now.size(); i++) assertArrayEquals(initial.get(i), now.get(i), "step " + s + " of interval " + interval + " copies nothing");
            }
            up.step();
            List<double[]> copied = values(targets(loss)), online = values(loss.parameters());
            for (int i = 0; i < copied.size(); i++) assertArrayEquals(online.get(i), copied.get(i), "step " + (interval + 1) + " copies");
            assertEquals(0, up.counter());
        });
    }

    @Test
    void initCopiesEverySourceAndAnUpdaterNeedsADelayedCopy() {
        DQNLoss loss = loss(3, true);
        TestTargets.scramble(targets(loss));
        new HardUpdate(loss, 5);
        List<double[]> t = values(targets(loss)), o = values(loss.parameters());
        for (int i = 0; i < t.size(); i++) assertArrayEquals(o.get(i), t.get(i));
        assertTrue(loss.hasUpdater());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HardUpdate(loss(4, false), 5));
        assertTrue(e.getMessage().contains("delay"), e.getMessage());
    }

    @Test
    void withoutDelayTheTargetIsAnAliasThatFollowsTheOnlineNetwork() {
        DQNLoss loss = loss(5, false);
        moveOnline(loss, 0.25);
        List<double[]> t = values(targets(loss)), o = values(loss.parameters());
        for (int i = 0; i < t.size(); i++) assertArrayEquals(o.get(i), t.get(i));
        for (Tensor x : targets(loss)) assertTrue(!x.requiresGrad());
    }

    /** Helpers for target trees. */
    static final class TestTargets {
        static void scramble(List<Tensor> targets) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                for (Tensor t : targets) t.fill_(7.0);
            }
        }
    }
}
