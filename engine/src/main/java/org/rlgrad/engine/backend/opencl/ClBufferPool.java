package org.rlgrad.engine.backend.opencl;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device buffers handed back by closing {@link org.rlgrad.engine.backend.MemoryScope}s, kept by
 * exact byte size for the next allocation of that size (most recent first), so that a training
 * step allocates no device memory after its first call. Holds at most {@code capBytes}; a buffer
 * past that is released. Safe to use from several threads.
 */
final class ClBufferPool {
    private final long capBytes;
    private final Map<Long, ArrayDeque<ClBuffer>> free = new HashMap<>();
    private long held;

    ClBufferPool(long capBytes) {
        this.capBytes = capBytes;
    }

    /** A buffer of exactly {@code bytes} from the pool (contents undefined), or null. */
    synchronized ClBuffer take(long bytes) {
        ArrayDeque<ClBuffer> same = free.get(bytes);
        ClBuffer b = same == null ? null : same.pollLast();
        if (b != null) held -= bytes;
        return b;
    }

    synchronized void giveBack(ClBuffer buffer) {
        long bytes = buffer.byteSize();
        if (held + bytes > capBytes) {
            buffer.close();
            return;
        }
        free.computeIfAbsent(bytes, k -> new ArrayDeque<>()).addLast(buffer);
        held += bytes;
    }

    synchronized long heldBytes() {
        return held;
    }
}
