package org.rlgrad.engine.vmap;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * What a batched tensor is a view of: the physical {@code value} holding every entry, the
 * {@code dim} of it that indexes the entries, and the vmap {@code level} that mapped it. The value
 * may itself be batched at an outer level (nested vmap): each level peels off one batch dim.
 *
 * <p>Only this package makes them (the constructor is package-private), so a batched tensor
 * always comes from a vmap that checked its size.
 */
public final class BatchedValue {
    private final Tensor value;
    private final int dim;
    private final VmapLevel level;

    BatchedValue(Tensor value, int dim, VmapLevel level) {
        if (dim < 0 || dim >= value.dim() || value.size(dim) != level.size()) {
            throw new IllegalStateException("vmap: internal error: batch dim " + dim + " of a value of shape " + Shape.format(value.shapeRef())
                    + " does not hold the " + level.size() + " entries of " + level);
        }
        this.value = value;
        this.dim = dim;
        this.level = level;
    }

    /** The physical tensor (possibly batched at an outer level). */
    public Tensor value() { return value; }

    /** The dim of {@link #value()} that indexes the entries. */
    public int dim() { return dim; }

    public VmapLevel level() { return level; }

    @Override
    public String toString() {
        return "batch dim " + dim + " of a value of shape " + Shape.format(value.shapeRef()) + ", " + level;
    }
}
