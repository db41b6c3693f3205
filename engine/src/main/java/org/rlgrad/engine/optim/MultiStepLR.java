package org.rlgrad.engine.optim;

import java.util.Arrays;

/**
 * torch's {@code MultiStepLR}: the rate decays by γ at each milestone epoch,
 * {@code lr(e) = base · γ^(number of milestones <= e)} (a milestone listed twice counts twice, as
 * torch's {@code bisect_right} over the sorted list does).
 */
public final class MultiStepLR extends LrScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer<?> optimizer, int[] milestones) {
        this(optimizer, milestones, 0.1);
    }

    public MultiStepLR(Optimizer<?> optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        int passed = 0;
        for (int m : milestones) if (m <= epoch) passed++;
        return baseLr * Math.pow(gamma, passed);
    }
}
