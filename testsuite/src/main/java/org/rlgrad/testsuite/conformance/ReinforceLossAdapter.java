package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.ReinforceLoss;

/**
 * {@code ReinforceLoss}: a stochastic {@code actor} and a {@code state_value} {@code critic};
 * config {@code delay_value}, {@code loss_critic_type}, {@code clip_value}, {@code reduction}; the
 * case's GAE. Runs with {@code referenceCompat(true)} (DECISIONS.md rule 3): the vectors score the
 * actor's deterministic action, written over the batch's action.
 */
final class ReinforceLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "ReinforceLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        ReinforceLoss loss = ReinforceLoss.builder(OnPolicyCaseConfig.actor(c), NetworkWirings.wire(c, "critic"))
                .delayValue(JsonValues.bool(c.config("delay_value", false), "config.delay_value"))
                .lossCriticType(JsonValues.string(c.config("loss_critic_type", "smooth_l1"), "config.loss_critic_type"))
                .clipValue(OnPolicyCaseConfig.clipValue(c))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .referenceCompat(true)
                .build();
        OnPolicyCaseConfig.valueEstimator(c, loss, ReinforceLoss.CRITIC);
        loss.setRandomSource(draws);
        return loss;
    }
}
