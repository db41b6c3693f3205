package org.rlgrad.testsuite.conformance;

import org.rlgrad.losses.LossModule;

/** Config values several loss adapters read the same way. */
final class LossCaseConfig {
    private LossCaseConfig() {}

    /** {@code use_prioritized_weights}: {@code "auto"} (default), true or false. */
    static LossModule.PrioritizedWeights prioritizedWeights(LossCase c) {
        Object v = c.config("use_prioritized_weights", "auto");
        if ("auto".equals(v)) return LossModule.PrioritizedWeights.AUTO;
        if (v instanceof Boolean b) return b ? LossModule.PrioritizedWeights.ON : LossModule.PrioritizedWeights.OFF;
        throw new MalformedCaseException("config.use_prioritized_weights: expected \"auto\", true or false, got " + JsonValues.describe(v));
    }
}
