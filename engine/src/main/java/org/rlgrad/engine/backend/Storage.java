package org.rlgrad.engine.backend;

import org.rlgrad.engine.tensor.DType;

/**
 * A flat buffer of one dtype owned by a backend. Views share a storage; its version counter
 * rises with every in-place write, which is how autograd notices that a tensor it saved for
 * backward was overwritten.
 *
 * <p>A storage made while a {@link MemoryScope} is open on the thread belongs to that scope and
 * is released when the scope closes, unless it was kept: its buffer goes back to the backend for
 * reuse, and any later use of a tensor over it fails with an error that names the scope.
 */
public abstract class Storage {
    private final DType dtype;
    private final int size;
    private int version;
    /** The scope that releases this storage when it closes; null when no scope does. */
    MemoryScope owner;
    /** The next storage in its owner's list. */
    Storage nextOwned;
    private boolean released;

    protected Storage(DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
        MemoryScope.adopt(this);
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

    /** Whether the scope that owned this storage has closed and handed its buffer back. */
    public final boolean isReleased() {
        return released;
    }

    /** Fails when this storage was released; backends call it before they touch the buffer. */
    public final void checkLive() {
        if (released) {
            throw new IllegalStateException("this tensor's memory was released when the MemoryScope that created it closed; "
                    + "call scope.keep(tensor) inside the scope (or MemoryScope.persist(tensor)) to use it afterwards");
        }
    }

    final void release() {
        released = true;
        recycle();
    }

    /** Gives the buffer back to the backend for reuse; the storage is never read again. */
    protected abstract void recycle();

    public abstract Backend backend();
}
