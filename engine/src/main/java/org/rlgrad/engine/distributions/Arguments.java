package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Argument checks and shape arithmetic shared by the distributions: they read parameter values
 * (outside any graph) so that a bad parameter fails at construction with a message that names it,
 * instead of yielding NaN log-probabilities later.
 */
final class Arguments {
    private Arguments() {}

    /** Fails unless every entry of {@code t} is a float greater than zero (NaN fails too). */
    static void requirePositive(String who, String what, Tensor t) {
        requirePositive(who, what, t, false);
    }

    /** Also fails on +∞: a gamma sampler cannot draw from an infinite concentration. */
    static void requirePositiveFinite(String who, String what, Tensor t) {
        requirePositive(who, what, t, true);
    }

    private static void requirePositive(String who, String what, Tensor t, boolean finite) {
        if (t == null) throw new IllegalArgumentException(who + ": " + what + " must not be null");
        requireFloating(who, what, t);
        if (t.isBatched()) return; // inside vmap the values are not readable entry by entry; not checked (see Support)
        double[] v;
        try (var scope = GradMode.noGrad()) {
            // One flag read back, not the whole tensor (it may live on a device); the values only for the message.
            Tensor x = t.detach();
            Tensor bad = x.gt(0).logicalNot();
            if (finite) bad = bad.logicalOr(x.isInf());
            if (bad.any().item() == 0) return;
            v = x.toDoubleArray();
        }
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] > 0) || (finite && Double.isInfinite(v[i]))) {
                throw new IllegalArgumentException(who + ": " + what + " must be positive" + (finite ? " and finite" : "") + ", got " + v[i]
                        + " at flat index " + i + " of a tensor of shape " + Shape.format(t.shapeRef()));
            }
        }
    }

    static void requireFloating(String who, String what, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(who + ": " + what + " must be a float tensor, got " + t.dtype() + " of shape " + Shape.format(t.shapeRef()));
        }
    }

    /**
     * Fails unless {@code high > low} everywhere (after broadcasting); {@code message} is the
     * reference's wording, to which the offending values are appended.
     */
    static void requireOrdered(String message, Tensor low, Tensor high) {
        if (low.isBatched() || high.isBatched()) return; // not checked inside vmap (see Support)
        double[] lo, hi;
        int[] shape = Shape.broadcast("bounds", low.shapeRef(), high.shapeRef());
        try (var scope = GradMode.noGrad()) {
            if (high.detach().gt(low.detach()).logicalNot().any().item() == 0) return;
            lo = low.detach().expand(shape).contiguous().toDoubleArray();
            hi = high.detach().expand(shape).contiguous().toDoubleArray();
        }
        for (int i = 0; i < lo.length; i++) {
            if (!(hi[i] > lo[i])) {
                throw new IllegalArgumentException(message + " (got low = " + lo[i] + ", high = " + hi[i]
                        + (lo.length > 1 ? " at flat index " + i + " of the bounds of shape " + Shape.format(shape) : "") + ")");
            }
        }
    }

    /** Whether any entry of {@code t} differs from {@code value}. */
    static boolean anyDiffers(Tensor t, double value) {
        double[] v;
        try (var scope = GradMode.noGrad()) {
            v = t.detach().toDoubleArray();
        }
        for (double x : v) if (x != value) return true;
        return false;
    }

    /** The last {@code k} dims of a rank-{@code rank} tensor, as non-negative indices. */
    static int[] lastDims(int rank, int k) {
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = rank - k + i;
        return dims;
    }

    /** {@code t} summed over its last {@code k} dims ({@code t} itself when {@code k = 0}). */
    static Tensor sumLast(Tensor t, int k) {
        if (k == 0) return t;
        if (t.dim() < k) {
            throw new IllegalArgumentException("cannot sum the last " + k + " dims of a tensor of shape " + Shape.format(t.shapeRef()));
        }
        return t.sum(lastDims(t.dim(), k), false);
    }

    static int[] head(int[] shape, int n) {
        return Arrays.copyOfRange(shape, 0, n);
    }

    static int[] tail(int[] shape, int n) {
        return Arrays.copyOfRange(shape, shape.length - n, shape.length);
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * A random draw moved to the device of the parameters it will meet: draws are made on the
     * default device, which a program may have left on the CPU while its parameters live elsewhere.
     */
    static Tensor onDeviceOf(Tensor draw, Tensor like) {
        return draw.to(like.device());
    }

    /** A scalar of {@code value} in {@code like}'s dtype, on its device. */
    static Tensor scalarLike(Tensor like, double value) {
        return like.newScalar(value, like.dtype());
    }
}
