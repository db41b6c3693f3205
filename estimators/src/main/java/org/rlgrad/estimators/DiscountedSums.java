package org.rlgrad.estimators;

import java.util.List;
import org.rlgrad.engine.ops.Scans;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The vectorised core shared by the "vec" estimators: the backward linear recursion
 * {@code y_t = x_t + a_t · y_{t+1}}, {@code y_T = 0}, along the time axis of {@code [*B, T, F]}.
 * Unrolled, {@code y_t = Σ_{k≥t} (Π_{i=t}^{k−1} a_i) x_k}: a discounted sum whose discount is
 * {@code γλ} (or {@code γ}) inside a trajectory and 0 after its last step.
 *
 * <p>It is one {@link Scans#linearRecurrence} scan, exact, in O(T) time and memory per series,
 * with gradients to {@code x} and to the decays. The reference's vectorised algorithms (spec
 * §4.1: cut the series into trajectories and filter them with {@code 1, q, q², …} by a conv1d;
 * §4.2: a T × T coefficient table for per-step decays) compute the same sum in O(T·L) or O(T²),
 * truncated at 1e−7; the scan computes it exactly, so the equivalences of §4.3 hold to rounding
 * and the conformance tolerance covers the reference's truncation.
 */
final class DiscountedSums {
    private DiscountedSums() {}

    /**
     * {@code y} with decay {@code q} inside trajectories and 0 after their last steps:
     * {@code continues} is 1 where the trajectory goes on to the next step and 0 where it ends
     * (numbers of {@code x}'s dtype and shape). {@code q} is a rank-0 tensor (its gradient flows
     * through the scan); it must be ≥ 0, since a negative ratio has no place in a discount (spec §5).
     */
    static Tensor geometric(String fn, Tensor x, Tensor continues, Tensor q) {
        double ratio = q.item();
        if (!(ratio >= 0)) throw new IllegalArgumentException(fn + ": the discount ratio (gamma·lambda, or gamma) must be >= 0, got " + ratio);
        return withDecays(x, q.mul(continues));
    }

    /** {@code y} with per-step decays {@code a} (broadcastable to {@code x}; {@code a} at the last step is unused). */
    static Tensor withDecays(Tensor x, Tensor a) {
        return Scans.linearRecurrence(x, a, -2, true);
    }

    static Tensor forceLastStep(Tensor flag) {
        int t = flag.size(-2);
        int[] lastShape = flag.shape();
        lastShape[lastShape.length - 2] = 1;
        if (t == 1) return flag.newFull(lastShape, 1, DType.BOOL);
        return Tensor.cat(List.of(flag.narrow(-2, 0, t - 1), flag.newFull(lastShape, 1, DType.BOOL)), -2);
    }
}
