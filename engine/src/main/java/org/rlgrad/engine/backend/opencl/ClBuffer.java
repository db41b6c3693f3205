package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * A buffer of device memory in one {@link ClContext}, written and read from Java arrays of
 * float, double, long, int and byte (or memory segments). Offsets and sizes in the buffer are in
 * bytes; positions in Java arrays are in elements.
 *
 * <p>Writes and reads from and into Java arrays block until the transfer is done, as the arrays
 * are copied through native memory that lives only for the call. Copies and fills are enqueued
 * without waiting; the queue is in order, so a later read or kernel sees them.
 */
public final class ClBuffer implements AutoCloseable {
    private final ClContext context;
    private final long byteSize;
    private final ClHandle handle;

    ClBuffer(ClContext context, long byteSize, long memFlags) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("buffer size must be >= 0 bytes, got " + byteSize);
        }
        this.context = context;
        this.byteSize = byteSize;
        ClLibrary lib = context.library();
        // OpenCL refuses empty buffers (CL_INVALID_BUFFER_SIZE), yet an empty tensor still needs a
        // buffer to pass as a kernel argument: it gets one byte that nothing reads.
        MemorySegment raw = lib.createBuffer(context.handle(), memFlags, Math.max(1, byteSize));
        this.handle = new ClHandle(this, raw, lib::releaseMemObject, "OpenCL buffer of " + byteSize + " bytes");
    }

    public ClContext context() {
        return context;
    }

    /** The size asked for, in bytes. */
    public long byteSize() {
        return byteSize;
    }

    /** The {@code cl_mem}. */
    public MemorySegment handle() {
        return handle.get();
    }

    // ---------------------------------------------------------------------------------------
    // Writes

    /** Writes the whole array at the start of the buffer. */
    public ClBuffer write(float[] src) {
        return write(0, src, 0, src.length);
    }

    public ClBuffer write(double[] src) {
        return write(0, src, 0, src.length);
    }

    public ClBuffer write(long[] src) {
        return write(0, src, 0, src.length);
    }

    public ClBuffer write(int[] src) {
        return write(0, src, 0, src.length);
    }

    /** Bytes, e.g. bool tensors as OpenCL {@code uchar}. */
    public ClBuffer write(byte[] src) {
        return write(0, src, 0, src.length);
    }

    /** Writes {@code count} elements of {@code src} from index {@code from} at byte {@code byteOffset}. */
    public ClBuffer write(long byteOffset, float[] src, int from, int count) {
        Objects.checkFromIndexSize(from, count, src.length);
        return write(byteOffset, MemorySegment.ofArray(src).asSlice((long) from * Float.BYTES, (long) count * Float.BYTES));
    }

    public ClBuffer write(long byteOffset, double[] src, int from, int count) {
        Objects.checkFromIndexSize(from, count, src.length);
        return write(byteOffset, MemorySegment.ofArray(src).asSlice((long) from * Double.BYTES, (long) count * Double.BYTES));
    }

    public ClBuffer write(long byteOffset, long[] src, int from, int count) {
        Objects.checkFromIndexSize(from, count, src.length);
        return write(byteOffset, MemorySegment.ofArray(src).asSlice((long) from * Long.BYTES, (long) count * Long.BYTES));
    }

    public ClBuffer write(long byteOffset, int[] src, int from, int count) {
        Objects.checkFromIndexSize(from, count, src.length);
        return write(byteOffset, MemorySegment.ofArray(src).asSlice((long) from * Integer.BYTES, (long) count * Integer.BYTES));
    }

    public ClBuffer write(long byteOffset, byte[] src, int from, int count) {
        Objects.checkFromIndexSize(from, count, src.length);
        return write(byteOffset, MemorySegment.ofArray(src).asSlice(from, count));
    }

    /**
     * Writes all of {@code src} at byte {@code byteOffset} and waits until it is done. A heap
     * segment (a Java array) goes through a native copy, as native calls cannot read the heap.
     */
    public ClBuffer write(long byteOffset, MemorySegment src) {
        long bytes = src.byteSize();
        checkRange("write", byteOffset, bytes);
        if (bytes == 0) {
            return this;
        }
        ClLibrary lib = context.library();
        if (src.isNative()) {
            lib.enqueueWriteBuffer(context.queue(), handle.get(), true, byteOffset, bytes, src, List.of(), false);
            return this;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(bytes, 8).copyFrom(src);
            lib.enqueueWriteBuffer(context.queue(), handle.get(), true, byteOffset, bytes, staging, List.of(), false);
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------
    // Reads

    /** Fills the whole array from the start of the buffer. */
    public void read(float[] dst) {
        read(0, dst, 0, dst.length);
    }

    public void read(double[] dst) {
        read(0, dst, 0, dst.length);
    }

    public void read(long[] dst) {
        read(0, dst, 0, dst.length);
    }

    public void read(int[] dst) {
        read(0, dst, 0, dst.length);
    }

    public void read(byte[] dst) {
        read(0, dst, 0, dst.length);
    }

    /** Reads {@code count} elements at byte {@code byteOffset} into {@code dst} from index {@code from}. */
    public void read(long byteOffset, float[] dst, int from, int count) {
        Objects.checkFromIndexSize(from, count, dst.length);
        read(byteOffset, MemorySegment.ofArray(dst).asSlice((long) from * Float.BYTES, (long) count * Float.BYTES));
    }

    public void read(long byteOffset, double[] dst, int from, int count) {
        Objects.checkFromIndexSize(from, count, dst.length);
        read(byteOffset, MemorySegment.ofArray(dst).asSlice((long) from * Double.BYTES, (long) count * Double.BYTES));
    }

    public void read(long byteOffset, long[] dst, int from, int count) {
        Objects.checkFromIndexSize(from, count, dst.length);
        read(byteOffset, MemorySegment.ofArray(dst).asSlice((long) from * Long.BYTES, (long) count * Long.BYTES));
    }

    public void read(long byteOffset, int[] dst, int from, int count) {
        Objects.checkFromIndexSize(from, count, dst.length);
        read(byteOffset, MemorySegment.ofArray(dst).asSlice((long) from * Integer.BYTES, (long) count * Integer.BYTES));
    }

    public void read(long byteOffset, byte[] dst, int from, int count) {
        Objects.checkFromIndexSize(from, count, dst.length);
        read(byteOffset, MemorySegment.ofArray(dst).asSlice(from, count));
    }

    /**
     * Reads {@code dst.byteSize()} bytes at byte {@code byteOffset} into {@code dst}, after every
     * command enqueued before, and waits until it is done.
     */
    public void read(long byteOffset, MemorySegment dst) {
        long bytes = dst.byteSize();
        checkRange("read", byteOffset, bytes);
        if (bytes == 0) {
            return;
        }
        ClLibrary lib = context.library();
        if (dst.isNative()) {
            lib.enqueueReadBuffer(context.queue(), handle.get(), true, byteOffset, bytes, dst, List.of(), false);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(bytes, 8);
            lib.enqueueReadBuffer(context.queue(), handle.get(), true, byteOffset, bytes, staging, List.of(), false);
            dst.copyFrom(staging);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Copies and fills, on the device

    /** Copies this whole buffer to the start of {@code dst}. */
    public void copyTo(ClBuffer dst) {
        copyTo(0, dst, 0, byteSize);
    }

    /** Copies {@code bytes} bytes at {@code srcOffset} to {@code dstOffset} of {@code dst} (same context). */
    public void copyTo(long srcOffset, ClBuffer dst, long dstOffset, long bytes) {
        if (dst.context != context) {
            throw new IllegalArgumentException("copyTo: the destination buffer belongs to another context ("
                    + dst.context + "), expected " + context);
        }
        checkRange("copyTo (source)", srcOffset, bytes);
        dst.checkRange("copyTo (destination)", dstOffset, bytes);
        if (bytes == 0) {
            return;
        }
        context.library().enqueueCopyBuffer(context.queue(), handle.get(), dst.handle.get(), srcOffset, dstOffset,
                bytes, List.of(), false);
    }

    /** Sets every float of the buffer to {@code value} (the size must be a multiple of 4 bytes). */
    public void fill(float value) {
        fill(value, 0, byteSize);
    }

    public void fill(double value) {
        fill(value, 0, byteSize);
    }

    public void fill(long value) {
        fill(value, 0, byteSize);
    }

    public void fill(int value) {
        fill(value, 0, byteSize);
    }

    public void fill(byte value) {
        fill(value, 0, byteSize);
    }

    /** Sets {@code bytes} bytes at {@code byteOffset} to copies of {@code value} (both multiples of 4). */
    public void fill(float value, long byteOffset, long bytes) {
        fill(ValueLayout.JAVA_FLOAT, MemorySegment.ofArray(new float[] {value}), byteOffset, bytes);
    }

    public void fill(double value, long byteOffset, long bytes) {
        fill(ValueLayout.JAVA_DOUBLE, MemorySegment.ofArray(new double[] {value}), byteOffset, bytes);
    }

    public void fill(long value, long byteOffset, long bytes) {
        fill(ValueLayout.JAVA_LONG, MemorySegment.ofArray(new long[] {value}), byteOffset, bytes);
    }

    public void fill(int value, long byteOffset, long bytes) {
        fill(ValueLayout.JAVA_INT, MemorySegment.ofArray(new int[] {value}), byteOffset, bytes);
    }

    public void fill(byte value, long byteOffset, long bytes) {
        fill(ValueLayout.JAVA_BYTE, MemorySegment.ofArray(new byte[] {value}), byteOffset, bytes);
    }

    private void fill(ValueLayout element, MemorySegment value, long byteOffset, long bytes) {
        long size = element.byteSize();
        checkRange("fill", byteOffset, bytes);
        if (byteOffset % size != 0 || bytes % size != 0) {
            throw new IllegalArgumentException("fill with a " + size + "-byte " + element.carrier().getSimpleName()
                    + " needs an offset and a length that are multiples of " + size + ", got offset "
                    + byteOffset + " and length " + bytes);
        }
        if (bytes == 0) {
            return;
        }
        // clEnqueueFillBuffer copies the pattern before it returns, so a per-call arena suffices.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pattern = arena.allocate(size, size).copyFrom(value);
            context.library().enqueueFillBuffer(context.queue(), handle.get(), pattern, byteOffset, bytes,
                    List.of(), false);
        }
    }

    private void checkRange(String what, long byteOffset, long bytes) {
        if (byteOffset < 0 || bytes < 0 || byteOffset > byteSize - bytes) {
            throw new IndexOutOfBoundsException("ClBuffer." + what + ": " + bytes + " bytes at byte offset "
                    + byteOffset + " do not fit a buffer of " + byteSize + " bytes");
        }
    }

    @Override
    public void close() {
        handle.release();
    }

    @Override
    public String toString() {
        return "ClBuffer[" + byteSize + " bytes" + (handle.isReleased() ? ", closed" : "") + "]";
    }
}
