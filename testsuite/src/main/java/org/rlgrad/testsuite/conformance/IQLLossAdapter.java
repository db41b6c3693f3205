package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.IQLLoss;
import org.rlgrad.losses.LossModule;

/**
 * {@code IQLLoss}: a {@code tanh_normal_policy} {@code actor}, a {@code state_action_value}
 * ensemble {@code qvalue} (its target copy loaded from the case) and a {@code state_value}
 * {@code value}; config {@code loss_function}, {@code temperature}, {@code expectile},
 * {@code num_qvalue_nets}, {@code reduction}.
 */
final class IQLLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "IQLLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        return IQLLoss.builder(actor(c), NetworkWirings.wireMembers(c, "qvalue"), NetworkWirings.wire(c, "value"))
                .numQvalueNets((int) JsonValues.number(c.config("num_qvalue_nets", 2), "config.num_qvalue_nets"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .temperature(JsonValues.number(c.config("temperature", 1.0), "config.temperature"))
                .expectile(JsonValues.number(c.config("expectile", 0.5), "config.expectile"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .build();
    }

    /** The case's {@code actor}, which must be a stochastic policy. */
    static ProbabilisticTensorDictSequential actor(LossCase c) {
        TensorDictModuleBase actor = NetworkWirings.wire(c, "actor");
        if (actor instanceof ProbabilisticTensorDictSequential p) return p;
        throw new MalformedCaseException("wiring.actor: IQL needs a stochastic policy, got a " + actor.getClass().getSimpleName());
    }
}
