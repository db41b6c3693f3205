package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The TD(1) estimator module (spec estimators.md §6.1, §6.10; TorchRL's {@code TD1Estimator}):
 * {@code value_target} is the vectorised TD(1) return, the discounted sum of rewards to the end
 * of each trajectory, bootstrapped from {@code V'} at truncations and at the end of the window;
 * {@code advantage = value_target − V}.
 *
 * <p>{@code averageRewards}: as {@link TD0Estimator} (floor 1e−5, written back).
 */
public final class TD1Estimator extends ValueEstimatorBase {
    private final boolean averageRewards;

    private TD1Estimator(Builder b) {
        super(b, EstimatorKeys.standard());
        this.averageRewards = b.averageRewards;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean averageRewards() { return averageRewards; }

    @Override
    public Tensor valueEstimate(TensorDict td, TensorDict targetParams, Tensor nextValue, Integer timeDim) {
        int t = resolveTimeDim(td, timeDim);
        Tensor r = averageRewards ? standardisedReward(td, 1e-5) : reward(td);
        Tensor d = done(td);
        Tensor next = nextValue(td, targetParams, nextValue);
        EstimatorOptions options = EstimatorOptions.defaults().withTerminated(terminated(td, d)).withTimeDim(t);
        return Estimates.vecTd1Return(discount(td, r), next, r, d, options);
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

        /** The time axis as a batch dim of the input (default: the dim named "time", else the last). */
        public Builder timeDim(Integer timeDim) { this.timeDim = timeDim; return this; }

        public TD1Estimator build() { return new TD1Estimator(this); }
    }
}
