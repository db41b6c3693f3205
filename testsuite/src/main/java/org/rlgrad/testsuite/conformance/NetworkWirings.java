package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;

/** The wiring kinds the losses family can build, by {@code kind}; a later loss adds its kind's class to {@link #KINDS}. */
public final class NetworkWirings {
    private NetworkWirings() {}

    private static final List<NetworkWiring> KINDS = List.of(
            new QValuesWiring(),
            new StateValueWiring(),
            new StateActionValueWiring(),
            new DeterministicPolicyWiring(),
            new TanhNormalPolicyWiring(),
            new IndependentNormalPolicyWiring(),
            new CategoricalPolicyWiring(false),
            new CategoricalPolicyWiring(true),
            new DistributionalQValuesWiring(),
            new DiscriminatorWiring(),
            new DreamerGaussianWiring(),
            new DreamerMlpWiring(),
            new QValuesPerAgentWiring(),
            new VdnMixerWiring(),
            new QMixMixerWiring(),
            new CompositePolicyWiring());

    private static final Map<String, NetworkWiring> BY_KIND = index();

    private static Map<String, NetworkWiring> index() {
        Map<String, NetworkWiring> m = new LinkedHashMap<>();
        for (NetworkWiring w : KINDS) m.put(w.kind(), w);
        return m;
    }

    /** Wires the case network {@code network} (online or target) as {@code wiring.<name>} says. */
    public static TensorDictModuleBase wire(LossCase c, String name, CaseNetwork network) {
        Map<String, Object> wiring = c.wiringOf(name);
        String kind = JsonValues.string(wiring.get("kind"), "wiring." + name + ".kind");
        NetworkWiring w = BY_KIND.get(kind);
        if (w == null) throw new UnsupportedOperationException("wiring kind '" + kind + "' of network '" + name + "' is not built yet; known kinds " + BY_KIND.keySet());
        return w.wire(wiring, network, c);
    }

    /** Every member of {@code network} (an ensemble, or one network), wired as {@code wiring.<name>} says. */
    public static List<TensorDictModuleBase> wireMembers(LossCase c, String name, CaseNetwork network) {
        List<TensorDictModuleBase> out = new java.util.ArrayList<>();
        for (int k = 0; k < network.members().size(); k++) out.add(wire(c, name, network.member(k)));
        return out;
    }

    /** Every member of the online network {@code name} of the case, wired. */
    public static List<TensorDictModuleBase> wireMembers(LossCase c, String name) {
        return wireMembers(c, name, c.network(name));
    }

    /** The online network {@code name} of the case, wired. */
    public static TensorDictModuleBase wire(LossCase c, String name) {
        return wire(c, name, c.network(name));
    }
}
