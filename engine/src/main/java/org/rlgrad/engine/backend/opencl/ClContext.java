package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OpenCL context on one device with one in-order command queue: where buffers are allocated,
 * programs compiled (and cached by their source) and kernels run. Commands run in the order they
 * were enqueued, so a kernel sees the writes enqueued before it without events.
 *
 * <p>Safe to share between threads (OpenCL queues, buffers and programs are), except the
 * {@link ClKernel}s made from it, whose arguments belong to one thread at a time.
 *
 * <p>Closing waits for queued work, then releases the cached programs, the queue and the
 * context. Buffers and kernels are the caller's to close; the driver keeps the context alive
 * until the last of them is released.
 */
public final class ClContext implements AutoCloseable {
    private final ClDevice device;
    private final ClLibrary library;
    private final ClHandle context;
    private final ClHandle queue;
    private final Map<ProgramKey, ClProgram> programs = new ConcurrentHashMap<>();

    private record ProgramKey(String source, String options) {}

    private ClContext(ClDevice device) {
        this.device = device;
        this.library = device.library();
        ClLibrary lib = library;
        MemorySegment ctx = lib.createContext(device.platform(), List.of(device.handle()));
        this.context = new ClHandle(this, ctx, lib::releaseContext, "OpenCL context on " + device.name());
        MemorySegment q;
        try {
            q = lib.createCommandQueue(ctx, device.handle(), 0L);
        } catch (RuntimeException e) {
            context.release();
            throw e;
        }
        this.queue = new ClHandle(this, q, lib::releaseCommandQueue, "OpenCL command queue on " + device.name());
    }

    /** A context and an in-order queue on the device. */
    public static ClContext open(ClDevice device) {
        return new ClContext(device);
    }

    public ClDevice device() {
        return device;
    }

    public ClLibrary library() {
        return library;
    }

    /** The {@code cl_context}, for calls of {@link ClLibrary} that this class does not wrap. */
    public MemorySegment handle() {
        return context.get();
    }

    /** The {@code cl_command_queue}, for calls of {@link ClLibrary} that this class does not wrap. */
    public MemorySegment queue() {
        return queue.get();
    }

    /** A read-write device buffer of {@code byteSize} bytes (its contents undefined until written). */
    public ClBuffer allocate(long byteSize) {
        return new ClBuffer(this, byteSize, ClConstants.CL_MEM_READ_WRITE);
    }

    /** A device buffer with explicit {@code cl_mem_flags} (no host pointer flags). */
    public ClBuffer allocate(long byteSize, long memFlags) {
        return new ClBuffer(this, byteSize, memFlags);
    }

    /**
     * The program compiled from {@code source}, built once per context: later calls with the same
     * text return the same program. It belongs to the context (its {@code close} does nothing).
     *
     * @throws ClException {@code clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)} with the
     *     compiler's log when the source does not compile; a failed build is not cached
     */
    public ClProgram program(String source) {
        return program(source, "");
    }

    /** As {@link #program(String)}, with build options (e.g. {@code -cl-fast-relaxed-math}); cached by both. */
    public ClProgram program(String source, String options) {
        queue.get(); // fail on a closed context before compiling
        return programs.computeIfAbsent(new ProgramKey(source, options == null ? "" : options),
                key -> ClProgram.build(this, key.source(), key.options(), true));
    }

    /** How many programs the cache holds. */
    public int cachedPrograms() {
        return programs.size();
    }

    /** Sends queued commands to the device without waiting. */
    public void flush() {
        library.flush(queue.get());
    }

    /** Waits until every command enqueued so far has finished. */
    public void finish() {
        library.finish(queue.get());
    }

    public boolean isClosed() {
        return context.isReleased();
    }

    @Override
    public void close() {
        if (context.isReleased()) {
            return;
        }
        RuntimeException failure = null;
        try {
            finish();
        } catch (RuntimeException e) {
            failure = e;
        }
        var cached = new ArrayList<>(programs.values());
        programs.clear();
        for (ClProgram p : cached) {
            p.releaseOwned();
        }
        queue.release();
        context.release();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "ClContext[" + device.name() + (isClosed() ? ", closed" : "") + "]";
    }
}
