package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.PPOLoss;

/** {@code PPOLoss}: a stochastic {@code actor} and a {@code state_value} {@code critic}; the common PPO config ({@link PPOCaseConfig}). */
final class PPOLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "PPOLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        PPOLoss.Builder<?> b = PPOLoss.builder(PPOCaseConfig.actor(c), PPOCaseConfig.critic(c));
        PPOCaseConfig.common(c, b);
        PPOLoss loss = b.clipValue(PPOCaseConfig.clipValue(c)).build();
        loss.setRandomSource(draws);
        return PPOCaseConfig.finish(c, loss);
    }
}
