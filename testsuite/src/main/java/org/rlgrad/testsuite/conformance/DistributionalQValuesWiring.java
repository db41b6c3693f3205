package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.DistributionalQValueActor;
import org.rlgrad.engine.modules.DistributionalQValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code distributional_q_values}: MLP(observation) → {@code atoms · n_actions} numbers, viewed
 * row-major as {@code [atoms, n_actions]} (flat index {@code atom · n_actions + action}); a
 * {@link DistributionalQValueActor} takes the log-softmax over the atoms and picks the greedy action
 * on the expected values over the config's {@code support} (a buffer of the actor).
 */
final class DistributionalQValuesWiring implements NetworkWiring {
    @Override
    public String kind() { return "distributional_q_values"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        Tensor support = VectorTensors.decode(c.config("support", null), "config.support");
        if (support.dim() != 1) throw new MalformedCaseException("config.support: expected a 1-d tensor, got shape " + java.util.Arrays.toString(support.shapeRef()));
        int atoms = support.size(0);
        var mlp = network.single().module();
        int outputs = network.single().layers().get(network.single().layers().size() - 1).outFeatures();
        if (outputs % atoms != 0) {
            throw new MalformedCaseException("network '" + network.name() + "': " + outputs + " outputs are not atoms * n_actions for " + atoms + " atoms");
        }
        int actions = outputs / atoms;
        var concatenated = WiringKeys.concatenated(mlp);
        TensorDictModule logits = TensorDictModule.builder(mlp, (positional, named) -> ((Tensor) concatenated.apply(positional, named)).unflatten(-1, atoms, actions))
                .inKeys(WiringKeys.keys(wiring, "in_keys")).outKeys(WiringKeys.key(wiring, "out_key")).build();
        String space = JsonValues.string(c.config("action_space", "one_hot"), "config.action_space");
        DistributionalQValueModule head = DistributionalQValueModule.builder(space, support).actionValueKey(WiringKeys.key(wiring, "out_key")).build();
        return new DistributionalQValueActor(logits, head, true);
    }
}
