package org.rlgrad.losses;

import java.util.Arrays;
import java.util.Objects;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A bounded action spec as the TD3 losses read it (spec losses.md §2.15; TorchRL's
 * {@code Bounded} spec, or the action leaf of a composite one): the element-wise box
 * {@code [low, high]} of the action, and how many leading dims belong to the container (e.g. the
 * agents of a multi-agent spec). The losses use the box of the first element along those
 * container dims, as the reference does. rlgrad's engine has no spec classes; this record is the
 * part of one that a loss needs.
 *
 * @param low           the lower bound of every action component
 * @param high          the upper bound, same shape as {@code low}
 * @param containerDims leading dims of {@code low}/{@code high} that index containers, not action components
 */
public record BoundedActionSpec(Tensor low, Tensor high, int containerDims) {
    public BoundedActionSpec {
        Objects.requireNonNull(low, "BoundedActionSpec: low is null");
        Objects.requireNonNull(high, "BoundedActionSpec: high is null");
        if (!Arrays.equals(low.shapeRef(), high.shapeRef())) {
            throw new IllegalArgumentException("BoundedActionSpec: low and high must have the same shape, got " + Shape.format(low.shapeRef()) + " and "
                    + Shape.format(high.shapeRef()));
        }
        if (containerDims < 0 || containerDims > low.dim()) {
            throw new IllegalArgumentException("BoundedActionSpec: containerDims must lie in [0, " + low.dim() + "] for bounds of shape "
                    + Shape.format(low.shapeRef()) + ", got " + containerDims);
        }
    }

    /** The box {@code [low, high]} with no container dims. */
    public static BoundedActionSpec of(Tensor low, Tensor high) {
        return new BoundedActionSpec(low, high, 0);
    }

    /** The same bounds with {@code n} leading container dims. */
    public BoundedActionSpec withContainerDims(int n) {
        return new BoundedActionSpec(low, high, n);
    }

    /** {@code low} of the first element along the container dims. */
    public Tensor elementLow() {
        return firstElement(low);
    }

    /** {@code high} of the first element along the container dims. */
    public Tensor elementHigh() {
        return firstElement(high);
    }

    private Tensor firstElement(Tensor t) {
        Tensor out = t;
        for (int i = 0; i < containerDims; i++) out = out.select(0, 0);
        return out;
    }
}
