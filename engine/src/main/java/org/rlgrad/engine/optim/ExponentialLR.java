package org.rlgrad.engine.optim;

/** torch's {@code ExponentialLR}: {@code lr(e) = base · γ^e}. */
public final class ExponentialLR extends LrScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer<?> optimizer, double gamma) {
        super(optimizer);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, epoch);
    }
}
