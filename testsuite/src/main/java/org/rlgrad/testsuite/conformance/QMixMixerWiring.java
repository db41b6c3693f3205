package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.QMixer;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.losses.QMixerLoss;

/**
 * {@code qmix}: QMixer's QMIX mixer over the agents' chosen values ({@code in_keys[0]}) and the
 * global state ({@code in_keys[1]}), writing {@code out_key}; {@code config.n_agents},
 * {@code config.state_dim} and {@code config.mixing_embed_dim} give its sizes. Its four maps are
 * the case's single networks {@code mixer.hyper_w_1}, {@code mixer.hyper_w_final},
 * {@code mixer.hyper_b_1} and {@code mixer.V} (FORMAT-losses.md section 6), read from the case
 * itself: {@code network} is not read (it may be null). To wire the target copy, pass the case as
 * its targets see it ({@link QMixerLossAdapter#targetView}).
 */
final class QMixMixerWiring implements NetworkWiring {
    /** The case networks that make up the mixer are named {@code PREFIX + map}. */
    static final String PREFIX = "mixer.";

    @Override
    public String kind() { return "qmix"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        List<Key> in = WiringKeys.keys(wiring, "in_keys");
        if (in.size() != 2) throw new MalformedCaseException("wiring.in_keys: a qmix mixer reads the agents' values and the state, got " + in);
        int agents = JsonValues.integer(c.config("n_agents", null), "config.n_agents");
        int stateDim = JsonValues.integer(c.config("state_dim", null), "config.state_dim");
        int embed = JsonValues.integer(c.config("mixing_embed_dim", null), "config.mixing_embed_dim");
        QMixer mixer = new QMixer(new int[] {stateDim}, embed, agents, part(c, "hyper_w_1"), part(c, "hyper_w_final"), part(c, "hyper_b_1"), part(c, "V"));
        return QMixerLoss.mixerModule(mixer, in.get(0), in.get(1), WiringKeys.key(wiring, "out_key"));
    }

    private static Sequential part(LossCase c, String map) {
        return c.network(PREFIX + map).single().module();
    }
}
