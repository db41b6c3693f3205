package org.rlgrad.testsuite.conformance;

import java.util.List;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.ClipPPOLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code ClipPPOLoss}: a stochastic {@code actor} (or a {@code composite_policy} with its heads'
 * networks {@code actor.<head>}) and a {@code state_value} {@code critic}; the common PPO config
 * ({@link PPOCaseConfig}) plus {@code clip_epsilon} (a number or a {@code [low, high]} pair) and
 * {@code clip_value} (a number, a boolean or null).
 */
final class ClipPPOLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "ClipPPOLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        ClipPPOLoss.Builder b = ClipPPOLoss.builder(PPOCaseConfig.actor(c), PPOCaseConfig.critic(c));
        PPOCaseConfig.common(c, b);
        Object eps = c.config("clip_epsilon", 0.2);
        if (eps instanceof List<?> pair) {
            if (pair.size() != 2) throw new MalformedCaseException("config.clip_epsilon: expected a number or a [low, high] pair, got " + JsonValues.describe(eps));
            b.clipEpsilon(JsonValues.number(pair.get(0), "config.clip_epsilon[0]"), JsonValues.number(pair.get(1), "config.clip_epsilon[1]"));
        } else {
            b.clipEpsilon(JsonValues.number(eps, "config.clip_epsilon"));
        }
        Object clip = c.config("clip_value", null);
        if (clip instanceof Boolean flag) b.clipValue((boolean) flag);
        else b.clipValue(PPOCaseConfig.clipValue(c));
        ClipPPOLoss loss = b.build();
        loss.setRandomSource(draws);
        return PPOCaseConfig.finish(c, loss);
    }
}
