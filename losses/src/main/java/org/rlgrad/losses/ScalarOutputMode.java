package org.rlgrad.losses;

import java.util.List;

import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * What happens to a loss's scalar metrics ({@code alpha}, {@code entropy}) when its losses are not
 * reduced (spec losses.md §1.8, {@code scalar_output_mode}; SAC, discrete SAC, REDQ, CrossQ, IQL,
 * CQL, online DT).
 *
 * <p>In the reference the output dict then takes the batch shape, so a scalar cannot be stored as
 * a tensor there: {@link #EXCLUDE} drops it, {@link #NON_TENSOR} stores it as an opaque entry, and
 * no choice (null) drops it after a warning. rlgrad's output dicts always have batch size
 * {@code []} (a {@code [B]} loss fits there), so {@link #NON_TENSOR} keeps the metrics as the
 * scalar tensors they are; the visible behaviour is the reference's: present or absent.
 */
public enum ScalarOutputMode {
    EXCLUDE,
    NON_TENSOR;

    private static final System.Logger LOG = System.getLogger(ScalarOutputMode.class.getName());

    /** {@code "exclude"}, {@code "non_tensor"} (any case, {@code -} or {@code _}), or null (no choice). */
    public static ScalarOutputMode parse(String name) {
        if (name == null) return null;
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_')) {
            case "exclude" -> EXCLUDE;
            case "non_tensor" -> NON_TENSOR;
            default -> throw new IllegalArgumentException("scalar_output_mode: expected one of exclude, non_tensor or null, got \"" + name + "\"");
        };
    }

    /**
     * Removes {@code metrics} from {@code out} where {@code mode} says so: only with
     * {@code reduction = none}, and with {@code mode = null} after a warning naming the loss
     * (unless {@code warnedBefore}). Returns whether the loss has warned now or before.
     */
    static boolean apply(String lossName, ScalarOutputMode mode, Reduction reduction, TensorDict out, List<String> metrics, boolean warnedBefore) {
        if (reduction != Reduction.NONE || mode == NON_TENSOR) return warnedBefore;
        if (mode == null && !warnedBefore) {
            LOG.log(System.Logger.Level.WARNING, () -> lossName + ": reduction=none with scalar_output_mode=null; the scalar metrics " + metrics
                    + " are left out of the output (choose exclude or non_tensor to silence this)");
        }
        for (String m : metrics) if (out.contains(m)) out.remove(m);
        return warnedBefore || mode == null;
    }
}
