package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.modules.TensorDictModuleBase;

/** {@code deterministic_policy}: MLP(observation) → the action at {@code out_key} (the MLP ends in tanh), an {@link Actor}. */
final class DeterministicPolicyWiring implements NetworkWiring {
    @Override
    public String kind() { return "deterministic_policy"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        var mlp = network.single().module();
        return new Actor(mlp, WiringKeys.keys(wiring, "in_keys"), List.of(WiringKeys.key(wiring, "out_key")));
    }
}
