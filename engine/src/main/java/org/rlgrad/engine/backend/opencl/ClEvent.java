package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A command's completion, returned by the enqueue calls that ask for one; close it when done. */
public final class ClEvent implements AutoCloseable {
    private final ClLibrary library;
    private final ClHandle handle;

    ClEvent(ClLibrary library, MemorySegment raw, String what) {
        this.library = library;
        this.handle = new ClHandle(this, raw, library::releaseEvent, "OpenCL event of " + what);
    }

    /** Waits until the command has finished; a command that failed throws here. */
    public void await() {
        library.waitForEvents(List.of(handle.get()));
    }

    /** Waits until every event has completed. */
    public static void awaitAll(List<ClEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        var raw = new ArrayList<MemorySegment>(events.size());
        for (ClEvent e : events) {
            raw.add(e.handle.get());
        }
        events.getFirst().library.waitForEvents(raw);
    }

    /** The {@code cl_event}. */
    public MemorySegment handle() {
        return handle.get();
    }

    @Override
    public void close() {
        handle.release();
    }
}
