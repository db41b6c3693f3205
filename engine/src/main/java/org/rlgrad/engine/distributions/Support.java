package org.rlgrad.engine.distributions;

import java.util.function.DoublePredicate;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Where a distribution puts its mass, and the check that a value lies there. PyTorch validates
 * the value of {@code log_prob} by default ({@code validate_args}) and raises on a value outside
 * the support; so does rlgrad, since a log-density evaluated outside its support is a silently
 * wrong number (Beta's at 1.5 is NaN, Bernoulli's at 0.5 a finite number).
 *
 * <p>Some distributions define what happens outside instead, and do not check: TanhNormal clamps
 * the value into its bounds (safe tanh), TruncatedNormal scores it −∞, masked categoricals score a
 * masked action {@code neg_inf} (spec/engine.md section 4). Values inside a vmapped function are
 * not checked (reading them would need a batching rule for every entry), and
 * {@link #setValidation(boolean)} turns checking off for a whole program, as
 * {@code Distribution.set_default_validate_args(False)} does.
 */
public final class Support {
    private static volatile boolean validating = true;

    /** Every real number; a NaN value is let through, so that it reaches the result as NaN rather than an error. */
    public static final Support REAL = new Support("real", v -> true);
    public static final Support POSITIVE = new Support("positive", v -> v > 0);
    public static final Support NONNEGATIVE = new Support("non-negative", v -> v >= 0);
    public static final Support UNIT_INTERVAL = new Support("[0, 1]", v -> v >= 0 && v <= 1);
    public static final Support BOOLEAN = new Support("{0, 1}", v -> v == 0 || v == 1);
    /** Non-negative entries that sum to one along the last dim (within 1e-6). */
    public static final Support SIMPLEX = new Support("the simplex", v -> v >= 0);
    /** 0/1 entries with exactly one 1 along the last dim. */
    public static final Support ONE_HOT = new Support("one-hot vectors", v -> v == 0 || v == 1);

    private final String name;
    private final DoublePredicate contains;
    /** The bounds of an {@link #interval}, else null. */
    private Tensor low, high;

    private Support(String name, DoublePredicate contains) {
        this.name = name;
        this.contains = contains;
    }

    /** The integers {@code low .. high}. */
    public static Support integerInterval(long low, long high) {
        return new Support("the integers " + low + " .. " + high, v -> v >= low && v <= high && v == Math.rint(v));
    }

    /** The closed interval {@code [low, high]}; the bounds broadcast against the value. */
    public static Support interval(Tensor low, Tensor high) {
        Support s = new Support("[low, high]", v -> true);
        s.low = low;
        s.high = high;
        return s;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Turns the checks of every distribution on or off (on by default). */
    public static void setValidation(boolean on) {
        validating = on;
    }

    public static boolean isValidating() {
        return validating;
    }

    /** Fails, naming {@code who}, the first offending value and its index, unless every entry of {@code value} lies in this support. */
    public void check(String who, Tensor value) {
        if (!validating || value.isBatched()) return;
        double[] v;
        try (var scope = GradMode.noGrad()) {
            v = value.detach().toDoubleArray();
        }
        for (int i = 0; i < v.length; i++) {
            if (!contains.test(v[i])) fail(who, value, "value " + v[i] + " at flat index " + i);
        }
        if (low != null) {
            double[] outside;
            try (var scope = GradMode.noGrad()) {
                Tensor x = value.detach();
                outside = x.lt(low.detach()).logicalOr(x.gt(high.detach())).toDoubleArray();
            }
            for (int i = 0; i < outside.length; i++) {
                if (outside[i] != 0) fail(who, value, "an entry at flat index " + i + " (after broadcasting with the bounds)");
            }
        }
        if (this != SIMPLEX && this != ONE_HOT) return;
        int k = value.dim() == 0 ? 1 : value.shapeRef()[value.dim() - 1];
        for (int row = 0; k > 0 && row < v.length / k; row++) {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += v[row * k + j];
            boolean ok = this == SIMPLEX ? Math.abs(sum - 1) <= 1e-6 : sum == 1;
            if (!ok) fail(who, value, "the entries at flat indices " + row * k + " .. " + (row * k + k - 1) + " sum to " + sum);
        }
    }

    private void fail(String who, Tensor value, String what) {
        throw new IllegalArgumentException(who + ": expected a value in the support (" + name + "), but " + what
                + " of the value of shape " + Shape.format(value.shapeRef()) + " is not");
    }
}
