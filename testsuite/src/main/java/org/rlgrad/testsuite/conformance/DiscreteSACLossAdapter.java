package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.DiscreteSACLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code DiscreteSACLoss}: a (one-hot) categorical {@code actor} and an ensemble {@code qvalue} of
 * {@code q_values} critics; config {@code action_space}, {@code num_actions},
 * {@code num_qvalue_nets}, {@code loss_function}, {@code alpha_init}, {@code min_alpha},
 * {@code max_alpha}, {@code fixed_alpha}, {@code target_entropy_weight}, {@code target_entropy},
 * {@code delay_qvalue}, {@code reduction}, {@code scalar_output_mode},
 * {@code use_prioritized_weights}. Loss parameter {@code log_alpha}.
 */
final class DiscreteSACLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DiscreteSACLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        if (!(NetworkWirings.wire(c, "actor") instanceof ProbabilisticTensorDictSequential actor)) {
            throw new MalformedCaseException("wiring.actor: DiscreteSACLoss needs a categorical policy");
        }
        Object numActions = c.config("num_actions", null);
        DiscreteSACLoss.Builder b = DiscreteSACLoss.builder(actor, NetworkWirings.wireMembers(c, "qvalue"))
                .actionSpace(JsonValues.string(c.config("action_space", "one_hot"), "config.action_space"))
                .numActions(numActions == null ? null : JsonValues.integer(numActions, "config.num_actions"))
                .numQvalueNets(JsonValues.integer(c.config("num_qvalue_nets", 2), "config.num_qvalue_nets"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .alphaInit(JsonValues.number(c.config("alpha_init", 1.0), "config.alpha_init"))
                .minAlpha(SACLossAdapter.optionalNumber(c, "min_alpha"))
                .maxAlpha(SACLossAdapter.optionalNumber(c, "max_alpha"))
                .fixedAlpha(JsonValues.bool(c.config("fixed_alpha", false), "config.fixed_alpha"))
                .targetEntropyWeight(JsonValues.number(c.config("target_entropy_weight", 0.98), "config.target_entropy_weight"))
                .delayQvalue(JsonValues.bool(c.config("delay_qvalue", true), "config.delay_qvalue"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .scalarOutputMode(c.config("scalar_output_mode", null) == null ? null
                        : JsonValues.string(c.config("scalar_output_mode", null), "config.scalar_output_mode"))
                .prioritizedWeights(LossCaseConfig.prioritizedWeights(c));
        Object h = c.config("target_entropy", "auto");
        if (!"auto".equals(h)) b.targetEntropy(JsonValues.number(h, "config.target_entropy"));
        DiscreteSACLoss loss = b.build();
        loss.setRandomSource(draws);
        return loss;
    }

    @Override
    public Map<String, Tensor> lossParameters(LossModule loss) {
        return Map.of("log_alpha", ((DiscreteSACLoss) loss).logAlpha());
    }
}
