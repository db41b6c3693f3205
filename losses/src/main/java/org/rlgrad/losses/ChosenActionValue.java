package org.rlgrad.losses;

import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The value of a stored action in a table of action values {@code [*B, nA]} (spec losses.md §2.1
 * step 2, shared by the DQN family): categorical actions (indices) are gathered, appending a
 * trailing axis when the action has one dim fewer than the values; every other space (one-hot,
 * multi-one-hot, binary) takes {@code Σ_last values · float(action)}.
 */
final class ChosenActionValue {
    private ChosenActionValue() {}

    /** {@code [*B]}, or {@code [*B, 1]} with {@code keepLast}. */
    static Tensor of(ActionSpace space, Tensor actionValues, Tensor action, boolean keepLast) {
        if (space == ActionSpace.CATEGORICAL) {
            Tensor idx = action.dtype() == DType.INT64 ? action : action.toLong();
            if (idx.dim() == actionValues.dim() - 1) idx = idx.unsqueeze(-1);
            Tensor v = actionValues.gather(-1, idx);
            return keepLast ? v : v.squeeze(-1);
        }
        return actionValues.mul(action.to(actionValues.dtype())).sum(-1, keepLast);
    }

    /**
     * The stored action's value under each member of an ensemble, {@code [N, *B]}, from the
     * stacked values {@code [N, *B, nA]}: a categorical index is broadcast over the members.
     */
    static Tensor ofEnsemble(ActionSpace space, Tensor actionValues, Tensor action) {
        if (space == ActionSpace.CATEGORICAL) {
            action = action.unsqueeze(0).expand(Shape.concat(new int[] {actionValues.size(0)}, action.shapeRef()));
        }
        return of(space, actionValues, action, false);
    }
}
