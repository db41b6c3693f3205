package org.rlgrad.losses;

import java.util.Locale;

/**
 * What a loss does with its scalar metrics ({@code alpha}, {@code entropy}) when the reduction is
 * {@code none} (spec losses.md §1.8, TorchRL's {@code scalar_output_mode}). The per-element losses
 * then keep the batch shape, and the reference's output dict takes that batch shape, which a scalar
 * cannot have.
 * <ul>
 *   <li>{@link #EXCLUDE}: the scalar metrics are left out of the output;</li>
 *   <li>{@link #NON_TENSOR}: they are kept. The reference stores them as opaque non-tensor
 *       entries; rlgrad's loss output keeps batch size {@code []} under every reduction, so they
 *       stay what they are, 0-d tensors.</li>
 * </ul>
 * Not choosing one (null) behaves as {@link #EXCLUDE} after a warning. Other reductions ignore
 * the setting.
 */
public enum ScalarOutputMode {
    EXCLUDE, NON_TENSOR;

    /** {@code "exclude"} or {@code "non_tensor"} (case-insensitive, {@code -} or {@code _}); null gives null; anything else is an error. */
    public static ScalarOutputMode parse(String name) {
        if (name == null) return null;
        return switch (name.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "exclude" -> EXCLUDE;
            case "non_tensor" -> NON_TENSOR;
            default -> throw new IllegalArgumentException("scalar_output_mode: expected one of exclude, non_tensor or null, got \"" + name + "\"");
        };
    }
}
