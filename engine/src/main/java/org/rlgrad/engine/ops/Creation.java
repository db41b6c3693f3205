package org.rlgrad.engine.ops;

import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/** Tensors made from nothing or from Java arrays, on the default backend unless one is given. */
public final class Creation {
    private Creation() {}

    public static Tensor full(int[] shape, double value, DType dtype) {
        return full(shape, value, dtype, Backends.defaultBackend());
    }

    public static Tensor full(int[] shape, double value, DType dtype, Backend backend) {
        Shape.numel(shape); // validates sizes
        return backend.full(shape, dtype, value);
    }

    /** {@code start, start + step, ...} up to but excluding {@code end}. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0) throw new IllegalArgumentException("arange: step must be non-zero");
        double count = Math.ceil((end - start) / step);
        if (!(count >= 0) || Double.isInfinite(count)) {
            throw new IllegalArgumentException("arange: range [" + start + ", " + end + ") with step " + step + " is empty or unbounded");
        }
        return Backends.defaultBackend().arange((int) count, start, step, dtype);
    }

    /** {@code steps} evenly spaced values from {@code start} to {@code end} inclusive. */
    public static Tensor linspace(double start, double end, int steps, DType dtype) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be non-negative, got " + steps);
        double[] values = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // Fill from both ends, as PyTorch does, so that the last value is exactly `end`.
        int half = steps / 2;
        for (int i = 0; i < steps; i++) values[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
        return fromDoubles(values, new int[] {steps}, dtype);
    }

    public static Tensor eye(int n, DType dtype) {
        double[] values = new double[n * n];
        for (int i = 0; i < n; i++) values[i * n + i] = 1;
        return fromDoubles(values, new int[] {n, n}, dtype);
    }

    public static Tensor fromDoubles(double[] data, int[] shape, DType dtype) {
        checkCount(data.length, shape);
        return new Tensor(Backends.defaultBackend().fromDoubles(dtype, data), shape.clone());
    }

    public static Tensor fromFloats(float[] data, int[] shape) {
        checkCount(data.length, shape);
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = data[i];
        return new Tensor(Backends.defaultBackend().fromDoubles(DType.FLOAT32, d), shape.clone());
    }

    public static Tensor fromLongs(long[] data, int[] shape) {
        checkCount(data.length, shape);
        return new Tensor(Backends.defaultBackend().fromLongs(DType.INT64, data), shape.clone());
    }

    public static Tensor fromBooleans(boolean[] data, int[] shape) {
        checkCount(data.length, shape);
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i] ? 1 : 0;
        return new Tensor(Backends.defaultBackend().fromLongs(DType.BOOL, l), shape.clone());
    }

    private static void checkCount(int count, int[] shape) {
        int n = Shape.numel(shape);
        if (n != count) {
            throw new IllegalArgumentException("tensor: " + count + " values given for shape " + Shape.format(shape) + " (" + n + " elements)");
        }
    }
}
