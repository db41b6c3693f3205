package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.REDQLoss;

/**
 * {@code REDQLoss}: a {@code tanh_normal_policy} {@code actor} and a {@code state_action_value}
 * ensemble {@code qvalue}; config {@code num_qvalue_nets}, {@code sub_sample_len},
 * {@code loss_function}, {@code alpha_init}, {@code min_alpha}, {@code max_alpha},
 * {@code fixed_alpha}, {@code target_entropy}, {@code delay_qvalue}, {@code reduction}. The loss
 * parameter {@code log_alpha} is exposed.
 */
final class REDQLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "REDQLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        if (JsonValues.bool(c.config("delay_actor", false), "config.delay_actor")) {
            throw new MalformedCaseException("config.delay_actor: REDQLoss never has a delayed actor, got true");
        }
        REDQLoss.Builder b = REDQLoss.builder((ProbabilisticTensorDictSequential) NetworkWirings.wire(c, "actor"), NetworkWirings.wireMembers(c, "qvalue"))
                .subSampleLen(JsonValues.integer(c.config("sub_sample_len", 2), "config.sub_sample_len"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .alphaInit(JsonValues.number(c.config("alpha_init", 1.0), "config.alpha_init"))
                .minAlpha(TemperatureCaseConfig.optionalNumber(c, "min_alpha", 0.1))
                .maxAlpha(TemperatureCaseConfig.optionalNumber(c, "max_alpha", 10.0))
                .fixedAlpha(JsonValues.bool(c.config("fixed_alpha", false), "config.fixed_alpha"))
                .delayQvalue(JsonValues.bool(c.config("delay_qvalue", true), "config.delay_qvalue"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"));
        if (c.config().containsKey("num_qvalue_nets")) b.numQvalueNets(JsonValues.integer(c.config("num_qvalue_nets", 10), "config.num_qvalue_nets"));
        Double h = TemperatureCaseConfig.targetEntropy(c);
        if (h != null) b.targetEntropy(h);
        REDQLoss loss = b.build();
        loss.setRandomSource(draws);
        TemperatureCaseConfig.valueEstimator(c, loss);
        TemperatureCaseConfig.loadLogAlpha(c, loss.logAlpha());
        return loss;
    }

    @Override
    public Map<String, Tensor> lossParameters(LossModule loss) {
        return Map.of("log_alpha", ((REDQLoss) loss).logAlpha());
    }
}
