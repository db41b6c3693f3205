package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;

/**
 * The functional value estimators of TorchRL's {@code torchrl.objectives.value.functional}, as
 * static functions (spec/estimators.md §3). Argument order is the reference's; the optional
 * keyword arguments (terminated, rolling_gamma, time_dim, rho_thresh, c_thresh) travel in an
 * {@link EstimatorOptions}.
 *
 * <p>Data conventions (spec §1): value, reward, done and terminated tensors share one shape
 * {@code [*B, T, *F]} with time at {@code timeDim} (default −2; a non-negative value counts from
 * the front; 1-D series need −1). done ends a trajectory (no recursion crosses it); terminated
 * (defaults to done) zeroes the next state's value; a done step that is not terminated is a
 * truncation and bootstraps from {@code V'}. The last step of a window is always a cut. Several
 * trajectories may lie end to end in one series. Flags are bool tensors; values are floating
 * point of one dtype, which is the dtype of the computation (γ and λ are never rounded).
 *
 * <p>γ and λ are {@link Coefficient}s: a number, a one-element tensor, or a per-step tensor of
 * the data's shape (laid out like the data). Every output is differentiable in the values, the
 * rewards, the log-probabilities, and in γ, λ and thresholds given as tensors.
 *
 * <p>The "vec" functions compute the same mathematics without a loop over time (trajectory
 * split + geometric filter by conv1d, or a coefficient table); they agree with the sequential
 * ones to rounding (about 1e−14 in float64), as the property tests check.
 *
 * <p>Errors name the function and the argument, and say what was expected and what came.
 */
public final class Estimates {
    private Estimates() {}

    // ------------------------------------------------------------------ TD(0)

    /**
     * TD(0) return {@code r + γ (1 − τ) V'} (spec §3.1). No time axis: any shape.
     *
     * @param gamma a number or a tensor broadcastable to the data (e.g. γ^n per sample)
     * @param terminated bool, required (the reference's deprecated {@code done} keyword maps here)
     */
    public static Tensor td0Return(Coefficient gamma, Tensor nextStateValue, Tensor reward, Tensor terminated) {
        return TdZero.returns("td0Return", gamma, nextStateValue, reward, terminated);
    }

    public static Tensor td0Return(double gamma, Tensor nextStateValue, Tensor reward, Tensor terminated) {
        return td0Return(Coefficient.of(gamma), nextStateValue, reward, terminated);
    }

    /** TD(0) advantage {@code td0Return − V} (spec §3.2); {@code terminated} null means done. */
    public static Tensor td0Advantage(Coefficient gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done,
            Tensor terminated) {
        return TdZero.advantage("td0Advantage", gamma, stateValue, nextStateValue, reward, done, terminated);
    }

    public static Tensor td0Advantage(double gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done) {
        return td0Advantage(Coefficient.of(gamma), stateValue, nextStateValue, reward, done, null);
    }

    // ------------------------------------------------------------------ TD(1)

    /**
     * TD(1) return, sequential (spec §3.3). γ: a per-step tensor of done's shape, or a single
     * value. {@code rollingGamma=false} needs a per-step γ and then uses γ_k for the whole tail
     * seen from k, with the reference's zero initial value.
     */
    public static Tensor td1Return(Coefficient gamma, Tensor nextStateValue, Tensor reward, Tensor done, EstimatorOptions options) {
        return TdOne.returns("td1Return", gamma, nextStateValue, reward, done, options);
    }

    public static Tensor td1Return(double gamma, Tensor nextStateValue, Tensor reward, Tensor done) {
        return td1Return(Coefficient.of(gamma), nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    /** TD(1) advantage {@code td1Return − V} (spec §3.4). */
    public static Tensor td1Advantage(Coefficient gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        return TdOne.advantage("td1Advantage", gamma, stateValue, nextStateValue, reward, done, options);
    }

    public static Tensor td1Advantage(double gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done) {
        return td1Advantage(Coefficient.of(gamma), stateValue, nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    /**
     * TD(1) return, vectorised: {@link #vecTdLambdaReturn} at λ = 1 (spec §3.5). Where a step is
     * terminated but not done (inconsistent input), this continues the recursion and the
     * sequential TD(1) does not (spec §1.2).
     */
    public static Tensor vecTd1Return(Coefficient gamma, Tensor nextStateValue, Tensor reward, Tensor done, EstimatorOptions options) {
        return TdLambda.vecReturns("vecTd1Return", gamma, Coefficient.of(1.0), nextStateValue, reward, done, options);
    }

    public static Tensor vecTd1Return(double gamma, Tensor nextStateValue, Tensor reward, Tensor done) {
        return vecTd1Return(Coefficient.of(gamma), nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    /** {@link #vecTd1Return} − V. */
    public static Tensor vecTd1Advantage(Coefficient gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        String fn = "vecTd1Advantage";
        checkAdvantageOperands(fn, stateValue, nextStateValue, reward, done, options);
        return TdLambda.vecReturns(fn, gamma, Coefficient.of(1.0), nextStateValue, reward, done, options).sub(stateValue);
    }

    public static Tensor vecTd1Advantage(double gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done) {
        return vecTd1Advantage(Coefficient.of(gamma), stateValue, nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    // ------------------------------------------------------------------ TD(λ)

    /**
     * TD(λ) return, sequential (spec §3.6). γ and λ: per-step tensors of done's shape or single
     * values. {@code rollingGamma=false} needs a per-step γ or λ.
     */
    public static Tensor tdLambdaReturn(Coefficient gamma, Coefficient lambda, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        return TdLambda.returns("tdLambdaReturn", gamma, lambda, nextStateValue, reward, done, options);
    }

    public static Tensor tdLambdaReturn(double gamma, double lambda, Tensor nextStateValue, Tensor reward, Tensor done) {
        return tdLambdaReturn(Coefficient.of(gamma), Coefficient.of(lambda), nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    /** TD(λ) advantage {@code tdLambdaReturn − V} (spec §3.7). */
    public static Tensor tdLambdaAdvantage(Coefficient gamma, Coefficient lambda, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        String fn = "tdLambdaAdvantage";
        checkAdvantageOperands(fn, stateValue, nextStateValue, reward, done, options);
        return TdLambda.returns(fn, gamma, lambda, nextStateValue, reward, done, options).sub(stateValue);
    }

    public static Tensor tdLambdaAdvantage(double gamma, double lambda, Tensor stateValue, Tensor nextStateValue, Tensor reward,
            Tensor done) {
        return tdLambdaAdvantage(Coefficient.of(gamma), Coefficient.of(lambda), stateValue, nextStateValue, reward, done,
                EstimatorOptions.defaults());
    }

    /**
     * TD(λ) return, vectorised (spec §3.8). Single γ and λ: trajectory split and geometric filter
     * (rollingGamma ignored, as in the reference); per-step γ or λ: coefficient table, rolling
     * only ({@code rollingGamma=false} throws {@link UnsupportedOperationException}). A per-step λ
     * is accepted (the reference rejects it; DECISIONS.md rule 4).
     */
    public static Tensor vecTdLambdaReturn(Coefficient gamma, Coefficient lambda, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        return TdLambda.vecReturns("vecTdLambdaReturn", gamma, lambda, nextStateValue, reward, done, options);
    }

    public static Tensor vecTdLambdaReturn(double gamma, double lambda, Tensor nextStateValue, Tensor reward, Tensor done) {
        return vecTdLambdaReturn(Coefficient.of(gamma), Coefficient.of(lambda), nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    /** {@link #vecTdLambdaReturn} − V. */
    public static Tensor vecTdLambdaAdvantage(Coefficient gamma, Coefficient lambda, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        String fn = "vecTdLambdaAdvantage";
        checkAdvantageOperands(fn, stateValue, nextStateValue, reward, done, options);
        return TdLambda.vecReturns(fn, gamma, lambda, nextStateValue, reward, done, options).sub(stateValue);
    }

    public static Tensor vecTdLambdaAdvantage(double gamma, double lambda, Tensor stateValue, Tensor nextStateValue, Tensor reward,
            Tensor done) {
        return vecTdLambdaAdvantage(Coefficient.of(gamma), Coefficient.of(lambda), stateValue, nextStateValue, reward, done,
                EstimatorOptions.defaults());
    }

    // ------------------------------------------------------------------ GAE

    /**
     * Generalized advantage estimate, sequential (spec §3.9): {@code (advantage, value_target)}.
     * γ and λ: numbers, one-element, per-step or broadcastable tensors. Takes no rollingGamma.
     */
    public static AdvantageAndTarget generalizedAdvantageEstimate(Coefficient gamma, Coefficient lambda, Tensor stateValue,
            Tensor nextStateValue, Tensor reward, Tensor done, EstimatorOptions options) {
        return GeneralizedAdvantageEstimate.sequential("generalizedAdvantageEstimate", gamma, lambda, stateValue, nextStateValue, reward,
                done, options);
    }

    public static AdvantageAndTarget generalizedAdvantageEstimate(double gamma, double lambda, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done) {
        return generalizedAdvantageEstimate(Coefficient.of(gamma), Coefficient.of(lambda), stateValue, nextStateValue, reward, done,
                EstimatorOptions.defaults());
    }

    /** Generalized advantage estimate, vectorised (spec §3.10); same arguments and results. */
    public static AdvantageAndTarget vecGeneralizedAdvantageEstimate(Coefficient gamma, Coefficient lambda, Tensor stateValue,
            Tensor nextStateValue, Tensor reward, Tensor done, EstimatorOptions options) {
        return GeneralizedAdvantageEstimate.vectorised("vecGeneralizedAdvantageEstimate", gamma, lambda, stateValue, nextStateValue,
                reward, done, options);
    }

    public static AdvantageAndTarget vecGeneralizedAdvantageEstimate(double gamma, double lambda, Tensor stateValue,
            Tensor nextStateValue, Tensor reward, Tensor done) {
        return vecGeneralizedAdvantageEstimate(Coefficient.of(gamma), Coefficient.of(lambda), stateValue, nextStateValue, reward, done,
                EstimatorOptions.defaults());
    }

    // ------------------------------------------------------------------ V-trace

    /**
     * V-trace (spec §3.11): {@code (advantage, vs)}. {@code logPi} is log π(a|s) under the target
     * (learned) policy, {@code logMu} under the behaviour policy; both, and terminated, broadcast
     * against the data. Options: terminated, timeDim, rhoThresh (ρ̄, default 1), cThresh (c̄,
     * default 1); the thresholds may be per-step tensors.
     */
    public static VTraceResult vtraceAdvantage(Coefficient gamma, Tensor logPi, Tensor logMu, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        return VTraceRecursion.estimate("vtraceAdvantage", gamma, logPi, logMu, stateValue, nextStateValue, reward, done, options);
    }

    public static VTraceResult vtraceAdvantage(double gamma, Tensor logPi, Tensor logMu, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done) {
        return vtraceAdvantage(Coefficient.of(gamma), logPi, logMu, stateValue, nextStateValue, reward, done, EstimatorOptions.defaults());
    }

    // ------------------------------------------------------------------ reward-to-go

    /**
     * Discounted reward-to-go inside each trajectory (spec §3.12), no bootstrap. {@code gamma} is
     * a number or a one-element tensor (required: the reference documents a default of 1 that
     * it does not have).
     */
    public static Tensor reward2go(Tensor reward, Tensor done, Coefficient gamma, int timeDim) {
        return RewardToGo.compute("reward2go", reward, done, gamma, timeDim);
    }

    public static Tensor reward2go(Tensor reward, Tensor done, double gamma) {
        return reward2go(reward, done, Coefficient.of(gamma), -2);
    }

    /** The shape check of the advantage variants: all five tensors (spec §3.4, §3.7). */
    private static void checkAdvantageOperands(String fn, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        Operands.requireFloating(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward);
        Operands.requireSameShape(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward, "done", done,
                "terminated", options.terminated());
    }
}
