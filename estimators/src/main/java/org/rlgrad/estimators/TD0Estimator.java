package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The TD(0) estimator module (spec estimators.md §6.1, §6.10; TorchRL's {@code TD0Estimator}):
 * {@code value_target = r + γ (1 − τ) V'}, {@code advantage = value_target − V}. It has no time
 * axis: any batch shape works, and done is read only as terminated's fallback.
 *
 * <p>{@code averageRewards}: rewards standardised over all elements,
 * {@code (r − mean r) / max(std r, 1e−5)} (unbiased std), before the estimate; the standardised
 * rewards are written back to {@code ("next", reward)}.
 */
public final class TD0Estimator extends ValueEstimatorBase {
    private final boolean averageRewards;

    private TD0Estimator(Builder b) {
        super(b, EstimatorKeys.standard());
        this.averageRewards = b.averageRewards;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean averageRewards() { return averageRewards; }

    @Override
    public Tensor valueEstimate(TensorDict td, TensorDict targetParams, Tensor nextValue, Integer timeDim) {
        Tensor r = averageRewards ? standardisedReward(td, 1e-5) : reward(td);
        Tensor next = nextValue(td, targetParams, nextValue);
        return Estimates.td0Return(discount(td, r), next, r, terminatedOrDone(td));
    }

    @Override
    protected AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim) {
        Tensor target = valueEstimate(td, null, nextValue, timeDim);
        return new AdvantageAndTarget(target.sub(value), target);
    }

    public static final class Builder extends ValueEstimatorBase.Builder<Builder> {
        private boolean averageRewards;

        private Builder() {}

        @Override
        protected Builder self() { return this; }

        /** Standardise the rewards before estimating (default false). */
        public Builder averageRewards(boolean averageRewards) { this.averageRewards = averageRewards; return this; }

        public TD0Estimator build() { return new TD0Estimator(this); }
    }
}
