package org.rlgrad.engine.tensor;

/** How a loss function reduces its element-wise values, as in torch.nn.functional. */
public enum Reduction {
    NONE, MEAN, SUM;

    public static Reduction parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> NONE;
            case "mean" -> MEAN;
            case "sum" -> SUM;
            default -> throw new IllegalArgumentException("reduction: expected one of none, mean, sum; got '" + s + "'");
        };
    }
}
