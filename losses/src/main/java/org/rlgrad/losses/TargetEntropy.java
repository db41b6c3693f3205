package org.rlgrad.losses;

import org.rlgrad.engine.tensor.Tensor;

/**
 * The target entropy {@code H̄} of a continuous-action loss of the SAC family (spec losses.md
 * §1.10; SAC, REDQ, CrossQ, CQL): the number given, else "auto" = minus the number of action
 * components per sample. rlgrad has no action specs, so "auto" takes the action shape given at
 * construction, or else the shape of the data's action (without the batch dims) at the first call,
 * and keeps it from then on.
 */
final class TargetEntropy {
    private Double value;

    /** {@code given} wins; else {@code actionShape} resolves "auto" now; else it waits for the data (both null). */
    TargetEntropy(Double given, int[] actionShape) {
        this.value = given != null ? given : actionShape != null ? Double.valueOf(EntropyTemperature.autoTargetEntropy(actionShape)) : null;
    }

    /** {@code H̄}, or null while "auto" waits for the first data. */
    Double value() {
        return value;
    }

    /** {@code H̄}, resolving "auto" from {@code action} (its dims after the first {@code batchDims}) if it is still open. */
    double resolve(Tensor action, int batchDims) {
        if (value == null) value = EntropyTemperature.autoTargetEntropy(action, batchDims);
        return value;
    }

    /** The number, or {@code "auto"} while unresolved (for {@code toString}). */
    @Override
    public String toString() {
        return value == null ? "auto" : String.valueOf(value);
    }
}
