package org.rlgrad.engine.backend;

/** Element-wise binary kernels with NumPy broadcasting. Comparisons and logical ops produce bool. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW,
    /** Element-wise max/min; NaN propagates (torch.maximum). */
    MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE,
    LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR;

    private final String displayName = name().toLowerCase(java.util.Locale.ROOT);

    /** The op's name as error messages show it ({@code add}, {@code logical_and}). */
    public String displayName() {
        return displayName;
    }

    public boolean producesBool() {
        return ordinal() >= EQ.ordinal();
    }

    public boolean isLogical() {
        return this == LOGICAL_AND || this == LOGICAL_OR || this == LOGICAL_XOR;
    }
}
