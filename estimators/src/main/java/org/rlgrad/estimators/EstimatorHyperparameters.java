package org.rlgrad.estimators;

/**
 * The hyper-parameters a loss passes when it builds its value estimator (spec estimators.md
 * §6.11; TorchRL's {@code default_value_kwargs} merged with the user's): immutable, changed by
 * the {@code with...} methods, which return a new object.
 *
 * @param gamma the discount γ
 * @param lambda the trace decay λ; null for the estimators that take none (TD(0), TD(1), V-trace)
 * @param differentiable whether the estimator records gradients
 */
public record EstimatorHyperparameters(double gamma, Double lambda, boolean differentiable) {
    public EstimatorHyperparameters withGamma(double gamma) {
        return new EstimatorHyperparameters(gamma, lambda, differentiable);
    }

    public EstimatorHyperparameters withLambda(double lambda) {
        return new EstimatorHyperparameters(gamma, lambda, differentiable);
    }

    public EstimatorHyperparameters withDifferentiable(boolean differentiable) {
        return new EstimatorHyperparameters(gamma, lambda, differentiable);
    }
}
