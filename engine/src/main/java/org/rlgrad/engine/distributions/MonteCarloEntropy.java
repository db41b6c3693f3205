package org.rlgrad.engine.distributions;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Entropy by Monte Carlo, {@code H ≈ −(1/n) Σ log p(x_i)} over n draws, where a distribution has
 * no usable closed form (spec/engine.md sections 4.9 and 4.11).
 *
 * <p>Draws made with {@code rsample} keep the estimate differentiable along the draw; with
 * {@code sample} it is differentiable only through {@code log p} (the score, without its
 * expectation's other half), which is what TorchRL's PPO accepts for distributions that cannot
 * reparameterise.
 */
public final class MonteCarloEntropy {
    private MonteCarloEntropy() {}

    /**
     * {@code −mean log p(x)} over {@code samples} draws, of the batch shape. With
     * {@code reparameterised} the draws come from the joint {@code rsampleAndLogProb} (an error if
     * the distribution has none), else from {@code sampleAndLogProb}.
     */
    public static Tensor estimate(Distribution d, RandomSource random, int samples, boolean reparameterised) {
        if (samples < 1) throw new IllegalArgumentException("MonteCarloEntropy: expected at least one draw, got " + samples);
        SampleAndLogProb draw = reparameterised ? d.rsampleAndLogProb(random, samples) : d.sampleAndLogProb(random, samples);
        return draw.logProb().mean(0).neg();
    }

    /**
     * The entropy as TorchRL's PPO takes it: the closed form, unless the distribution has none or
     * it is not finite everywhere; then the Monte-Carlo estimate, reparameterised when
     * {@link Distribution#hasRsample()} says so.
     */
    public static Tensor closedFormOrEstimate(Distribution d, RandomSource random, int samples) {
        try {
            Tensor h = d.entropy();
            if (h.isFinite().all().item() != 0) return h;
        } catch (UnsupportedOperationException noClosedForm) {
            // fall through to the estimate
        }
        return estimate(d, random, samples, d.hasRsample());
    }
}
