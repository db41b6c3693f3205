package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DiscreteIQLLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DiscreteIQLLoss}: a {@code one_hot_categorical_policy} {@code actor}, a {@code q_values}
 * ensemble {@code qvalue} writing {@code state_action_value} (target copy loaded from the case)
 * and a {@code state_value} {@code value}; config {@code action_space}, {@code loss_function},
 * {@code temperature}, {@code expectile}, {@code num_qvalue_nets}, {@code reduction}.
 */
final class DiscreteIQLLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DiscreteIQLLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        return DiscreteIQLLoss.builder(IQLLossAdapter.actor(c), NetworkWirings.wireMembers(c, "qvalue"), NetworkWirings.wire(c, "value"))
                .actionSpace(JsonValues.string(c.config("action_space", "one_hot"), "config.action_space"))
                .numQvalueNets((int) JsonValues.number(c.config("num_qvalue_nets", 2), "config.num_qvalue_nets"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .temperature(JsonValues.number(c.config("temperature", 1.0), "config.temperature"))
                .expectile(JsonValues.number(c.config("expectile", 0.5), "config.expectile"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .build();
    }
}
