package org.rlgrad.engine.backend.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * One {@code __kernel} function of a {@link ClProgram}, with its arguments and its launch over an
 * N-dimensional range on the context's queue.
 *
 * <p>Each setter's type must match the kernel's parameter exactly: {@code int} is OpenCL's
 * {@code int}, {@code long} its {@code long} (64-bit), and a buffer its {@code __global T*}; the
 * driver refuses a mismatch of size with {@code CL_INVALID_ARG_SIZE}. Arguments persist from
 * launch to launch. A kernel's arguments are not safe to set from two threads at once (OpenCL's
 * rule): give each thread its own kernel.
 */
public final class ClKernel implements AutoCloseable {
    private final ClProgram program;
    private final String name;
    private final ClHandle handle;
    /** Buffers set as arguments, kept reachable so that the cleaner cannot release them before a launch. */
    private Object[] retained = new Object[4];
    /** {@link #maxWorkGroupSize()}, asked once; 0 until then. */
    private long maxWorkGroupSize;

    ClKernel(ClProgram program, String name) {
        this.program = program;
        this.name = name;
        ClLibrary lib = program.context().library();
        MemorySegment raw = lib.createKernel(program.handle(), name);
        this.handle = new ClHandle(this, raw, lib::releaseKernel, "OpenCL kernel '" + name + "'");
    }

    public String name() {
        return name;
    }

    public ClProgram program() {
        return program;
    }

    /** The {@code cl_kernel}. */
    public MemorySegment handle() {
        return handle.get();
    }

    /**
     * The most work items one group of this kernel may have on the context's device
     * ({@code CL_KERNEL_WORK_GROUP_SIZE}): at most the device's maximum, and less on a GPU when the
     * kernel needs many registers or much local memory. Launches with an explicit local size must
     * stay within it.
     */
    public long maxWorkGroupSize() {
        if (maxWorkGroupSize == 0) {
            ClContext context = program.context();
            maxWorkGroupSize = context.library().getKernelWorkGroupInfoSize(handle.get(), context.device().handle(),
                    ClConstants.CL_KERNEL_WORK_GROUP_SIZE);
        }
        return maxWorkGroupSize;
    }

    // ---------------------------------------------------------------------------------------
    // Arguments

    /** A {@code __global} (or {@code __constant}) pointer argument. */
    public ClKernel setBuffer(int index, ClBuffer buffer) {
        if (buffer.context() != program.context()) {
            throw new IllegalArgumentException("kernel '" + name + "' argument " + index
                    + ": the buffer belongs to another context (" + buffer.context() + "), expected "
                    + program.context());
        }
        try (Arena arena = Arena.ofConfined()) {
            set(index, ADDRESS.byteSize(), arena.allocateFrom(ADDRESS, buffer.handle()), "a buffer");
        }
        retain(index, buffer);
        return this;
    }

    public ClKernel setInt(int index, int value) {
        try (Arena arena = Arena.ofConfined()) {
            set(index, 4, arena.allocateFrom(JAVA_INT, value), "an int");
        }
        return release(index);
    }

    public ClKernel setLong(int index, long value) {
        try (Arena arena = Arena.ofConfined()) {
            set(index, 8, arena.allocateFrom(JAVA_LONG, value), "a long");
        }
        return release(index);
    }

    public ClKernel setFloat(int index, float value) {
        try (Arena arena = Arena.ofConfined()) {
            set(index, 4, arena.allocateFrom(JAVA_FLOAT, value), "a float");
        }
        return release(index);
    }

    public ClKernel setDouble(int index, double value) {
        try (Arena arena = Arena.ofConfined()) {
            set(index, 8, arena.allocateFrom(JAVA_DOUBLE, value), "a double");
        }
        return release(index);
    }

    /**
     * A struct argument passed by value whose fields are all {@code int}, in order (rlgrad's
     * {@code Layout} of a strided view); the kernel's struct must have exactly
     * {@code values.length} ints.
     */
    public ClKernel setInts(int index, int[] values) {
        try (Arena arena = Arena.ofConfined()) {
            set(index, 4L * values.length, arena.allocateFrom(JAVA_INT, values), "a struct of " + values.length + " ints");
        }
        return release(index);
    }

    /** A {@code __local} pointer argument: {@code bytes} of work-group memory, one block per group. */
    public ClKernel setLocal(int index, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("kernel '" + name + "' argument " + index
                    + ": local memory must be > 0 bytes, got " + bytes);
        }
        set(index, bytes, MemorySegment.NULL, bytes + " bytes of local memory");
        return release(index);
    }

    private void set(int index, long size, MemorySegment value, String what) {
        try {
            program.context().library().setKernelArg(handle.get(), index, size, value);
        } catch (ClException e) {
            throw new ClException(e.call(), e.code(), "argument " + index + " of kernel '" + name + "' given "
                    + what + " (" + size + " bytes)");
        }
    }

    private void retain(int index, Object buffer) {
        if (index >= retained.length) {
            retained = Arrays.copyOf(retained, Math.max(index + 1, 2 * retained.length));
        }
        retained[index] = buffer;
    }

    private ClKernel release(int index) {
        if (index < retained.length) {
            retained[index] = null;
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------
    // Launch

    /**
     * Enqueues the kernel over {@code global} work items (1 to 3 dimensions), in work-groups the
     * driver chooses; does not wait. A range with a zero dimension runs nothing.
     */
    public void enqueue(long... global) {
        enqueue(global, null);
    }

    /**
     * Enqueues the kernel over {@code global} work items in work-groups of {@code local} items
     * (null: the driver chooses); does not wait. Each global size must be a multiple of the local
     * one (OpenCL 1.2): round it up with {@link #roundUp} and guard the tail in the kernel.
     */
    public void enqueue(long[] global, long[] local) {
        checkRange(global, local);
        if (Arrays.stream(global).anyMatch(g -> g == 0)) {
            return;
        }
        launch(global, local, false);
    }

    /** As {@link #enqueue(long[], long[])}, returning the launch's event (close it); the range may not be empty. */
    public ClEvent enqueueWithEvent(long[] global, long[] local) {
        checkRange(global, local);
        if (Arrays.stream(global).anyMatch(g -> g == 0)) {
            throw new IllegalArgumentException("kernel '" + name + "': an empty range " + Arrays.toString(global)
                    + " launches nothing and has no event");
        }
        MemorySegment event = launch(global, local, true);
        return new ClEvent(program.context().library(), event, "kernel '" + name + "'");
    }

    private MemorySegment launch(long[] global, long[] local, boolean wantEvent) {
        ClContext context = program.context();
        try {
            return context.library().enqueueNDRangeKernel(context.queue(), handle.get(), global, local, List.of(),
                    wantEvent);
        } catch (ClException e) {
            throw new ClException(e.call(), e.code(), "kernel '" + name + "', global size " + Arrays.toString(global)
                    + ", local size " + (local == null ? "chosen by the driver" : Arrays.toString(local)));
        }
    }

    private void checkRange(long[] global, long[] local) {
        if (global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("kernel '" + name + "': a range has 1 to 3 dimensions, got "
                    + global.length + " " + Arrays.toString(global));
        }
        for (long g : global) {
            if (g < 0) {
                throw new IllegalArgumentException("kernel '" + name + "': global size " + Arrays.toString(global)
                        + " has a negative dimension");
            }
        }
        if (local == null) {
            return;
        }
        if (local.length != global.length) {
            throw new IllegalArgumentException("kernel '" + name + "': local size " + Arrays.toString(local)
                    + " has " + local.length + " dimensions, the global size " + Arrays.toString(global) + " has "
                    + global.length);
        }
        for (int d = 0; d < global.length; d++) {
            if (local[d] <= 0 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException("kernel '" + name + "': global size " + Arrays.toString(global)
                        + " is not a multiple of local size " + Arrays.toString(local)
                        + " (round it up with ClKernel.roundUp and guard the tail in the kernel)");
            }
        }
        long items = Arrays.stream(local).reduce(1, (a, b) -> a * b);
        long max = maxWorkGroupSize();
        if (items > max) {
            throw new IllegalArgumentException("kernel '" + name + "': local size " + Arrays.toString(local) + " has "
                    + items + " work items, more than this kernel's maximum work-group size " + max + " on "
                    + program.context().device().name());
        }
    }

    /** The smallest multiple of {@code multiple} that is at least {@code n}. */
    public static long roundUp(long n, long multiple) {
        if (multiple <= 0) {
            throw new IllegalArgumentException("roundUp: multiple must be > 0, got " + multiple);
        }
        return (n + multiple - 1) / multiple * multiple;
    }

    @Override
    public void close() {
        handle.release();
        retained = new Object[0];
    }

    @Override
    public String toString() {
        return "ClKernel[" + name + (handle.isReleased() ? ", closed" : "") + "]";
    }
}
