package org.rlgrad.losses;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The critic loss of the on-policy losses (spec losses.md §2.17 step 7, shared by PPO, A2C and
 * REINFORCE), element-wise and before any coefficient or reduction:
 * {@code L_v = d(value_target, v)}, and with value clipping {@code ε_v} against the value
 * {@code v_old} stored when the data was collected:
 * <pre>
 *   Δ   = clamp(v − v_old, −ε_v, ε_v)
 *   L_v = max(d(value_target, v), d(value_target, v_old + Δ))
 *   value_clip_fraction = mean(1[v − v_old ≠ Δ])   (detached)
 * </pre>
 * The maximum keeps the more pessimistic of the two losses (PPO2's value clipping); on ties each
 * side gets half the gradient, so the gradient is the unclipped one wherever the clamp is inactive.
 */
public final class ClippedValueLoss {
    private ClippedValueLoss() {}

    /** The element-wise critic loss and, with clipping, the share of clamped entries (else null). */
    public record Result(Tensor loss, Tensor clipFraction) {}

    /** {@link #unclipped} when {@code clipValue} is null, else {@link #clipped} against {@code oldValue}. */
    public static Result of(Distance distance, Tensor valueTarget, Tensor value, Tensor oldValue, Double clipValue) {
        return clipValue == null ? unclipped(distance, valueTarget, value) : clipped(distance, valueTarget, value, oldValue, clipValue);
    }

    /**
     * The value stored at collection time, which clipping measures the new value against: the entry
     * {@code valueKey} of {@code td}, else an error that names it and what {@code td} holds.
     */
    public static Tensor storedValue(String lossName, TensorDict td, Key valueKey, double clipValue) {
        Tensor old = td.get(valueKey, null);
        if (old == null) {
            throw new IllegalArgumentException(lossName + ": clip_value is " + clipValue + " but the input has no entry " + valueKey
                    + " (the value stored at collection time) to clip against; it holds " + td.keys(true, true));
        }
        return old;
    }

    /** {@code d(valueTarget, value)}, no clipping. */
    public static Result unclipped(Distance distance, Tensor valueTarget, Tensor value) {
        return new Result(distance.apply(valueTarget, value), null);
    }

    /**
     * The clipped loss; {@code oldValue} is the stored value (same shape as {@code value}),
     * {@code clipValue} a positive number.
     */
    public static Result clipped(Distance distance, Tensor valueTarget, Tensor value, Tensor oldValue, double clipValue) {
        checkClipValue(clipValue);
        Tensor unclipped = distance.apply(valueTarget, value);
        Tensor preClipped = value.sub(oldValue);
        Tensor delta = preClipped.clamp(-clipValue, clipValue);
        Tensor clippedLoss = distance.apply(valueTarget, oldValue.add(delta));
        Tensor fraction;
        try (GradMode.Scope g = GradMode.noGrad()) {
            fraction = preClipped.detach().ne(delta.detach()).to(value.dtype()).mean();
        }
        return new Result(unclipped.maximum(clippedLoss), fraction);
    }

    /** A value-clipping bound must be a finite positive number (null means no clipping, spec §2.17). */
    public static double checkClipValue(double clipValue) {
        if (!(clipValue > 0) || !Double.isFinite(clipValue)) {
            throw new IllegalArgumentException("clip_value: expected a finite positive number (or null for no value clipping), got " + clipValue);
        }
        return clipValue;
    }
}
