package org.rlgrad.engine.tensor;

/**
 * Element types. Promotion follows PyTorch: bool &lt; int64 &lt; float32 &lt; float64 within a
 * category ordering, and a 0-dim operand does not promote a dimensioned operand of the same
 * category (see {@link #promote(Tensor, Tensor)}).
 */
public enum DType {
    BOOL("bool", 0),
    INT64("int64", 1),
    FLOAT32("float32", 2),
    FLOAT64("float64", 3);

    private final String label;
    private final int rank;

    DType(String label, int rank) {
        this.label = label;
        this.rank = rank;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** Category used by promotion: 0 bool, 1 integer, 2 floating. */
    int category() {
        return switch (this) {
            case BOOL -> 0;
            case INT64 -> 1;
            case FLOAT32, FLOAT64 -> 2;
        };
    }

    /** The wider of two dtypes. */
    public static DType max(DType a, DType b) {
        return a.rank >= b.rank ? a : b;
    }

    /**
     * Result dtype of a binary op. Dimensioned operands win over 0-dim operands of the same
     * category: {@code float32[3] + float64[]} is float32, {@code int64[3] + float32[]} is float32.
     */
    public static DType promote(Tensor a, Tensor b) {
        DType da = a.dtype(), db = b.dtype();
        if (da == db) return da;
        boolean aScalar = a.dim() == 0, bScalar = b.dim() == 0;
        if (aScalar == bScalar) return max(da, db);
        DType dimensioned = aScalar ? db : da;
        DType scalar = aScalar ? da : db;
        return scalar.category() > dimensioned.category() ? scalar : dimensioned;
    }

    /** Result dtype when combining a tensor with a Java double (a "weak" scalar, as in Python). */
    public static DType promoteWithScalar(DType tensorType) {
        return tensorType.isFloating() ? tensorType : FLOAT32;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Machine epsilon of a floating dtype. */
    public double eps() {
        return switch (this) {
            case FLOAT32 -> Math.ulp(1.0f);
            case FLOAT64 -> Math.ulp(1.0);
            default -> throw new IllegalArgumentException("eps: " + this + " is not a floating dtype");
        };
    }

    /** Most negative finite value. */
    public double minValue() {
        return switch (this) {
            case FLOAT32 -> -Float.MAX_VALUE;
            case FLOAT64 -> -Double.MAX_VALUE;
            case INT64 -> Long.MIN_VALUE;
            case BOOL -> 0;
        };
    }

    /** Largest finite value. */
    public double maxValue() {
        return switch (this) {
            case FLOAT32 -> Float.MAX_VALUE;
            case FLOAT64 -> Double.MAX_VALUE;
            case INT64 -> Long.MAX_VALUE;
            case BOOL -> 1;
        };
    }

    /** Decimal resolution as PyTorch's finfo reports it (1e-6 for float32, 1e-15 for float64). */
    public double resolution() {
        return switch (this) {
            case FLOAT32 -> 1e-6;
            case FLOAT64 -> 1e-15;
            default -> throw new IllegalArgumentException("resolution: " + this + " is not a floating dtype");
        };
    }
}
