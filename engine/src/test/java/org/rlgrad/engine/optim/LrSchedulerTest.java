package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** The schedules against their learning rates worked by hand from torch's documented closed forms. */
class LrSchedulerTest {
    private static SGD sgd(double lr) {
        return new SGD(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), lr);
    }

    /** The first group's rate right after construction and after each of {@code expected.length - 1} steps. */
    private static void assertRates(double[] expected, SGD opt, LrScheduler s) {
        double[] got = new double[expected.length];
        for (int e = 0; e < expected.length; e++) {
            if (e > 0) s.step();
            got[e] = opt.paramGroups().get(0).lr();
            assertEquals(got[e], s.lastLr().get(0), 0);
        }
        assertArrayEquals(expected, got, 1e-15);
    }

    @Test
    void stepLrHalvesEveryThreeEpochs() {
        SGD opt = sgd(1);
        assertRates(new double[] {1, 1, 1, 0.5, 0.5, 0.5, 0.25}, opt, new StepLR(opt, 3, 0.5));
    }

    @Test
    void multiStepLrDecaysAtEachMilestoneCountingRepeats() {
        SGD opt = sgd(1);
        // Milestones 2, 4, 4: ×0.5 at epoch 2, ×0.25 at epoch 4.
        assertRates(new double[] {1, 1, 0.5, 0.5, 0.125, 0.125}, opt, new MultiStepLR(opt, new int[] {4, 2, 4}, 0.5));
    }

    @Test
    void exponentialLrIsBaseTimesGammaToTheEpoch() {
        SGD opt = sgd(2);
        assertRates(new double[] {2, 1, 0.5, 0.25}, opt, new ExponentialLR(opt, 0.5));
    }

    @Test
    void cosineAnnealingFallsToEtaMinAtTMaxAndRisesAfter() {
        SGD opt = sgd(1);
        // T_max = 2, η_min = 0: (1 + cos(π e / 2)) / 2 = 1, 1/2, 0, 1/2, 1.
        assertRates(new double[] {1, 0.5, 0, 0.5, 1}, opt, new CosineAnnealingLR(opt, 2));
        SGD opt2 = sgd(1);
        // η_min = 0.2: 0.2 + 0.8 (1 + cos(π e / 4)) / 2 at e = 2 is 0.6.
        CosineAnnealingLR s = new CosineAnnealingLR(opt2, 4, 0.2);
        s.step();
        s.step();
        assertEquals(0.6, opt2.paramGroups().get(0).lr(), 1e-15);
    }

    @Test
    void linearLrWarmsUpThenHolds() {
        SGD opt = sgd(1);
        // 0.25 + 0.5 min(e, 4) / 4.
        assertRates(new double[] {0.25, 0.375, 0.5, 0.625, 0.75, 0.75, 0.75}, opt, new LinearLR(opt, 0.25, 0.75, 4));
        SGD opt2 = sgd(3);
        // torch's defaults: from 1/3 to 1 over 5 epochs, of base 3: 1, 1.4, 1.8, 2.2, 2.6, 3, 3.
        assertRates(new double[] {1, 1.4, 1.8, 2.2, 2.6, 3, 3}, opt2, new LinearLR(opt2));
    }

    @Test
    void lambdaLrUsesOneMultiplierPerGroup() {
        SGD opt = sgd(1);
        opt.addParamGroup(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), new SGD.Options(10));
        LambdaLR s = new LambdaLR(opt, List.of(e -> e + 1, e -> 1.0 / (1 << e)));
        s.step();
        s.step();
        assertEquals(List.of(3.0, 2.5), s.lastLr());
        assertEquals(List.of(1.0, 10.0), s.baseLrs());
        assertEquals(2, s.lastEpoch());
        assertThrows(IllegalArgumentException.class, () -> new LambdaLR(opt, List.of(e -> 1)));
    }

    @Test
    void aSecondScheduleStartsFromTheGroupsInitialRate() {
        SGD opt = sgd(1);
        new StepLR(opt, 1, 0.5).step(); // rate now 0.5; the group's initial rate stays 1
        assertEquals(0.5, opt.paramGroups().get(0).lr(), 0);
        ExponentialLR second = new ExponentialLR(opt, 0.1);
        assertEquals(List.of(1.0), second.baseLrs());
        assertEquals(1, opt.paramGroups().get(0).initialLr(), 0);
    }

    @Test
    void scheduledRatesDriveTheOptimizersSteps() {
        Tensor p = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        SGD opt = new SGD(List.of(p), 1);
        StepLR s = new StepLR(opt, 1, 0.5);
        for (int e = 0; e < 3; e++) {
            p.setGrad(Tensor.of(DType.FLOAT64, new double[] {-1}, 1));
            opt.step();
            s.step();
        }
        assertEquals(1 + 0.5 + 0.25, p.item(), 1e-15);
    }

    @Test
    void badArgumentsAreRejected() {
        SGD opt = sgd(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LinearLR(opt, 0, 1, 5)).getMessage().contains("starting"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LinearLR(opt, 0.5, 1.5, 5)).getMessage().contains("ending"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 0)).getMessage().contains("step size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 0)).getMessage().contains("T_max"));
    }
}
