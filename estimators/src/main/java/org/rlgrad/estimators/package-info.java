/**
 * Value estimators: TD(0), TD(1), TD(&lambda;), GAE, V-trace and reward-to-go, as functions over
 * explicit time-axis tensors with separate done and terminated masks (spec/estimators.md §1 to §5).
 *
 * <p>{@link org.rlgrad.estimators.Estimates} holds the fourteen functions; γ and λ are
 * {@link org.rlgrad.estimators.Coefficient}s (a number or a tensor); the optional arguments travel
 * in {@link org.rlgrad.estimators.EstimatorOptions}. Each algorithm lives in its own package-private
 * class (TdZero, TdOne, TdLambda, GeneralizedAdvantageEstimate, VTraceRecursion, RewardToGo); the
 * vectorised paths share {@code DiscountedSums}, one linear-recurrence scan of the engine.
 */
package org.rlgrad.estimators;
