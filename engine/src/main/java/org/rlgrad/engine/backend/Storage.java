package org.rlgrad.engine.backend;

import org.rlgrad.engine.tensor.DType;

/**
 * A flat buffer of one dtype owned by a backend. Views share a storage; its version counter
 * rises with every in-place write, which is how autograd notices that a tensor it saved for
 * backward was overwritten.
 */
public abstract class Storage {
    private final DType dtype;
    private final int size;
    private int version;

    protected Storage(DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
    }

    public final DType dtype() {
        return dtype;
    }

    public final int size() {
        return size;
    }

    public final int version() {
        return version;
    }

    public final void bumpVersion() {
        version++;
    }

    public abstract Backend backend();
}
