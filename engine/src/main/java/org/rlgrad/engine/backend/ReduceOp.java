package org.rlgrad.engine.backend;

import org.rlgrad.engine.tensor.DType;

/** Reductions over a set of dims. SUM/PROD keep the input dtype (bool sums to int64); ANY/ALL give bool. */
public enum ReduceOp {
    SUM, PROD,
    /** NaN propagates. */
    MAX, MIN,
    ANY, ALL;

    /** The dtype of this reduction of an {@code input} tensor, the same on every backend. */
    public DType resultType(DType input) {
        return switch (this) {
            case ANY, ALL -> DType.BOOL;
            case SUM, PROD -> input == DType.BOOL ? DType.INT64 : input;
            case MAX, MIN -> input;
        };
    }
}
