package org.rlgrad.testsuite.conformance;

import java.util.Arrays;
import java.util.Optional;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Compares a computed tensor with an expected one, as the FORMAT says: shapes and dtypes must be
 * equal; a finite expected float must satisfy {@code |got - expected| <= atol + rtol |expected|}
 * ({@code -0.0} equals {@code 0.0}); a non-finite expected float must be matched exactly (the same
 * infinity, or NaN); int64 and bool data must be equal.
 */
public final class Comparison {
    private Comparison() {}

    /**
     * Empty when {@code got} matches {@code expected}, else a one-line reason that starts with
     * {@code what} and gives the first offending element and how many differ.
     */
    public static Optional<String> compare(String what, Tensor got, Tensor expected, Tolerance tolerance) {
        if (got == null) return Optional.of(what + ": missing (expected shape " + Shape.format(expected.shapeRef()) + ")");
        if (!Arrays.equals(got.shapeRef(), expected.shapeRef())) {
            return Optional.of(what + ": shape " + Shape.format(got.shapeRef()) + ", expected " + Shape.format(expected.shapeRef()));
        }
        if (got.dtype() != expected.dtype()) return Optional.of(what + ": dtype " + got.dtype() + ", expected " + expected.dtype());
        return expected.dtype().isFloating() ? compareFloats(what, got, expected, tolerance) : compareExact(what, got, expected);
    }

    /** Whether one float value is within tolerance of the expected one (non-finite: exact). */
    public static boolean close(double got, double expected, Tolerance tolerance) {
        if (Double.isNaN(expected)) return Double.isNaN(got);
        if (Double.isInfinite(expected)) return got == expected;
        return Math.abs(got - expected) <= tolerance.atol() + tolerance.rtol() * Math.abs(expected);
    }

    private static Optional<String> compareFloats(String what, Tensor got, Tensor expected, Tolerance tolerance) {
        double[] g = got.toDoubleArray(), e = expected.toDoubleArray();
        int bad = 0, first = -1, worst = -1;
        double worstExcess = -1;
        for (int i = 0; i < e.length; i++) {
            if (close(g[i], e[i], tolerance)) continue;
            bad++;
            if (first < 0) first = i;
            // Rank by how many tolerances away the value is (non-finite mismatches rank highest).
            double excess = Math.abs(g[i] - e[i]) / (tolerance.atol() + tolerance.rtol() * Math.abs(e[i]));
            if (Double.isNaN(excess)) excess = Double.POSITIVE_INFINITY;
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (bad == 0) return Optional.empty();
        StringBuilder sb = new StringBuilder(what).append(": ").append(bad).append(" of ").append(e.length)
                .append(bad == 1 ? " value differs" : " values differ").append(" beyond rtol ").append(tolerance.rtol())
                .append(", atol ").append(tolerance.atol()).append("; ");
        describe(sb, expected.shapeRef(), first, g[first], e[first]);
        if (worst != first) {
            sb.append("; worst ");
            describe(sb, expected.shapeRef(), worst, g[worst], e[worst]);
        }
        return Optional.of(sb.toString());
    }

    private static void describe(StringBuilder sb, int[] shape, int flat, double got, double expected) {
        sb.append("at ").append(index(shape, flat)).append(" got ").append(got).append(", expected ").append(expected);
        if (Double.isFinite(got) && Double.isFinite(expected)) sb.append(" (diff ").append(String.format("%.3g", Math.abs(got - expected))).append(')');
    }

    private static Optional<String> compareExact(String what, Tensor got, Tensor expected) {
        long[] g = got.toLongArray(), e = expected.toLongArray();
        int bad = 0, first = -1;
        for (int i = 0; i < e.length; i++) {
            if (g[i] != e[i]) {
                bad++;
                if (first < 0) first = i;
            }
        }
        if (bad == 0) return Optional.empty();
        boolean bool = expected.dtype() == DType.BOOL;
        return Optional.of(what + ": " + bad + " of " + e.length + (bad == 1 ? " value differs" : " values differ") + " (exact " + expected.dtype()
                + "); at " + index(expected.shapeRef(), first) + " got " + (bool ? String.valueOf(g[first] != 0) : g[first])
                + ", expected " + (bool ? String.valueOf(e[first] != 0) : e[first]));
    }

    /** The multi-index of a row-major flat position, e.g. [1, 2]. */
    static String index(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) break;
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(idx);
    }
}
