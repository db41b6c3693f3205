package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.losses.CQLLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code CQLLoss}: a {@code tanh_normal_policy} {@code actor} and an ensemble of two
 * {@code state_action_value} networks {@code qvalue} (the case's members, stacked); config
 * {@code loss_function}, {@code alpha_init}, {@code fixed_alpha}, {@code target_entropy},
 * {@code delay_actor}, {@code delay_qvalue}, {@code temperature}, {@code min_q_weight},
 * {@code max_q_backup}, {@code deterministic_backup}, {@code num_random}, {@code with_lagrange},
 * {@code lagrange_thresh}, {@code reduction}. The vectors are TorchRL's numbers, so the loss runs
 * with {@code.referenceCompat(true)} (DECISIONS.md rule 3). Loss parameters {@code log_alpha} and
 * {@code log_alpha_prime}.
 */
final class CQLLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "CQLLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        int nets = JsonValues.integer(c.config("num_qvalue_nets", CQLLoss.NUM_QVALUE_NETS), "config.num_qvalue_nets");
        if (nets != CQLLoss.NUM_QVALUE_NETS) throw new MalformedCaseException("config.num_qvalue_nets: CQLLoss has exactly 2 critics, got " + nets);
        Object targetEntropy = c.config("target_entropy", "auto");
        CQLLoss loss = CQLLoss.builder((ProbabilisticTensorDictSequential) NetworkWirings.wire(c, "actor"), NetworkWirings.wireMembers(c, "qvalue"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .alphaInit(JsonValues.number(c.config("alpha_init", 1.0), "config.alpha_init"))
                .minAlpha(c.config("min_alpha", null) == null ? null : JsonValues.number(c.config("min_alpha", null), "config.min_alpha"))
                .maxAlpha(c.config("max_alpha", null) == null ? null : JsonValues.number(c.config("max_alpha", null), "config.max_alpha"))
                .fixedAlpha(JsonValues.bool(c.config("fixed_alpha", false), "config.fixed_alpha"))
                .targetEntropy("auto".equals(targetEntropy) ? null : JsonValues.number(targetEntropy, "config.target_entropy"))
                .delayActor(JsonValues.bool(c.config("delay_actor", false), "config.delay_actor"))
                .delayQvalue(JsonValues.bool(c.config("delay_qvalue", true), "config.delay_qvalue"))
                .temperature(JsonValues.number(c.config("temperature", 1.0), "config.temperature"))
                .minQWeight(JsonValues.number(c.config("min_q_weight", 1.0), "config.min_q_weight"))
                .maxQBackup(JsonValues.bool(c.config("max_q_backup", false), "config.max_q_backup"))
                .deterministicBackup(JsonValues.bool(c.config("deterministic_backup", true), "config.deterministic_backup"))
                .numRandom(JsonValues.integer(c.config("num_random", 10), "config.num_random"))
                .withLagrange(JsonValues.bool(c.config("with_lagrange", false), "config.with_lagrange"))
                .lagrangeThresh(JsonValues.number(c.config("lagrange_thresh", 0.0), "config.lagrange_thresh"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .referenceCompat(true)
                .build();
        loss.setRandomSource(draws);
        return loss;
    }

    @Override
    public Map<String, Tensor> lossParameters(LossModule loss) {
        CQLLoss cql = (CQLLoss) loss;
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("log_alpha", cql.logAlpha());
        if (cql.withLagrange()) out.put("log_alpha_prime", cql.logAlphaPrime());
        return out;
    }
}
