package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.GAILLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code GAILLoss}: one {@code discriminator} network; config {@code use_grad_penalty},
 * {@code gp_lambda} (with the penalty), {@code reduction}. The penalty's two uniform draws are
 * replayed from the case.
 */
final class GAILLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "GAILLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        GAILLoss.Builder b = GAILLoss.builder(NetworkWirings.wire(c, "discriminator"))
                .useGradPenalty(JsonValues.bool(c.config("use_grad_penalty", false), "config.use_grad_penalty"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"));
        Object lambda = c.config("gp_lambda", null);
        if (lambda != null) b.gpLambda(JsonValues.number(lambda, "config.gp_lambda"));
        return b.build().setRandomSource(draws);
    }

    @Override
    public String lossNetworkName(String caseName) {
        return GAILLoss.DISCRIMINATOR;
    }
}
