package org.rlgrad.losses;

import java.util.List;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.estimators.Coefficient;

/**
 * The weights Dreamer's actor and value losses put on the steps of an imagined trajectory
 * (spec losses.md §2.22, {@code discount_loss}): {@code w_t = Π_{i<t} γ_i}, so {@code w_0 = 1}
 * and, for one γ, {@code w_t = γ^t}; a step t of the horizon counts as much as the return it
 * contributes to from the start state. Time is axis −2 of {@code [*B, H, 1]}, as in the
 * reference's {@code cumprod(dim=-2)}.
 */
final class ImaginationDiscount {
    private ImaginationDiscount() {}

    /** The weights for {@code like}'s shape, from one γ (kept in {@code like}'s dtype, never rounded). */
    static Tensor weights(double gamma, Tensor like) {
        return cumulative(Tensor.fullLike(like, gamma), like);
    }

    /** The weights from an estimator's γ: a number, or a tensor broadcast to {@code like}'s shape (per step when it has it). */
    static Tensor weights(Coefficient gamma, Tensor like) {
        return switch (gamma) {
            case Coefficient.Number n -> weights(n.value(), like);
            case Coefficient.OfTensor t -> cumulative(t.tensor().to(like.device()).to(like.dtype()).expand(like.shapeRef()), like);
        };
    }

    /** {@code [1, γ_0, γ_0 γ_1, ...]} along axis −2: the γ of each step shifted one step later, then a cumulative product. */
    private static Tensor cumulative(Tensor gamma, Tensor like) {
        int h = like.size(-2);
        Tensor first = Tensor.onesLike(like.narrow(-2, 0, 1));
        Tensor shifted = h == 1 ? first : Tensor.cat(List.of(first, gamma.narrow(-2, 0, h - 1)), -2);
        return shifted.cumprod(-2);
    }
}
