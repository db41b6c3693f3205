package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.ValueOperator;

/** {@code state_value}: MLP(observation) → {@code [.., 1]} at {@code out_key}, a {@link ValueOperator}. */
final class StateValueWiring implements NetworkWiring {
    @Override
    public String kind() { return "state_value"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        var mlp = network.single().module();
        return new ValueOperator(mlp, WiringKeys.concatenated(mlp), WiringKeys.keys(wiring, "in_keys"), List.of(WiringKeys.key(wiring, "out_key")));
    }
}
