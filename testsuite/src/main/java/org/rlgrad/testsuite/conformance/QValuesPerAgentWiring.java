package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensordict.Key;

/**
 * {@code q_values_per_agent}: QMixer's local network, one MLP shared by every agent, applied to
 * the per-agent observations ({@code agents/observation} {@code [B, n_agents, obs]}) and writing
 * one value per discrete action at {@code out_key} ({@code agents/action_value}). A
 * {@link QValueActor} adds, beside {@code out_key}, the greedy {@code action} and its
 * {@code chosen_action_value} (what the mixer reads on the next state).
 */
final class QValuesPerAgentWiring implements NetworkWiring {
    @Override
    public String kind() { return "q_values_per_agent"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        String space = JsonValues.string(c.config("action_space", "one_hot"), "config.action_space");
        List<Key> in = WiringKeys.keys(wiring, "in_keys");
        if (in.size() != 1) throw new MalformedCaseException("wiring.in_keys: a q_values_per_agent network reads one key, got " + in);
        Key out = WiringKeys.key(wiring, "out_key");
        Key group = out.parent();
        Key action = group == null ? Key.of("action") : group.append("action");
        Key chosen = group == null ? Key.of("chosen_action_value") : group.append("chosen_action_value");
        return new QValueActor(network.single().module(), in, QValueModule.builder(space).actionValueKey(out).outKeys(action, out, chosen).build());
    }
}
