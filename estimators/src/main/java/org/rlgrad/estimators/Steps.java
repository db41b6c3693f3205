package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;

/** Step access for the sequential recursions over {@code [*B, T, F]}. */
final class Steps {
    private Steps() {}

    /** Step t of a per-step tensor, or the tensor itself when it is a single value (rank 0). */
    static Tensor at(Tensor perStepOrSingle, int t) {
        return perStepOrSingle.dim() == 0 ? perStepOrSingle : perStepOrSingle.select(-2, t);
    }
}
