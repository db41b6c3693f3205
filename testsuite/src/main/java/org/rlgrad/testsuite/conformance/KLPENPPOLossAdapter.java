package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.KLPENPPOLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code KLPENPPOLoss}: a stochastic {@code actor} and a {@code state_value} {@code critic}; the
 * common PPO config ({@link PPOCaseConfig}) plus {@code dtarg}, {@code beta} (the starting value
 * from {@code state_before.beta} when given), {@code increment}, {@code decrement},
 * {@code samples_mc_kl}, {@code clip_value}; state {@code beta}. The reference's gradient of the KL
 * term is scaled by the updated β (FORMAT-losses.md section 6), a deviation rlgrad keeps behind
 * {@code referenceCompat}, as DECISIONS rule 3 does for its list; so it is on here.
 */
final class KLPENPPOLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "KLPENPPOLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        Tensor betaBefore = c.stateBefore().get("beta");
        double beta = betaBefore != null ? betaBefore.item() : JsonValues.number(c.config("beta", 1.0), "config.beta");
        KLPENPPOLoss.Builder b = KLPENPPOLoss.builder(PPOCaseConfig.actor(c), PPOCaseConfig.critic(c));
        PPOCaseConfig.common(c, b);
        KLPENPPOLoss loss = b.clipValue(PPOCaseConfig.clipValue(c))
                .dtarg(JsonValues.number(c.config("dtarg", 0.01), "config.dtarg"))
                .beta(beta)
                .increment(JsonValues.number(c.config("increment", 2.0), "config.increment"))
                .decrement(JsonValues.number(c.config("decrement", 0.5), "config.decrement"))
                .samplesMcKl(JsonValues.integer(c.config("samples_mc_kl", 1), "config.samples_mc_kl"))
                .referenceCompat(true)
                .build();
        loss.setRandomSource(draws);
        return PPOCaseConfig.finish(c, loss);
    }

    @Override
    public Map<String, Tensor> state(LossModule loss) {
        return Map.of("beta", Tensor.scalar(((KLPENPPOLoss) loss).beta(), DType.FLOAT64));
    }
}
