package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DreamerValueLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DreamerValueLoss}: one {@code state_value} network {@code value} over
 * {@code (state, belief)}; the batch holds the imagined {@code [B, H]} data with its
 * {@code lambda_target}, so the loss only reads the target and nothing here depends on how the
 * actor loss computed it (no referenceCompat needed); config {@code value_loss},
 * {@code discount_loss}, {@code gamma}.
 */
final class DreamerValueLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DreamerValueLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        return DreamerValueLoss.builder(NetworkWirings.wire(c, "value"))
                .valueLoss(JsonValues.string(c.config("value_loss", "l2"), "config.value_loss"))
                .discountLoss(JsonValues.bool(c.config("discount_loss", true), "config.discount_loss"))
                .gamma(JsonValues.number(c.config("gamma", 0.99), "config.gamma"))
                .build();
    }

    @Override
    public String lossNetworkName(String caseName) {
        return DreamerValueLoss.VALUE_MODEL;
    }
}
