package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Storage;
import org.rlgrad.engine.tensor.DType;

/**
 * A tensor's elements in one device buffer of an {@link OpenClBackend}, in the element type
 * {@link ClTypes} gives its dtype. Released by its {@link org.rlgrad.engine.backend.MemoryScope}
 * (the buffer goes back to the backend's pool) or, outside any scope, by the garbage collector.
 */
final class OpenClStorage extends Storage {
    private final OpenClBackend backend;
    private final ClBuffer buffer;

    OpenClStorage(OpenClBackend backend, DType dtype, int size, ClBuffer buffer) {
        super(dtype, size);
        this.backend = backend;
        this.buffer = buffer;
    }

    /** The buffer; fails when the storage was released. */
    ClBuffer buffer() {
        checkLive();
        return buffer;
    }

    @Override
    protected void recycle() {
        backend.pool().giveBack(buffer);
    }

    @Override
    public Backend backend() {
        return backend;
    }
}
