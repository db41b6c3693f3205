package org.rlgrad.engine.optim;

/**
 * torch's {@code StepLR}: the rate decays by γ every {@code stepSize} epochs,
 * {@code lr(e) = base · γ^floor(e / stepSize)}.
 */
public final class StepLR extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer<?> optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer<?> optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) throw new IllegalArgumentException("StepLR: step size must be >= 1, got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }
}
