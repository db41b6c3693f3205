package org.rlgrad.losses;

import java.util.Locale;

/**
 * What a loss does with its scalar metrics ({@code alpha}, {@code entropy}) when
 * {@code reduction = "none"} (spec losses.md §1.8, {@code scalar_output_mode}): in the reference
 * the output dict then has the batch shape {@code *B}, where a scalar cannot be stored as a tensor.
 * <ul>
 *   <li>{@link #EXCLUDE}: the scalars are left out;</li>
 *   <li>{@link #NON_TENSOR}: the scalars are kept. rlgrad's output dicts have batch {@code []}
 *       whatever the reduction (the per-element losses of an ensemble loss, {@code [N, *B]}, share
 *       no leading batch dim with the rest), so a kept scalar is an ordinary 0-dim tensor;</li>
 *   <li>null (the default): as {@link #EXCLUDE}, after a warning.</li>
 * </ul>
 * Other reductions ignore the option: scalars are always written.
 */
public enum ScalarOutputMode {
    EXCLUDE, NON_TENSOR;

    /** {@code "exclude"} or {@code "non_tensor"} (case-insensitive), null for null; anything else is an error. */
    public static ScalarOutputMode parse(String name) {
        if (name == null) return null;
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "exclude" -> EXCLUDE;
            case "non_tensor" -> NON_TENSOR;
            default -> throw new IllegalArgumentException("scalar_output_mode: expected null, \"exclude\" or \"non_tensor\", got '" + name + "'");
        };
    }
}
