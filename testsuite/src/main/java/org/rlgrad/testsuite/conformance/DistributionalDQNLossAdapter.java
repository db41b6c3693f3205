package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DistributionalDQNLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DistributionalDQNLoss}: one {@code distributional_q_values} network {@code value} (its
 * support from {@code config.support}); config {@code gamma} (required), {@code delay_value},
 * {@code action_space}, {@code reduction}, {@code use_prioritized_weights}.
 */
final class DistributionalDQNLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DistributionalDQNLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        Object gamma = c.config("gamma", null);
        if (gamma == null) throw new MalformedCaseException("config.gamma: DistributionalDQNLoss requires gamma, the case has none");
        return DistributionalDQNLoss.builder(NetworkWirings.wire(c, "value"), JsonValues.number(gamma, "config.gamma"))
                .delayValue(JsonValues.bool(c.config("delay_value", true), "config.delay_value"))
                .actionSpace(JsonValues.string(c.config("action_space", "one_hot"), "config.action_space"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .prioritizedWeights(LossCaseConfig.prioritizedWeights(c))
                .build();
    }

    @Override
    public String lossNetworkName(String caseName) {
        return DistributionalDQNLoss.VALUE_NETWORK;
    }
}
