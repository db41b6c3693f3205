package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;

/**
 * {@code categorical_policy} and {@code one_hot_categorical_policy}: MLP(observation) → logits, a
 * Categorical over indices or a OneHotCategorical over one-hot actions (a {@link ProbabilisticActor}
 * writing {@code action} and {@code action_log_prob}).
 */
final class CategoricalPolicyWiring implements NetworkWiring {
    private final boolean oneHot;

    CategoricalPolicyWiring(boolean oneHot) {
        this.oneHot = oneHot;
    }

    @Override
    public String kind() { return oneHot ? "one_hot_categorical_policy" : "categorical_policy"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        var mlp = network.single().module();
        TensorDictModule logits = TensorDictModule.builder(mlp, WiringKeys.concatenated(mlp)).inKeys(WiringKeys.keys(wiring, "in_keys")).outKeys("logits").build();
        return new ProbabilisticActor(logits, ProbabilisticTensorDictModule.builder().inKeys("logits")
                .distribution(oneHot ? DistributionFactory.ONE_HOT_CATEGORICAL : DistributionFactory.CATEGORICAL).returnLogProb(true));
    }
}
