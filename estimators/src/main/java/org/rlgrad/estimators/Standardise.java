package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;

/**
 * The estimators' standardisation, {@code (x − mean(x)) / max(std(x), floor)} with the unbiased
 * std (spec estimators.md §6.10: {@code average_rewards}, {@code average_gae},
 * {@code average_adv}). A single element has no unbiased std: the result is then NaN, as in the
 * reference (§8 item 11). The floor keeps a constant signal from being divided by zero.
 */
final class Standardise {
    private Standardise() {}

    /** Over all elements. */
    static Tensor all(Tensor x, double floor) {
        return x.sub(x.mean()).div(x.std().clampMin(floor));
    }

    /** Over {@code dims} only, statistics kept per remaining index (multi-agent GAE: per agent). */
    static Tensor over(Tensor x, int[] dims, double floor) {
        return x.sub(x.mean(dims, true)).div(x.std(dims, 1, true).clampMin(floor));
    }
}
