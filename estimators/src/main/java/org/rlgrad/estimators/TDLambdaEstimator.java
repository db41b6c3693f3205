package org.rlgrad.estimators;

import java.util.Objects;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The TD(λ) estimator module (spec estimators.md §6.1, §6.10; TorchRL's
 * {@code TDLambdaEstimator}): {@code value_target} is the λ-return
 * {@code G_t = r_t + γ nτ_t ((1 − λ) V'_t + λ G_{t+1})} inside each trajectory (vectorised by
 * default, else the sequential recursion; both rolling), {@code advantage = value_target − V}.
 *
 * <p>{@code averageRewards}: rewards standardised with the floor 1e−4 and written back to
 * {@code ("next", reward)}. (The reference writes them to the wrong key, so there the option has
 * no effect, spec §8 item 7; rlgrad makes it work, DECISIONS.md rule 4.)
 */
public final class TDLambdaEstimator extends ValueEstimatorBase {
    private final Coefficient lambda;
    private final boolean averageRewards;
    private final boolean vectorized;

    private TDLambdaEstimator(Builder b) {
        super(b, EstimatorKeys.standard());
        if (b.lambda == null) throw new IllegalArgumentException("TDLambdaEstimator: lmbda is required (the trace decay λ), got none");
        this.lambda = b.lambda;
        this.averageRewards = b.averageRewards;
        this.vectorized = b.vectorized;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Coefficient lambda() { return lambda; }

    public boolean averageRewards() { return averageRewards; }

    public boolean vectorized() { return vectorized; }

    @Override
    public Tensor valueEstimate(TensorDict td, TensorDict targetParams, Tensor nextValue, Integer timeDim) {
        int t = resolveTimeDim(td, timeDim);
        Tensor r = averageRewards ? standardisedReward(td, 1e-4) : reward(td);
        Tensor d = done(td);
        Tensor next = nextValue(td, targetParams, nextValue);
        EstimatorOptions options = EstimatorOptions.defaults().withTerminated(terminated(td, d)).withTimeDim(t);
        Coefficient g = discount(td, r), l = onDeviceOf(lambda, r);
        return vectorized ? Estimates.vecTdLambdaReturn(g, l, next, r, d, options) : Estimates.tdLambdaReturn(g, l, next, r, d, options);
    }

    @Override
    protected AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim) {
        Tensor target = valueEstimate(td, null, nextValue, timeDim);
        return new AdvantageAndTarget(target.sub(value), target);
    }

    public static final class Builder extends ValueEstimatorBase.Builder<Builder> {
        private Coefficient lambda;
        private boolean averageRewards;
        private boolean vectorized = true;

        private Builder() {}

        @Override
        protected Builder self() { return this; }

        /** The trace decay λ (required; the reference calls it {@code lmbda}). */
        public Builder lambda(double lambda) { this.lambda = Coefficient.of(lambda); return this; }

        public Builder lambda(Tensor lambda) { this.lambda = Coefficient.of(Objects.requireNonNull(lambda, "lambda")); return this; }

        /** Standardise the rewards before estimating (default false). */
        public Builder averageRewards(boolean averageRewards) { this.averageRewards = averageRewards; return this; }

        /** The vectorised λ-return (default) or the sequential recursion. */
        public Builder vectorized(boolean vectorized) { this.vectorized = vectorized; return this; }

        /** The time axis as a batch dim of the input (default: the dim named "time", else the last). */
        public Builder timeDim(Integer timeDim) { this.timeDim = timeDim; return this; }

        public TDLambdaEstimator build() { return new TDLambdaEstimator(this); }
    }
}
