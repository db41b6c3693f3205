package org.rlgrad.engine.optim;

/**
 * torch's {@code LinearLR}, a linear warm-up (or decay) of the rate's multiplier from
 * {@code startFactor} to {@code endFactor} over {@code totalIters} epochs, then constant:
 * {@code lr(e) = base · (s + (t - s) min(e, N) / N)}. torch's defaults: s = 1/3, t = 1, N = 5.
 */
public final class LinearLR extends LrScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer<?> optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    public LinearLR(Optimizer<?> optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        // torch.optim.lr_scheduler.LinearLR's checks.
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: starting multiplicative factor expected to be greater than 0 and less or equal to 1, got "
                    + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: ending multiplicative factor expected to be between 0 and 1, got " + endFactor);
        }
        if (totalIters < 1) throw new IllegalArgumentException("LinearLR: total iterations must be >= 1, got " + totalIters);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }
}
