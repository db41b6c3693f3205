package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.A2CLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code A2CLoss}: a stochastic {@code actor} ({@code independent_normal_policy} or
 * {@code categorical_policy}) and a {@code state_value} {@code critic}; config
 * {@code entropy_bonus}, {@code samples_mc_entropy}, {@code entropy_coeff}, {@code critic_coeff},
 * {@code loss_critic_type}, {@code clip_value}, {@code reduction}; the case's GAE.
 */
final class A2CLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "A2CLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        A2CLoss loss = A2CLoss.builder(OnPolicyCaseConfig.actor(c), NetworkWirings.wire(c, "critic"))
                .entropyBonus(JsonValues.bool(c.config("entropy_bonus", true), "config.entropy_bonus"))
                .samplesMcEntropy(JsonValues.integer(c.config("samples_mc_entropy", 1), "config.samples_mc_entropy"))
                .entropyCoeff(OnPolicyCaseConfig.nullableNumber(c, "entropy_coeff", 0.01))
                .criticCoeff(OnPolicyCaseConfig.nullableNumber(c, "critic_coeff", 1.0))
                .lossCriticType(JsonValues.string(c.config("loss_critic_type", "smooth_l1"), "config.loss_critic_type"))
                .clipValue(OnPolicyCaseConfig.clipValue(c))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .build();
        OnPolicyCaseConfig.valueEstimator(c, loss, A2CLoss.CRITIC);
        loss.setRandomSource(draws);
        return loss;
    }
}
