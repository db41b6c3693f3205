package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DiscreteCQLLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DiscreteCQLLoss}: one {@code q_values} network {@code value}; config {@code loss_function},
 * {@code delay_value}, {@code action_space}, {@code reduction}. Runs with
 * {@code.referenceCompat(true)} (DECISIONS.md rule 3): TorchRL bootstraps from the online network,
 * so the case's target copy is loaded but not read.
 */
final class DiscreteCQLLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DiscreteCQLLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        return DiscreteCQLLoss.builder(NetworkWirings.wire(c, "value"))
                .lossFunction(JsonValues.string(c.config("loss_function", "l2"), "config.loss_function"))
                .delayValue(JsonValues.bool(c.config("delay_value", true), "config.delay_value"))
                .actionSpace(JsonValues.string(c.config("action_space", "one_hot"), "config.action_space"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .referenceCompat(true)
                .build();
    }

    @Override
    public String lossNetworkName(String caseName) {
        return DiscreteCQLLoss.VALUE_NETWORK;
    }
}
