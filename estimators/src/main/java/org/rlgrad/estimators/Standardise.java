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

    /**
     * Over the entries {@code mask} marks (a boolean broadcasting against {@code x}), along
     * {@code dims} (null: all), statistics kept per remaining index: masked mean and masked
     * <em>biased</em> std (divided by the count, at least 1), as the reference's masked variant
     * (spec estimators.md §6.10, §8 item 11). Entries outside the mask are standardised with the
     * same statistics and take no part in them.
     */
    static Tensor masked(Tensor x, Tensor mask, int[] dims, double floor) {
        if (dims == null) {
            dims = new int[x.dim()];
            for (int i = 0; i < dims.length; i++) dims[i] = i;
        }
        Tensor m = mask.to(org.rlgrad.engine.tensor.DType.BOOL).expand(x.shape());
        Tensor count = m.to(x.dtype()).sum(dims, true).clampMin(1);
        Tensor mean = Tensor.where(m, x, 0.0).sum(dims, true).div(count);
        Tensor centred = x.sub(mean);
        Tensor std = Tensor.where(m, centred, 0.0).square().sum(dims, true).div(count).sqrt();
        return centred.div(std.clampMin(floor));
    }

    /** Over {@code dims} only, statistics kept per remaining index (multi-agent GAE: per agent). */
    static Tensor over(Tensor x, int[] dims, double floor) {
        return x.sub(x.mean(dims, true)).div(x.std(dims, 1, true).clampMin(floor));
    }
}
