package org.rlgrad.engine.backend.cpu;

import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Storage;
import org.rlgrad.engine.tensor.DType;

/**
 * A Java array per dtype: float32 in {@code float[]}, float64 in {@code double[]}, int64 in
 * {@code long[]}, bool in {@code boolean[]}. Exactly one of the four fields is non-null. The
 * double accessors serve the generic (strided, any-dtype) kernels; fast paths use the arrays.
 *
 * <p>The array may come from the {@link ArrayPool} (a released scope's), in which case it is
 * zeroed first unless the storage is made {@link #forOverwrite}. Releasing the storage gives the
 * array back and clears the field, so a stale reader fails instead of reading someone else's data.
 */
final class CpuStorage extends Storage {
    float[] f32;
    double[] f64;
    long[] i64;
    boolean[] b;

    /** A zero-filled storage. */
    CpuStorage(DType dtype, int size) {
        this(dtype, size, true);
    }

    private CpuStorage(DType dtype, int size, boolean zeroed) {
        super(dtype, size);
        Object array = ArrayPool.take(dtype, size, zeroed);
        f32 = array instanceof float[] a ? a : null;
        f64 = array instanceof double[] a ? a : null;
        i64 = array instanceof long[] a ? a : null;
        b = array instanceof boolean[] a ? a : null;
    }

    /** A storage whose contents are unspecified: for kernels that write every element. */
    static CpuStorage forOverwrite(DType dtype, int size) {
        return new CpuStorage(dtype, size, false);
    }

    @Override
    protected void recycle() {
        Object array = f32 != null ? f32 : f64 != null ? f64 : i64 != null ? i64 : b;
        f32 = null;
        f64 = null;
        i64 = null;
        b = null;
        ArrayPool.give(dtype(), array, size());
    }

    @Override
    public Backend backend() {
        return CpuBackend.INSTANCE;
    }

    double get(int i) {
        return switch (dtype()) {
            case FLOAT32 -> f32[i];
            case FLOAT64 -> f64[i];
            case INT64 -> i64[i];
            case BOOL -> b[i] ? 1 : 0;
        };
    }

    /** Stores {@code v} converted to this dtype: floats round, int64 truncates toward zero, bool is {@code v != 0}. */
    void set(int i, double v) {
        switch (dtype()) {
            case FLOAT32 -> f32[i] = (float) v;
            case FLOAT64 -> f64[i] = v;
            case INT64 -> i64[i] = (long) v;
            case BOOL -> b[i] = v != 0;
        }
    }

    long getLong(int i) {
        return switch (dtype()) {
            case FLOAT32 -> (long) f32[i];
            case FLOAT64 -> (long) f64[i];
            case INT64 -> i64[i];
            case BOOL -> b[i] ? 1 : 0;
        };
    }

    void setLong(int i, long v) {
        switch (dtype()) {
            case FLOAT32 -> f32[i] = v;
            case FLOAT64 -> f64[i] = v;
            case INT64 -> i64[i] = v;
            case BOOL -> b[i] = v != 0;
        }
    }
}
