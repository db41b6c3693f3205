package org.rlgrad.estimators;

import java.util.Objects;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A discount γ, a trace decay λ or a V-trace threshold: a plain number or a tensor (spec
 * estimators.md §2.2). A tensor with one element (shape {@code []} or {@code [1]}) behaves like
 * the number but keeps its gradient; a tensor with several elements gives per-step values when it
 * has the data's shape, and is otherwise broadcast against the data. Each function says which
 * forms it accepts.
 */
public sealed interface Coefficient {
    /** A plain number; it becomes a constant of the data's dtype (never rounded to float32, spec §2.3). */
    record Number(double value) implements Coefficient {}

    /** A tensor; gradients flow into it. */
    record OfTensor(Tensor tensor) implements Coefficient {
        public OfTensor {
            Objects.requireNonNull(tensor, "tensor");
        }
    }

    static Coefficient of(double value) {
        return new Number(value);
    }

    static Coefficient of(Tensor tensor) {
        return new OfTensor(tensor);
    }

    /** True for a number or a one-element tensor: a single value for every step. */
    default boolean isSingle() {
        return switch (this) {
            case Number n -> true;
            case OfTensor t -> t.tensor().numel() == 1;
        };
    }
}
