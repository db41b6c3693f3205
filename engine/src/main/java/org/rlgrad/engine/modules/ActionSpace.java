package org.rlgrad.engine.modules;

import java.util.Locale;

/**
 * How a Q-value module encodes its greedy action (spec engine.md 3.10): {@link #ONE_HOT} (a
 * one-hot vector), {@link #MULT_ONE_HOT} (one one-hot block per sub-action, block sizes
 * {@code varNums}), {@link #CATEGORICAL} (an index) or {@link #BINARY} (accepted by name, as in
 * the reference, but not implemented when used).
 */
public enum ActionSpace {
    ONE_HOT,
    MULT_ONE_HOT,
    BINARY,
    CATEGORICAL;

    /**
     * The space named {@code name}, with {@code -} or {@code _}: {@code one_hot}, {@code mult_one_hot}
     * (also {@code multi_one_hot}), {@code binary}, {@code categorical}; anything else is an error.
     */
    public static ActionSpace parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "one_hot" -> ONE_HOT;
            case "mult_one_hot", "multi_one_hot" -> MULT_ONE_HOT;
            case "binary" -> BINARY;
            case "categorical" -> CATEGORICAL;
            default -> throw new IllegalArgumentException("action space: expected one of one_hot, mult_one_hot (multi_one_hot), binary, categorical "
                    + "(with '-' or '_'), got " + (name == null ? "null" : "\"" + name + "\""));
        };
    }
}
