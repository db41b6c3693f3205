package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.OnlineDTLoss;

/**
 * {@code OnlineDTLoss}: one {@code tanh_normal_policy} network {@code actor} applied at every
 * {@code [B, T]} position; config {@code alpha_init}, {@code min_alpha}, {@code max_alpha},
 * {@code fixed_alpha}, {@code target_entropy}, {@code samples_mc_entropy}, {@code reduction}. The
 * {@code [mc, B, T, A]} entropy draw is replayed; the loss parameter {@code log_alpha} is exposed.
 */
final class OnlineDTLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "OnlineDTLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        OnlineDTLoss loss = OnlineDTLoss.builder((ProbabilisticTensorDictSequential) NetworkWirings.wire(c, "actor"))
                .alphaInit(JsonValues.number(c.config("alpha_init", 1.0), "config.alpha_init"))
                .minAlpha(TemperatureCaseConfig.optionalNumber(c, "min_alpha", null))
                .maxAlpha(TemperatureCaseConfig.optionalNumber(c, "max_alpha", null))
                .fixedAlpha(JsonValues.bool(c.config("fixed_alpha", false), "config.fixed_alpha"))
                .targetEntropy(TemperatureCaseConfig.targetEntropy(c))
                .samplesMcEntropy(JsonValues.integer(c.config("samples_mc_entropy", 1), "config.samples_mc_entropy"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .build();
        loss.setRandomSource(draws);
        TemperatureCaseConfig.loadLogAlpha(c, loss.logAlpha());
        return loss;
    }

    @Override
    public String lossNetworkName(String caseName) {
        return OnlineDTLoss.ACTOR;
    }

    @Override
    public Map<String, Tensor> lossParameters(LossModule loss) {
        return Map.of("log_alpha", ((OnlineDTLoss) loss).logAlpha());
    }
}
