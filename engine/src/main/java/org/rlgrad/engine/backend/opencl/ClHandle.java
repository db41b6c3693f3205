package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One native OpenCL object that a Java object owns: released once, by {@link #close} or, when
 * its owner becomes unreachable without being closed, by a {@link Cleaner}. Tensors are values
 * the garbage collector frees, so device memory behind them must be given back the same way;
 * closing explicitly only gives it back sooner.
 *
 * <p>Use after close fails with an {@link IllegalStateException} that names the object, rather
 * than passing a released handle to the driver (which may crash the process).
 */
final class ClHandle {
    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment raw;
    private final String what;
    private final AtomicBoolean released;
    private final Cleaner.Cleanable cleanable;

    /**
     * @param owner the Java object whose unreachability releases the handle; the release action
     *     must not refer to it
     */
    ClHandle(Object owner, MemorySegment raw, Consumer<MemorySegment> release, String what) {
        this.raw = raw;
        this.what = what;
        var flag = new AtomicBoolean();
        this.released = flag;
        this.cleanable = CLEANER.register(owner, () -> {
            if (flag.compareAndSet(false, true)) {
                release.accept(raw);
            }
        });
    }

    /** The handle, for passing to {@link ClLibrary}; fails when already released. */
    MemorySegment get() {
        if (released.get()) {
            throw new IllegalStateException(what + " was used after it was closed");
        }
        return raw;
    }

    boolean isReleased() {
        return released.get();
    }

    /** Releases the native object now; a second call does nothing. */
    void release() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return what + "@0x" + Long.toHexString(raw.address()) + (released.get() ? " (closed)" : "");
    }
}
