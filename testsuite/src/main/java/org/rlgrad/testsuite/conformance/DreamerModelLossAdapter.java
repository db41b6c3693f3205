package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DreamerModelLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DreamerModelLoss}: the world-model stand-in of FORMAT-losses.md section 6, four networks
 * run in order — {@code world_model.posterior} ({@code dreamer_gaussian} from {@code next/pixels}),
 * {@code world_model.prior} ({@code dreamer_gaussian} from {@code (state, action)}),
 * {@code world_model.decoder} and {@code reward_model} ({@code dreamer_mlp} from the posterior
 * mean) — as one sequence; config {@code lambda_kl}, {@code lambda_reco}, {@code lambda_reward},
 * {@code reco_loss}, {@code reward_loss}, {@code free_nats}, {@code delayed_clamp},
 * {@code global_average}.
 */
final class DreamerModelLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DreamerModelLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        TensorDictSequential worldModel = new TensorDictSequential(NetworkWirings.wire(c, "world_model.posterior"), NetworkWirings.wire(c, "world_model.prior"),
                NetworkWirings.wire(c, "world_model.decoder"), NetworkWirings.wire(c, "reward_model"));
        return DreamerModelLoss.builder(worldModel)
                .lambdaKl(JsonValues.number(c.config("lambda_kl", 1.0), "config.lambda_kl"))
                .lambdaReco(JsonValues.number(c.config("lambda_reco", 1.0), "config.lambda_reco"))
                .lambdaReward(JsonValues.number(c.config("lambda_reward", 1.0), "config.lambda_reward"))
                .recoLoss(JsonValues.string(c.config("reco_loss", "l2"), "config.reco_loss"))
                .rewardLoss(JsonValues.string(c.config("reward_loss", "l2"), "config.reward_loss"))
                .freeNats(JsonValues.number(c.config("free_nats", 3.0), "config.free_nats"))
                .delayedClamp(JsonValues.bool(c.config("delayed_clamp", false), "config.delayed_clamp"))
                .globalAverage(JsonValues.bool(c.config("global_average", false), "config.global_average"))
                .build();
    }
}
