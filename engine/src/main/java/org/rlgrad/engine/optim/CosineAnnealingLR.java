package org.rlgrad.engine.optim;

/**
 * torch's {@code CosineAnnealingLR} (the annealing half of SGDR, Loshchilov and Hutter, 2017,
 * without restarts): {@code lr(e) = η_min + (base - η_min) (1 + cos(π e / T_max)) / 2}, falling
 * from the base rate at epoch 0 to η_min at {@code T_max}, and (as torch's does, past T_max) rising
 * again along the same cosine.
 */
public final class CosineAnnealingLR extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer<?> optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) throw new IllegalArgumentException("CosineAnnealingLR: T_max must be >= 1, got " + tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
