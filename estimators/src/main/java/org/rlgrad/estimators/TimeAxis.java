package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Where time lies in the caller's tensors, and the way to the canonical layout {@code [*B, T, F]}
 * (time at −2, one trailing feature axis) that every estimator computes in, and back (spec
 * estimators.md §2.1). Moving there is one swap of the time axis with axis −2, undone on the
 * outputs, so outputs keep the inputs' layout; a 1-D series (time_dim −1) is viewed as
 * {@code [T, 1]}.
 */
final class TimeAxis {
    private final boolean oneDimensional;
    private final int axis; // negative, in [-rank, -1]

    private TimeAxis(boolean oneDimensional, int axis) {
        this.oneDimensional = oneDimensional;
        this.axis = axis;
    }

    /**
     * Resolves {@code timeDim} against the data's rank: a non-negative value counts from the
     * front ({@code timeDim − ndim}). Errors in the reference's words, with the shape and the dim.
     */
    static TimeAxis of(String fn, int timeDim, Tensor data) {
        int rank = data.dim();
        int axis = timeDim >= 0 ? timeDim - rank : timeDim;
        boolean ok = rank >= 1 && axis >= -rank && axis < 0 && (rank >= 2 || axis == -1);
        if (!ok) {
            throw new IllegalArgumentException(fn + ": The tensor shape and the time dimension are not compatible: got "
                    + Shape.format(data.shapeRef()) + " and time_dim=" + timeDim + "."
                    + (rank == 1 ? " A 1-D series needs time_dim=-1." : " Expected time_dim in [" + -rank + ", " + rank + ")"
                    + (rank < 2 ? " on a tensor of rank 2 or more." : "."))); 
        }
        return new TimeAxis(rank == 1, axis);
    }

    /** The caller's layout to {@code [*B, T, F]}. */
    Tensor canonical(Tensor x) {
        if (oneDimensional) return x.unsqueeze(-1);
        return axis == -2 ? x : x.transpose(axis, -2);
    }

    /** {@code [*B, T, F]} back to the caller's layout (the swap is its own inverse). */
    Tensor restore(Tensor y) {
        if (oneDimensional) return y.squeeze(-1);
        return axis == -2 ? y : y.transpose(axis, -2);
    }
}
