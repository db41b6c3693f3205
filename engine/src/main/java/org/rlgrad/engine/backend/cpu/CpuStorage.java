package org.rlgrad.engine.backend.cpu;

import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Storage;
import org.rlgrad.engine.tensor.DType;

/**
 * A Java array per dtype: float32 in {@code float[]}, float64 in {@code double[]}, int64 in
 * {@code long[]}, bool in {@code boolean[]}. Exactly one of the four fields is non-null. The
 * double accessors serve the generic (strided, any-dtype) kernels; fast paths use the arrays.
 */
final class CpuStorage extends Storage {
    final float[] f32;
    final double[] f64;
    final long[] i64;
    final boolean[] b;

    CpuStorage(DType dtype, int size) {
        super(dtype, size);
        f32 = dtype == DType.FLOAT32 ? new float[size] : null;
        f64 = dtype == DType.FLOAT64 ? new double[size] : null;
        i64 = dtype == DType.INT64 ? new long[size] : null;
        b = dtype == DType.BOOL ? new boolean[size] : null;
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
