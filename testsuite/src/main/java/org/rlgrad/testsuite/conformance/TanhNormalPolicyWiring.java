package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;

/**
 * {@code tanh_normal_policy}: MLP(observation) → {@code 2·action_dim} numbers, split into
 * {@code loc} and a raw scale mapped by {@code scale_mapping} with floor {@code scale_lb}; the
 * action is a TanhNormal between {@code low} and {@code high} (a {@link ProbabilisticActor} writing
 * {@code action} and {@code action_log_prob}).
 */
final class TanhNormalPolicyWiring implements NetworkWiring {
    @Override
    public String kind() { return "tanh_normal_policy"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        return policy(wiring, network, DistributionFactory.TANH_NORMAL,
                Map.of("low", JsonValues.number(wiring.get("low"), "wiring.low"), "high", JsonValues.number(wiring.get("high"), "wiring.high")));
    }

    /** The loc/scale actor shared by the normal-policy kinds. */
    static ProbabilisticActor policy(Map<String, Object> wiring, CaseNetwork network, DistributionFactory distribution, Map<String, ?> kwargs) {
        var mlp = network.single().module();
        String mapping = JsonValues.string(wiring.get("scale_mapping"), "wiring.scale_mapping");
        double lb = JsonValues.number(wiring.get("scale_lb"), "wiring.scale_lb");
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(mlp, WiringKeys.concatenated(mlp)).inKeys(WiringKeys.keys(wiring, "in_keys")).outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule(mapping, lb)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(distribution)
                .distributionKwargs(kwargs).returnLogProb(true));
    }

}
