package org.rlgrad.engine.optim;

/**
 * The hyper-parameters of one parameter group, as an immutable value (torch keeps them as the
 * entries of a {@code param_groups} dict). Every optimiser has a learning rate, and a learning-rate
 * schedule changes only that: {@link #withLr} gives the same options with another one.
 *
 * @param <O> the implementing options type, so that {@code withLr} keeps it
 */
public interface OptimizerOptions<O extends OptimizerOptions<O>> {
    double lr();

    O withLr(double lr);

    /** torch's check on every optimiser's learning rate, with its wording. */
    static void checkLr(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("Invalid learning rate: " + lr + " (expected >= 0)");
    }
}
