package org.rlgrad.losses;

import org.rlgrad.engine.autograd.GradMode;

/**
 * Polyak averaging of the target networks (spec losses.md §1.4; TorchRL's {@code SoftUpdate}):
 * each {@link #step()} does, for every distinct pair, {@code θ̄ ← θ̄ + (1 − eps)(θ − θ̄)} =
 * {@code eps·θ̄ + tau·θ}, in place, outside autograd. Exactly one of {@code eps} and
 * {@code tau = 1 − eps} is given; {@code eps} must lie in [0, 1] (below 0.5 only warns: the
 * target then follows the online network closely).
 */
public final class SoftUpdate extends TargetNetUpdater {
    private static final System.Logger LOG = System.getLogger(SoftUpdate.class.getName());

    private final double eps;

    private SoftUpdate(LossModule loss, double eps) {
        super(loss);
        this.eps = eps;
    }

    /** Keeps {@code eps} of the target at each step. */
    public static SoftUpdate withEps(LossModule loss, double eps) {
        return of(loss, eps, null);
    }

    /** Moves the target by {@code tau} toward the source at each step ({@code eps = 1 − tau}). */
    public static SoftUpdate withTau(LossModule loss, double tau) {
        return of(loss, null, tau);
    }

    /** TorchRL's signature: exactly one of {@code eps} and {@code tau} non-null. */
    public static SoftUpdate of(LossModule loss, Double eps, Double tau) {
        if ((eps == null) == (tau == null)) {
            throw new IllegalArgumentException("SoftUpdate: expected exactly one of eps and tau, got " + (eps == null ? "neither" : "both (eps=" + eps + ", tau=" + tau + ")"));
        }
        double e = eps != null ? eps : 1.0 - tau;
        if (!(e >= 0.0 && e <= 1.0)) {
            throw new IllegalArgumentException("SoftUpdate: eps must lie in [0, 1], got " + e + (tau != null ? " (from tau=" + tau + ")" : ""));
        }
        if (e < 0.5) LOG.log(System.Logger.Level.WARNING, () -> "SoftUpdate: eps=" + e + " < 0.5 moves the target most of the way to the online network at every step; "
                + "eps is the fraction kept (tau = 1 - eps is the step)");
        return new SoftUpdate(loss, e);
    }

    public double eps() { return eps; }

    public double tau() { return 1.0 - eps; }

    @Override
    public void step() {
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (TargetPair p : distinctPairs()) p.target().lerpInPlace(p.source().detach(), 1.0 - eps);
        }
    }
}
