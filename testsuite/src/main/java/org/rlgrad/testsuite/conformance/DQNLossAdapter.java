package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DQNLoss;
import org.rlgrad.losses.LossModule;

/** {@code DQNLoss}: one {@code q_values} network {@code value}; config {@code loss_function}, {@code delay_value}, {@code double_dqn}, {@code action_space}, {@code reduction}. */
final class DQNLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DQNLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        return DQNLoss.builder(NetworkWirings.wire(c, "value"))
                .lossFunction(JsonValues.string(c.config("loss_function", "l2"), "config.loss_function"))
                .delayValue(JsonValues.bool(c.config("delay_value", true), "config.delay_value"))
                .doubleDqn(JsonValues.bool(c.config("double_dqn", false), "config.double_dqn"))
                .actionSpace(JsonValues.string(c.config("action_space", "one_hot"), "config.action_space"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .prioritizedWeights(LossCaseConfig.prioritizedWeights(c))
                .build();
    }

    @Override
    public String lossNetworkName(String caseName) {
        return DQNLoss.VALUE_NETWORK;
    }
}
