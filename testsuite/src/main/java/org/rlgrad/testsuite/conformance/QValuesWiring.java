package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;

/**
 * {@code q_values}: MLP(observation) → one value per discrete action, written at {@code out_key};
 * a {@link QValueActor} adds the greedy action (one-hot of the arg-max, or the config's
 * {@code action_space}) and the chosen value.
 */
final class QValuesWiring implements NetworkWiring {
    @Override
    public String kind() { return "q_values"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        String space = JsonValues.string(c.config("action_space", "one_hot"), "config.action_space");
        String outKey = JsonValues.string(wiring.get("out_key"), "wiring.out_key");
        return new QValueActor(network.single().module(), inKeys(wiring), QValueModule.builder(space).actionValueKey(outKey).build());
    }

    static List<String> inKeys(Map<String, Object> wiring) {
        List<String> out = new ArrayList<>();
        for (Object k : JsonValues.list(wiring.get("in_keys"), "wiring.in_keys")) out.add(JsonValues.string(k, "wiring.in_keys[]"));
        if (out.size() != 1) throw new MalformedCaseException("wiring.in_keys: a q_values network reads one key, got " + out);
        return out;
    }
}
