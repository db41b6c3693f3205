package org.rlgrad.losses;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The entropy temperature α of the SAC family (spec losses.md §1.10), shared by SAC, discrete SAC,
 * REDQ, CrossQ, CQL and online DT.
 *
 * <p>{@code log_alpha = ln(alpha_init)} is a trainable scalar, or a constant when {@code fixed}
 * (the alpha loss is then still computed, without gradient). Bounds {@code min_alpha} /
 * {@code max_alpha}: when exactly one is given (0 counts as absent, as in the reference), the other
 * defaults to {@code 0} (no lower clamp) or {@code 1e9}; {@code max_alpha = 0} is an error. They are
 * kept as {@code min_log_alpha = ln(min)} and {@code max_log_alpha = ln(max)}.
 *
 * <p>Reading α: {@link #alpha()} clamps the stored {@code log_alpha} in place to the bounds (when
 * there are any) and returns {@code exp(log_alpha)}, detached — the reference's behaviour for SAC,
 * discrete SAC, CrossQ, CQL and online DT. REDQ uses {@link #clampedAlpha()}, which clamps a copy.
 */
public final class EntropyTemperature {
    private final Tensor logAlpha;
    private final boolean fixed;
    private final Double minLogAlpha;
    private final Double maxLogAlpha;

    /**
     * @param alphaInit the initial α (positive)
     * @param minAlpha  the lower bound, or null
     * @param maxAlpha  the upper bound, or null
     * @param fixed     whether α stays constant (no gradient for {@code log_alpha})
     * @param dtype     the dtype of {@code log_alpha} (the networks')
     */
    public EntropyTemperature(double alphaInit, Double minAlpha, Double maxAlpha, boolean fixed, DType dtype) {
        if (!(alphaInit > 0) || !Double.isFinite(alphaInit)) {
            throw new IllegalArgumentException("alpha_init must be a positive finite number, got " + alphaInit);
        }
        boolean hasMin = minAlpha != null && minAlpha != 0.0, hasMax = maxAlpha != null && maxAlpha != 0.0;
        if (maxAlpha != null && maxAlpha == 0.0) throw new IllegalArgumentException("max_alpha must be positive, got 0");
        if (minAlpha != null && minAlpha < 0) throw new IllegalArgumentException("min_alpha must not be negative, got " + minAlpha);
        if (hasMin || hasMax) {
            double lo = hasMin ? minAlpha : 0.0, hi = hasMax ? maxAlpha : 1e9;
            if (lo > hi) throw new IllegalArgumentException("min_alpha (" + lo + ") must not exceed max_alpha (" + hi + ")");
            this.minLogAlpha = Math.log(lo);
            this.maxLogAlpha = Math.log(hi);
        } else {
            this.minLogAlpha = null;
            this.maxLogAlpha = null;
        }
        this.fixed = fixed;
        this.logAlpha = Tensor.scalar(Math.log(alphaInit), Objects.requireNonNull(dtype, "dtype")).requiresGrad(!fixed);
    }

    /** The stored {@code log_alpha}: a trainable leaf unless {@link #fixed()}. */
    public Tensor logAlpha() { return logAlpha; }

    public boolean fixed() { return fixed; }

    /** Whether α is clamped (a bound was given). */
    public boolean bounded() { return minLogAlpha != null; }

    /** {@code ln(min_alpha)} ({@code -inf} for a missing lower bound), or null when unbounded. */
    public Double minLogAlpha() { return minLogAlpha; }

    /** {@code ln(max_alpha)}, or null when unbounded. */
    public Double maxLogAlpha() { return maxLogAlpha; }

    /** α after clamping the stored {@code log_alpha} in place to the bounds (spec §1.10); detached. */
    public Tensor alpha() {
        try (GradMode.Scope g = GradMode.noGrad()) {
            if (bounded()) logAlpha.copy_(logAlpha.detach().clamp(minLogAlpha, maxLogAlpha));
            return logAlpha.detach().exp();
        }
    }

    /** α from a clamped copy of {@code log_alpha}, which is left as it is (REDQ); detached. */
    public Tensor clampedAlpha() {
        try (GradMode.Scope g = GradMode.noGrad()) {
            return clampedCopy().exp();
        }
    }

    /** {@code sg(clamp(log_alpha))} (no clamp when unbounded); the stored tensor is not changed. */
    private Tensor clampedCopy() {
        Tensor l = logAlpha.detach();
        return bounded() ? l.clamp(minLogAlpha, maxLogAlpha) : l;
    }

    /**
     * {@code ste(log_alpha) = log_alpha − sg(log_alpha) + sg(clamp(log_alpha))}: the clamped value
     * with the identity's gradient (REDQ's alpha loss, spec §2.6).
     */
    Tensor straightThroughClampedLogAlpha() {
        return logAlpha.sub(logAlpha.detach()).add(clampedCopy());
    }

    /**
     * The per-element alpha loss of the SAC family (spec §1.10), {@code −log_alpha · (logProb + H̄)},
     * before the reduction; {@code logProb} is expected detached.
     */
    Tensor lossElements(Tensor logProb, double targetEntropy) {
        return logAlpha.neg().mul(logProb.add(targetEntropy));
    }

    /** {@code [log_alpha]} when it is trained, else empty: what a loss adds to its {@code parameters()}. */
    List<Tensor> trainableTensors() {
        return fixed ? List.of() : List.of(logAlpha);
    }

    /**
     * The automatic target entropy of a continuous action (spec §1.10): minus the number of scalar
     * action components per sample, i.e. minus the product of {@code actionShape} (the action
     * spec's shape without the batch dims).
     */
    public static double autoTargetEntropy(int... actionShape) {
        long n = 1;
        for (int d : actionShape) n *= d;
        return -n;
    }

    /**
     * {@link #autoTargetEntropy(int...)} read off the data when no action spec was given: the shape
     * of {@code action} after its first {@code batchDims} dims (rlgrad's choice; the reference asks
     * for a spec).
     */
    public static double autoTargetEntropy(Tensor action, int batchDims) {
        int[] shape = action.shapeRef();
        if (batchDims > shape.length) throw new IllegalArgumentException("target_entropy=auto: the action has " + shape.length + " dims, fewer than the "
                + batchDims + " batch dims");
        return autoTargetEntropy(java.util.Arrays.copyOfRange(shape, batchDims, shape.length));
    }

    /** Overwrites {@code log_alpha} in place with {@code ln(alpha)} (a schedulable scalar, spec §1.7). */
    public void setAlpha(double alpha) {
        if (!(alpha > 0)) throw new IllegalArgumentException("alpha must be positive, got " + alpha);
        try (GradMode.Scope g = GradMode.noGrad()) {
            logAlpha.fill_(Math.log(alpha));
        }
    }
}
