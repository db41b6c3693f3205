package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;

/**
 * An OpenCL C program compiled for a context's device. Get one from {@link ClContext#program},
 * which caches it (and owns it), or {@link #build} for one you close yourself.
 */
public final class ClProgram implements AutoCloseable {
    private final ClContext context;
    private final ClHandle handle;
    private final String source;
    private final String options;
    private final boolean ownedByContext;

    private ClProgram(ClContext context, MemorySegment raw, String source, String options, boolean ownedByContext) {
        this.context = context;
        this.handle = new ClHandle(this, raw, context.library()::releaseProgram, "OpenCL program");
        this.source = source;
        this.options = options;
        this.ownedByContext = ownedByContext;
    }

    /**
     * Compiles {@code source} for the context's device, uncached; the caller closes the program.
     *
     * @throws ClException with the build log when the source does not compile
     */
    public static ClProgram build(ClContext context, String source, String options) {
        return build(context, source, options, false);
    }

    static ClProgram build(ClContext context, String source, String options, boolean ownedByContext) {
        ClLibrary lib = context.library();
        MemorySegment raw = lib.createProgramWithSource(context.handle(), source);
        try {
            lib.buildProgram(raw, context.device().handle(), options);
        } catch (RuntimeException e) {
            lib.releaseProgram(raw);
            throw e;
        }
        return new ClProgram(context, raw, source, options == null ? "" : options, ownedByContext);
    }

    /** A kernel of this program, by its {@code __kernel} function's name; the caller closes it. */
    public ClKernel kernel(String name) {
        return new ClKernel(this, name);
    }

    /** The compiler's messages from building this program (warnings, often empty). */
    public String buildLog() {
        return context.library().getProgramBuildLog(handle.get(), context.device().handle());
    }

    public ClContext context() {
        return context;
    }

    public String source() {
        return source;
    }

    public String options() {
        return options;
    }

    /** The {@code cl_program}. */
    public MemorySegment handle() {
        return handle.get();
    }

    /** Releases the program, unless it belongs to its context's cache (the context releases those). */
    @Override
    public void close() {
        if (!ownedByContext) {
            handle.release();
        }
    }

    void releaseOwned() {
        handle.release();
    }
}
