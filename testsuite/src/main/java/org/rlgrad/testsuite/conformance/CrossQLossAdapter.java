package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.CrossQLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code CrossQLoss}: a {@code tanh_normal_policy} {@code actor} and a {@code state_action_value}
 * ensemble {@code qvalue} (plain MLPs in the vectors, no target copies); config
 * {@code num_qvalue_nets}, {@code loss_function}, {@code alpha_init}, {@code min_alpha},
 * {@code max_alpha}, {@code fixed_alpha}, {@code target_entropy}, {@code reduction}. The loss
 * parameter {@code log_alpha} is exposed.
 */
final class CrossQLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "CrossQLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        CrossQLoss.Builder b = CrossQLoss.builder((ProbabilisticTensorDictSequential) NetworkWirings.wire(c, "actor"), NetworkWirings.wireMembers(c, "qvalue"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .alphaInit(JsonValues.number(c.config("alpha_init", 1.0), "config.alpha_init"))
                .minAlpha(TemperatureCaseConfig.optionalNumber(c, "min_alpha", null))
                .maxAlpha(TemperatureCaseConfig.optionalNumber(c, "max_alpha", null))
                .fixedAlpha(JsonValues.bool(c.config("fixed_alpha", false), "config.fixed_alpha"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"));
        if (c.config().containsKey("num_qvalue_nets")) b.numQvalueNets(JsonValues.integer(c.config("num_qvalue_nets", 2), "config.num_qvalue_nets"));
        Double h = TemperatureCaseConfig.targetEntropy(c);
        if (h != null) b.targetEntropy(h);
        CrossQLoss loss = b.build();
        loss.setRandomSource(draws);
        TemperatureCaseConfig.valueEstimator(c, loss);
        TemperatureCaseConfig.loadLogAlpha(c, loss.logAlpha());
        return loss;
    }

    @Override
    public Map<String, Tensor> lossParameters(LossModule loss) {
        return Map.of("log_alpha", ((CrossQLoss) loss).logAlpha());
    }
}
