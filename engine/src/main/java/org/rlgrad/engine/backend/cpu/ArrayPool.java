package org.rlgrad.engine.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;

import org.rlgrad.engine.tensor.DType;

/**
 * One thread's arrays released by closed {@link org.rlgrad.engine.backend.MemoryScope}s, by dtype
 * and exact length, for the next storage of the same size. The most recently released array is
 * handed out first: it is the one most likely to be in cache.
 *
 * <p>A thread keeps at most {@code rlgrad.memoryScope.poolMiB} MiB (64 by default) of arrays;
 * beyond that a released array is left to the garbage collector.
 */
final class ArrayPool {
    private static final long CAPACITY_BYTES = Long.getLong("rlgrad.memoryScope.poolMiB", 64) << 20;
    private static final ThreadLocal<ArrayPool> LOCAL = ThreadLocal.withInitial(ArrayPool::new);

    @SuppressWarnings("unchecked")
    private final HashMap<Integer, ArrayDeque<Object>>[] free = new HashMap[DType.values().length];
    private long bytes;

    private ArrayPool() {
        for (int i = 0; i < free.length; i++) free[i] = new HashMap<>();
    }

    /**
     * A fresh array of {@code dtype} and {@code size}: a released one when the pool has it (zeroed
     * first unless {@code zeroed} is false), else a new one.
     */
    static Object take(DType dtype, int size, boolean zeroed) {
        ArrayPool pool = LOCAL.get();
        Object array = pool.bytes == 0 ? null : pool.poll(dtype, size);
        if (array == null) return newArray(dtype, size);
        if (zeroed) {
            switch (array) {
                case float[] a -> Arrays.fill(a, 0f);
                case double[] a -> Arrays.fill(a, 0d);
                case long[] a -> Arrays.fill(a, 0L);
                case boolean[] a -> Arrays.fill(a, false);
                default -> throw new AssertionError(array.getClass());
            }
        }
        return array;
    }

    /** Returns {@code array}, which nothing reads any more, for reuse. */
    static void give(DType dtype, Object array, int size) {
        long arrayBytes = (long) size * bytesPerElement(dtype);
        ArrayPool pool = LOCAL.get();
        if (size == 0 || pool.bytes + arrayBytes > CAPACITY_BYTES) return;
        HashMap<Integer, ArrayDeque<Object>> bySize = pool.free[dtype.ordinal()];
        ArrayDeque<Object> arrays = bySize.get(size);
        if (arrays == null) bySize.put(size, arrays = new ArrayDeque<>());
        arrays.push(array);
        pool.bytes += arrayBytes;
    }

    private Object poll(DType dtype, int size) {
        ArrayDeque<Object> arrays = free[dtype.ordinal()].get(size);
        Object array = arrays == null ? null : arrays.poll();
        if (array != null) bytes -= (long) size * bytesPerElement(dtype);
        return array;
    }

    private static Object newArray(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new float[size];
            case FLOAT64 -> new double[size];
            case INT64 -> new long[size];
            case BOOL -> new boolean[size];
        };
    }

    private static int bytesPerElement(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 4;
            case FLOAT64, INT64 -> 8;
            case BOOL -> 1;
        };
    }
}
