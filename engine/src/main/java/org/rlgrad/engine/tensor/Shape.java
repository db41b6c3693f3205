package org.rlgrad.engine.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by ops and backends: sizes, strides, broadcasting, dim normalisation. */
public final class Shape {
    private Shape() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + format(shape));
            n *= s;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + format(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** NumPy broadcasting of two shapes; the error names the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + format(a) + " and " + format(b)
                        + " do not broadcast (dim " + (i - n) + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Broadcasts any number of shapes. */
    public static int[] broadcast(String op, int[]... shapes) {
        int[] out = new int[0];
        for (int[] s : shapes) out = broadcast(op, out, s);
        return out;
    }

    /** A dim that may be negative, checked against a rank: {@code -1} is the last dim. */
    public static int normalizeDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException(op + ": dim " + dim + " out of range for a tensor of rank " + rank
                    + " (expected " + (-r) + " to " + (r - 1) + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /**
     * Normalises a list of dims; a null or empty list means every dim (as in PyTorch). Rejects
     * repeats. A 0-dim tensor accepts dim 0 or -1, which reduce nothing.
     */
    public static int[] normalizeDims(String op, int[] dims, int rank) {
        if (rank == 0 && dims != null) {
            for (int d : dims) normalizeDim(op, d, 0);
            return new int[0];
        }
        if (dims == null || dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] out = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            out[i] = normalizeDim(op, dims[i], rank);
            if (seen[out[i]]) throw new IllegalArgumentException(op + ": dim " + dims[i] + " appears twice in " + Arrays.toString(dims));
            seen[out[i]] = true;
        }
        Arrays.sort(out);
        return out;
    }

    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }

    /** The shape with the given dims removed (keepdim false) or set to 1 (keepdim true). */
    public static int[] reduced(int[] shape, int[] sortedDims, boolean keepdim) {
        boolean[] reduce = new boolean[shape.length];
        for (int d : sortedDims) reduce[d] = true;
        int[] out = new int[keepdim ? shape.length : shape.length - sortedDims.length];
        int j = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!reduce[i]) out[j++] = shape[i];
            else if (keepdim) out[j++] = 1;
        }
        return out;
    }

    public static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
