package org.rlgrad.losses;

import java.util.Arrays;
import java.util.Locale;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The element-wise distances a loss compares a prediction with its target by (spec losses.md
 * §1.12, TorchRL's {@code distance_loss}); no reduction, no ½ factor on {@code l2}.
 * <ul>
 *   <li>{@link #L2}: {@code (x − y)²}</li>
 *   <li>{@link #L1}: {@code |x − y|}</li>
 *   <li>{@link #SMOOTH_L1}: Huber with β = 1, {@code 0.5 δ²} if {@code |δ| < 1} else {@code |δ| − 0.5}</li>
 * </ul>
 */
public enum Distance {
    L1, L2, SMOOTH_L1;

    /** {@code "l1"}, {@code "l2"}, {@code "smooth_l1"} (case-insensitive, {@code -} or {@code _}); anything else is an error. */
    public static Distance parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "l1" -> L1;
            case "l2" -> L2;
            case "smooth_l1" -> SMOOTH_L1;
            default -> throw new IllegalArgumentException("distance loss: expected one of l1, l2, smooth_l1, got " + (name == null ? "null" : "'" + name + "'"));
        };
    }

    /** The lower-case name ({@code smooth_l1}). */
    public String alias() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The element-wise distance; shapes must be equal (strict). */
    public Tensor apply(Tensor v1, Tensor v2) {
        return apply(v1, v2, true);
    }

    /** The element-wise distance; with {@code strictShape = false} the inputs broadcast. */
    public Tensor apply(Tensor v1, Tensor v2, boolean strictShape) {
        if (strictShape && !Arrays.equals(v1.shapeRef(), v2.shapeRef())) {
            throw new IllegalArgumentException("distance loss (" + alias() + "): the shapes must match exactly, got " + Shape.format(v1.shapeRef())
                    + " and " + Shape.format(v2.shapeRef()) + " (pass strictShape = false to broadcast)");
        }
        Tensor d = v1.sub(v2);
        return switch (this) {
            case L2 -> d.square();
            case L1 -> d.abs();
            // where(|δ| < 1, ½δ², |δ| − ½): a selection, so the gradient is δ inside and sign(δ) outside.
            case SMOOTH_L1 -> {
                Tensor a = d.abs();
                yield Tensor.where(a.lt(1.0), d.square().mul(0.5), a.sub(0.5));
            }
        };
    }

    /** The distance leaf by leaf of two dicts with the same keys. */
    public TensorDict apply(TensorDict v1, TensorDict v2, boolean strictShape) {
        return v1.apply((a, b) -> apply(a, b, strictShape), v2);
    }

    /** TorchRL's {@code distance_loss(v1, v2, loss_function, strict_shape)}. */
    public static Tensor distanceLoss(Tensor v1, Tensor v2, String kind, boolean strictShape) {
        return parse(kind).apply(v1, v2, strictShape);
    }
}
