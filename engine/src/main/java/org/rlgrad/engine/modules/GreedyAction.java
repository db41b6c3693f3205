package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;

/**
 * The greedy action of action values {@code q [..., actions]} and its value, per action space
 * (spec engine.md 3.10), shared by the plain and the distributional Q-value modules.
 */
final class GreedyAction {
    private GreedyAction() {}

    /**
     * One-hot: {@code (q == max q)} as int64, so ties give several ones (TorchRL's rule);
     * categorical: the first index of the maximum; mult-one-hot: the one-hot rule per block of
     * {@code varNums} entries, concatenated.
     */
    static Tensor of(ActionSpace space, Tensor q, int[] varNums, String who) {
        return switch (space) {
            case ONE_HOT -> oneHot(q);
            case CATEGORICAL -> q.argmax(-1, false);
            case MULT_ONE_HOT -> {
                List<Tensor> blocks = new ArrayList<>();
                for (Tensor block : q.split(varNums, -1)) blocks.add(oneHot(block));
                yield Tensor.cat(blocks, -1);
            }
            case BINARY -> throw new UnsupportedOperationException(who + ": the binary action space is not implemented (as in the reference); "
                    + "use one_hot, mult_one_hot or categorical");
        };
    }

    private static Tensor oneHot(Tensor q) {
        return q.eq(q.amax(new int[] {-1}, true)).toLong();
    }

    /** Categorical: {@code q.gather(-1, action.unsqueeze(-1))}; otherwise {@code Σ action · q} over the last dim, kept as {@code [..., 1]}. */
    static Tensor chosenValue(ActionSpace space, Tensor q, Tensor action) {
        if (space == ActionSpace.CATEGORICAL) return q.gather(-1, action.unsqueeze(-1));
        return action.to(q.dtype()).mul(q).sum(-1, true);
    }

    /** Checks {@code varNums} against the action dim for mult-one-hot. */
    static void checkVarNums(ActionSpace space, int[] varNums, Tensor q, String who) {
        if (space != ActionSpace.MULT_ONE_HOT) return;
        int total = 0;
        for (int v : varNums) total += v;
        if (q.size(-1) != total) {
            throw new IllegalArgumentException(who + ": mult_one_hot varNums " + Arrays.toString(varNums) + " sum to " + total + ", but the action values have "
                    + q.size(-1) + " entries on their last dim (shape " + Shape.format(q.shapeRef()) + ")");
        }
    }

    /** Masked-out action values replaced by the dtype's most negative finite value, so they are never the greedy choice. */
    static Tensor masked(Tensor q, Tensor mask, String who) {
        if (mask.dtype() != org.rlgrad.engine.tensor.DType.BOOL) {
            throw new IllegalArgumentException(who + ": the action mask must be bool, got " + mask.dtype() + " of shape " + Shape.format(mask.shapeRef()));
        }
        return Tensor.where(mask.to(q.device()), q, q.dtype().minValue());
    }

    /** A Q-value module's inputs: the action values, then the action mask when one is configured. */
    static List<Key> inKeys(Key actionValueKey, Key actionMaskKey) {
        return actionMaskKey == null ? List.of(actionValueKey) : List.of(actionValueKey, actionMaskKey);
    }
}
