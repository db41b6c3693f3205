package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.SACLoss;

/**
 * {@code SACLoss}: a {@code tanh_normal_policy} {@code actor}, an ensemble {@code qvalue} of
 * {@code state_action_value} critics and, in version 1, a {@code state_value} network
 * {@code value}; config {@code version}, {@code num_qvalue_nets}, {@code loss_function},
 * {@code alpha_init}, {@code min_alpha}, {@code max_alpha}, {@code fixed_alpha},
 * {@code target_entropy}, {@code delay_actor}, {@code delay_qvalue}, {@code delay_value},
 * {@code reduction}, {@code scalar_output_mode}, {@code use_prioritized_weights}. Loss parameter
 * {@code log_alpha}.
 */
final class SACLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "SACLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        if (!(NetworkWirings.wire(c, "actor") instanceof ProbabilisticTensorDictSequential actor)) {
            throw new MalformedCaseException("wiring.actor: SACLoss needs a stochastic policy");
        }
        int version = JsonValues.integer(c.config("version", 2), "config.version");
        SACLoss.Builder b = SACLoss.builder(actor, NetworkWirings.wireMembers(c, "qvalue"))
                .numQvalueNets(JsonValues.integer(c.config("num_qvalue_nets", 2), "config.num_qvalue_nets"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .alphaInit(JsonValues.number(c.config("alpha_init", 1.0), "config.alpha_init"))
                .minAlpha(optionalNumber(c, "min_alpha"))
                .maxAlpha(optionalNumber(c, "max_alpha"))
                .fixedAlpha(JsonValues.bool(c.config("fixed_alpha", false), "config.fixed_alpha"))
                .delayActor(JsonValues.bool(c.config("delay_actor", false), "config.delay_actor"))
                .delayQvalue(JsonValues.bool(c.config("delay_qvalue", true), "config.delay_qvalue"))
                .delayValue(JsonValues.bool(c.config("delay_value", true), "config.delay_value"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .scalarOutputMode(c.config("scalar_output_mode", null) == null ? null
                        : JsonValues.string(c.config("scalar_output_mode", null), "config.scalar_output_mode"))
                .prioritizedWeights(LossCaseConfig.prioritizedWeights(c));
        Object h = c.config("target_entropy", "auto");
        if (!"auto".equals(h)) b.targetEntropy(JsonValues.number(h, "config.target_entropy"));
        if (version == 1) b.valueNetwork(NetworkWirings.wire(c, "value"));
        else if (version != 2) throw new MalformedCaseException("config.version: expected 1 or 2, got " + version);
        SACLoss loss = b.build();
        loss.setRandomSource(draws);
        return loss;
    }

    static Double optionalNumber(LossCase c, String name) {
        Object v = c.config(name, null);
        return v == null ? null : JsonValues.number(v, "config." + name);
    }

    @Override
    public Map<String, Tensor> lossParameters(LossModule loss) {
        return Map.of("log_alpha", ((SACLoss) loss).logAlpha());
    }
}
