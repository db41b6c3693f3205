package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DDPGLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DDPGLoss}: a {@code deterministic_policy} network {@code actor} and a
 * {@code state_action_value} network {@code value}; config {@code loss_function},
 * {@code delay_actor}, {@code delay_value}, {@code separate_losses}, {@code reduction}. The case's
 * {@code target_networks} name the networks by the loss's own names, so the default target loading
 * applies.
 */
final class DDPGLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DDPGLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        DDPGLoss loss = DDPGLoss.builder(NetworkWirings.wire(c, "actor"), NetworkWirings.wire(c, "value"))
                .lossFunction(JsonValues.string(c.config("loss_function", "l2"), "config.loss_function"))
                .delayActor(JsonValues.bool(c.config("delay_actor", false), "config.delay_actor"))
                .delayValue(JsonValues.bool(c.config("delay_value", true), "config.delay_value"))
                .separateLosses(JsonValues.bool(c.config("separate_losses", false), "config.separate_losses"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .prioritizedWeights(LossCaseConfig.prioritizedWeights(c))
                .build();
        loss.setRandomSource(draws);
        return loss;
    }

    @Override
    public String lossNetworkName(String caseName) {
        return switch (caseName) {
            case "actor" -> DDPGLoss.ACTOR;
            case "value" -> DDPGLoss.VALUE;
            default -> throw new MalformedCaseException("DDPGLoss: unknown network '" + caseName + "'; expected actor or value");
        };
    }
}
