package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.TensorDictModuleBase;

/**
 * {@code independent_normal_policy}: the loc/scale head of {@link TanhNormalPolicyWiring} with a
 * plain Normal, independent over the action dimensions (log-probabilities and entropies summed over
 * them; deterministic action {@code loc}).
 */
final class IndependentNormalPolicyWiring implements NetworkWiring {
    @Override
    public String kind() { return "independent_normal_policy"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        return TanhNormalPolicyWiring.policy(wiring, network, DistributionFactory.INDEPENDENT_NORMAL, Map.of());
    }
}
