package org.rlgrad.estimators;

import java.util.Arrays;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Discounted reward-to-go inside each trajectory, {@code R_t = Σ_{k=t}^{e(t)} γ^{k−t} r_k} with
 * {@code e(t)} the first done step at or after t (or the last step); no bootstrap, and
 * terminated plays no role (spec estimators.md §3.12). Vectorised: one linear-recurrence scan
 * with decay γ inside trajectories, exact at γ = 0 (the result is r, where the reference crashes).
 * γ is read as a value: no gradient flows into a one-element γ tensor.
 */
final class RewardToGo {
    private RewardToGo() {}

    static Tensor compute(String fn, Tensor reward, Tensor done, Coefficient gamma, int timeDim) {
        Operands.requireFloating(fn, "reward", reward);
        Operands.requireBool(fn, "done", done);
        if (!Arrays.equals(reward.shapeRef(), done.shapeRef())) {
            throw new IllegalArgumentException(fn + ": reward and done must share the same shape, got "
                    + Shape.format(reward.shapeRef()) + " and " + Shape.format(done.shapeRef()));
        }
        Tensor g = Operands.single(fn, "gamma", gamma, reward);
        if (g == null) {
            throw new IllegalArgumentException(fn + ": gamma must be a number or a one-element tensor, got a tensor of shape "
                    + Shape.format(((Coefficient.OfTensor) gamma).tensor().shapeRef()));
        }
        TimeAxis axis = TimeAxis.of(fn, timeDim, reward);
        // γ is a constant here: the reference reads a one-element tensor as its value (spec
        // §3.12), so no gradient flows into it and the vectors record a zero one.
        return axis.restore(DiscountedSums.geometric(fn, axis.canonical(reward), Operands.not(axis.canonical(done), reward.dtype()), g.detach()));
    }
}
