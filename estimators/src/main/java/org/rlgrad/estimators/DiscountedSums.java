package org.rlgrad.estimators;

import java.util.List;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The vectorised core shared by the "vec" estimators: the backward linear recursion
 * {@code y_t = x_t + a_t · y_{t+1}}, {@code y_T = 0}, along the time axis of {@code [*B, T, F]},
 * computed without a loop over time (spec estimators.md §4). Unrolled,
 * {@code y_t = Σ_{k≥t} (Π_{i=t}^{k−1} a_i) x_k}.
 *
 * <p>Two algorithms, both exact (no 1e−7 truncation of the series, spec §4.4: the reference's
 * truncation is a speed choice, and the conformance tolerance covers the exact answer):
 * <ul>
 *   <li>{@link #geometric}: the decay is one number q inside trajectories and zero at their
 *       ends. Trajectories are cut out into the rows of a padded matrix and filtered with
 *       {@code 1, q, q², …} by a right-padded conv1d (§4.1).</li>
 *   <li>{@link #table}: per-step decays. The coefficient table {@code C[t, j] = Π_{i<j} a_{t+i}}
 *       is an exclusive cumulative product over shifted copies of {@code a} (§4.2); memory
 *       O(T²) per series.</li>
 * </ul>
 */
final class DiscountedSums {
    private DiscountedSums() {}

    /**
     * {@code y} with decay {@code q} inside trajectories and 0 after each {@code boundary} step
     * (bool, same shape as {@code x}; the last step always ends a trajectory).
     * {@code q} is a rank-0 tensor (its gradient flows through the filter); it must be ≥ 0, since
     * a negative ratio has no place in a discount (spec §5).
     */
    static Tensor geometric(String fn, Tensor x, Tensor boundary, Tensor q) {
        double ratio = q.item();
        if (!(ratio >= 0)) throw new IllegalArgumentException(fn + ": the discount ratio (gamma·lambda, or gamma) must be >= 0, got " + ratio);
        int t = x.size(-2);
        int[] shape = x.shape();
        Tensor rows = toRows(x);
        TrajectorySegments segments = TrajectorySegments.of(toRows(boundary));
        int len = segments.maxLength();
        Tensor padded = segments.split(rows); // [S, L]
        // f_j = q^j as a running product of [1, q, q, ...]: exact at q = 0 (filter [1, 0, ...], so
        // the result is x itself, where the reference crashes) and differentiable in q.
        Tensor filter = len == 1 ? q.newFull(new int[] {1}, 1, q.dtype())
                : Tensor.cat(List.of(q.newFull(new int[] {1}, 1, q.dtype()), q.reshape(1).expand(len - 1)), 0).cumprod(0);
        // y_i = Σ_j f_j x_{i+j}: a cross-correlation of the right-zero-padded row with the filter.
        Tensor filtered = Functional.conv1dPadRight(padded.unsqueeze(1), filter.reshape(1, 1, len), len - 1).squeeze(1);
        return fromRows(segments.merge(filtered), shape);
    }

    /** {@code y} with per-step decays {@code a} (same shape as {@code x}); {@code a} at the last step is unused. */
    static Tensor table(Tensor x, Tensor a) {
        int t = x.size(-2);
        int[] shape = x.shape();
        Tensor xr = toRows(x), ar = toRows(a);
        int n = xr.size(0);
        // shifted[n, t, j] = v[n, t + j] where t + j < T, else 0
        long[] index = new long[t * t];
        boolean[] inside = new boolean[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                index[i * t + j] = Math.min(i + j, t - 1);
                inside[i * t + j] = i + j < t;
            }
        }
        Tensor idx = Tensor.of(index, t * t).to(x.device());
        Tensor mask = Tensor.of(inside, 1, t, t).to(x.device());
        Tensor xs = Tensor.where(mask, xr.indexSelect(1, idx).reshape(n, t, t), 0);
        Tensor as = Tensor.where(mask, ar.indexSelect(1, idx).reshape(n, t, t), 0);
        // C[t, j] = Π_{i<j} a_{t+i}: exclusive running product (C[t, 0] = 1).
        Tensor ones = x.newFull(new int[] {n, t, 1}, 1, x.dtype());
        Tensor c = t == 1 ? ones : Tensor.cat(List.of(ones, as.narrow(2, 0, t - 1)), 2).cumprod(2);
        return fromRows(c.mul(xs).sum(2), shape);
    }

    /** {@code [*B, T, F]} to rows {@code [B·F, T]}, time last. */
    static Tensor toRows(Tensor x) {
        return x.movedim(-2, -1).reshape(-1, x.size(-2));
    }

    static Tensor fromRows(Tensor rows, int[] canonicalShape) {
        int r = canonicalShape.length;
        int[] moved = canonicalShape.clone();
        moved[r - 2] = canonicalShape[r - 1];
        moved[r - 1] = canonicalShape[r - 2];
        return rows.reshape(moved).movedim(-1, -2);
    }

    static Tensor forceLastStep(Tensor flag) {
        int t = flag.size(-2);
        int[] lastShape = flag.shape();
        lastShape[lastShape.length - 2] = 1;
        if (t == 1) return flag.newFull(lastShape, 1, DType.BOOL);
        return Tensor.cat(List.of(flag.narrow(-2, 0, t - 1), flag.newFull(lastShape, 1, DType.BOOL)), -2);
    }
}
