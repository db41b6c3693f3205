package org.rlgrad.estimators;

import java.util.Objects;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The generalized advantage estimator module (Schulman et al. 2016; spec estimators.md §6.1,
 * §6.10; TorchRL's {@code GAE}): {@code advantage = Σ_k (γλ)^k δ_{t+k}} inside each trajectory
 * with {@code δ_t = r_t + γ nτ_t V'_t − V_t}, and {@code value_target = advantage + V}.
 *
 * <ul>
 *   <li>{@code vectorized}: true runs the vectorised function; false or null (the default) the
 *       sequential one, as the reference does (spec §8 item 8). The two agree to rounding.</li>
 *   <li>{@code averageGae}: the advantage standardised, {@code (A − mean A) / max(std A, 1e−4)}
 *       (unbiased std), after the value target is computed.</li>
 *   <li>{@code autoResetEnv}: for environments that reset themselves, so that the next state of
 *       a truncated step is not available: where {@code ("next", "truncated")} is set,
 *       {@code r ← r + γ V · truncated} (the current state's value stands in for the next one)
 *       and every done counts as terminal.</li>
 * </ul>
 */
public class GAE extends ValueEstimatorBase {
    static final Key TRUNCATED = Key.of("next", "truncated");

    private final Coefficient lambda;
    private final boolean averageGae;
    private final Boolean vectorized;
    private final boolean autoResetEnv;

    GAE(Builder<?> b) {
        super(b, EstimatorKeys.standard());
        if (b.lambda == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": lmbda is required (the trace decay λ), got none");
        this.lambda = b.lambda;
        this.averageGae = b.averageGae;
        this.vectorized = b.vectorized;
        this.autoResetEnv = b.autoResetEnv;
    }

    public static Plain builder() {
        return new Plain();
    }

    public Coefficient lambda() { return lambda; }

    public boolean averageGae() { return averageGae; }

    /** As given; null means the sequential function. */
    public Boolean vectorized() { return vectorized; }

    public boolean autoResetEnv() { return autoResetEnv; }

    /**
     * The value target {@code A + V} by the vectorised GAE (spec §6.4). {@code V} comes from the
     * network on the current state (parameters held out) or from {@code value}; {@code V'} as in
     * {@link ValueEstimatorBase#valueEstimate(TensorDict, TensorDict, Tensor, Integer)}.
     */
    @Override
    public Tensor valueEstimate(TensorDict td, TensorDict targetParams, Tensor nextValue, Integer timeDim) {
        int t = resolveTimeDim(td, timeDim);
        Tensor value = currentValue(td);
        Tensor next = nextValue(td, targetParams, nextValue);
        return advantageAndTarget(td, value, next, t, true).valueTarget();
    }

    @Override
    protected AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim) {
        return estimate(td, value, nextValue, timeDim, null);
    }

    /** With a validity mask (the {@code shifted} mode), {@code average_gae} takes its statistics over the valid entries only. */
    @Override
    protected AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim, Tensor valid) {
        AdvantageAndTarget out = advantageAndTarget(td, value, nextValue, timeDim, Boolean.TRUE.equals(vectorized));
        if (!averageGae) return out;
        Tensor advantage = valid == null ? standardise(out.advantage()) : standardise(out.advantage(), ShiftedSlots.aligned(valid, out.advantage()));
        return new AdvantageAndTarget(advantage, out.valueTarget());
    }

    private AdvantageAndTarget advantageAndTarget(TensorDict td, Tensor value, Tensor nextValue, int timeDim, boolean vectorised) {
        Tensor r = reward(td);
        Coefficient g = discount(td, r), l = onDeviceOf(lambda, r);
        r = teamSignal(r, value, "reward");
        Tensor d = teamSignal(done(td), value, "done");
        Tensor tau = teamSignal(terminated(td, done(td)), value, "terminated");
        if (autoResetEnv) {
            Tensor truncated = teamSignal(td.get(TRUNCATED), value, "truncated");
            r = r.add(times(g, value.mul(truncated.to(value.dtype()))));
            tau = d;
        }
        EstimatorOptions options = EstimatorOptions.defaults().withTerminated(tau).withTimeDim(timeDim);
        return vectorised ? Estimates.vecGeneralizedAdvantageEstimate(g, l, value, nextValue, r, d, options)
                : Estimates.generalizedAdvantageEstimate(g, l, value, nextValue, r, d, options);
    }

    /** A reward or flag as the estimate uses it; the multi-agent estimator broadcasts team signals to the agents. */
    protected Tensor teamSignal(Tensor signal, Tensor value, String name) {
        return signal;
    }

    /** The {@code average_gae} standardisation, over all elements. */
    protected Tensor standardise(Tensor advantage) {
        return Standardise.all(advantage, 1e-4);
    }

    /**
     * The {@code average_gae} standardisation over the entries {@code valid} marks (broadcast
     * against the advantage): masked mean and masked biased std, as the reference does (spec
     * §6.10, §8 item 11).
     */
    protected Tensor standardise(Tensor advantage, Tensor valid) {
        return Standardise.masked(advantage, valid, null, 1e-4);
    }

    /** The options of GAE (spec §6.2); {@code B} is the concrete builder. */
    public abstract static class Builder<B extends Builder<B>> extends ValueEstimatorBase.Builder<B> {
        Coefficient lambda;
        boolean averageGae;
        Boolean vectorized;
        boolean autoResetEnv;

        Builder() {}

        /** The trace decay λ (required; the reference calls it {@code lmbda}). */
        public B lambda(double lambda) { this.lambda = Coefficient.of(lambda); return self(); }

        public B lambda(Tensor lambda) { this.lambda = Coefficient.of(Objects.requireNonNull(lambda, "lambda")); return self(); }

        /** Standardise the advantage (default false). */
        public B averageGae(boolean averageGae) { this.averageGae = averageGae; return self(); }

        /** True: the vectorised function; false or null (default): the sequential one. */
        public B vectorized(Boolean vectorized) { this.vectorized = vectorized; return self(); }

        /** See the class comment (default false). */
        public B autoResetEnv(boolean autoResetEnv) { this.autoResetEnv = autoResetEnv; return self(); }

        /** The time axis as a batch dim of the input (default: the dim named "time", else the last). */
        public B timeDim(Integer timeDim) { this.timeDim = timeDim; return self(); }
    }

    /** The builder of {@link GAE} itself. */
    public static final class Plain extends Builder<Plain> {
        private Plain() {}

        @Override
        protected Plain self() { return this; }

        public GAE build() { return new GAE(this); }
    }
}
