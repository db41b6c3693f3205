package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.VDNMixer;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.losses.QMixerLoss;

/**
 * {@code vdn}: QMixer's VDN mixer, {@code Q_tot = Σ_agents q_a}, reading the agents' chosen values
 * at {@code in_keys[0]} and writing {@code out_key}; {@code config.n_agents} agents. It has no
 * parameters, so the case holds no network for it: {@code network} is not read (it may be null).
 */
final class VdnMixerWiring implements NetworkWiring {
    @Override
    public String kind() { return "vdn"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        List<Key> in = WiringKeys.keys(wiring, "in_keys");
        if (in.size() != 1) throw new MalformedCaseException("wiring.in_keys: a vdn mixer reads the agents' values only, got " + in);
        int agents = JsonValues.integer(c.config("n_agents", null), "config.n_agents");
        return QMixerLoss.mixerModule(new VDNMixer(agents), in.get(0), null, WiringKeys.key(wiring, "out_key"));
    }
}
