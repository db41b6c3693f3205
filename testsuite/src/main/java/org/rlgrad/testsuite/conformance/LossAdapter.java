package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.LossModule;

/**
 * How the losses family runs one loss class (one file per class, listed in {@link LossAdapters}):
 * build the loss from the case's config and wired networks, tell where each network's parameters
 * live in it, and expose any loss-owned parameters and state. {@link LossesFamily} does the rest
 * (targets, forward, comparisons), so a new loss is one adapter.
 */
public interface LossAdapter {
    /** The TorchRL class name this adapter runs ({@code DQNLoss}). */
    String lossClass();

    /**
     * The loss as the case's {@code config} describes it, over networks wired with
     * {@link NetworkWirings}; {@code draws} replays the case's random draws in order (a loss that
     * samples must draw from it).
     */
    LossModule build(LossCase c, RandomSource draws);

    /** The name under which the loss holds case network {@code caseName} (default: the same name). */
    default String lossNetworkName(String caseName) {
        return caseName;
    }

    /**
     * Where the gradient of layer {@code layer}'s {@code weight} or {@code bias} of member
     * {@code member} is read: by default the case network's own Linear tensor (a functional loss
     * trains the module's own tensors). An ensemble adapter returns the stacked leaf and the member.
     */
    default GradSource gradSource(LossModule loss, LossCase c, String network, int member, int layer, String which) {
        CaseNetwork net = c.network(network);
        if (!net.ensemble()) {
            var linear = net.members().get(member).layers().get(layer);
            return new GradSource(which.equals("weight") ? linear.weight() : linear.bias(), -1);
        }
        // An ensemble built from the wired members: member 0 is the functional template, so its
        // tensor's dotted name inside the template names the stacked leaf in the loss's tree.
        String name = lossNetworkName(network);
        var first = net.members().get(0).layers().get(layer);
        Tensor template = which.equals("weight") ? first.weight() : first.bias();
        for (Map.Entry<String, Tensor> e : loss.ensemble(name).member().namedParameters().entrySet()) {
            if (e.getValue() == template) return new GradSource(loss.params(name).get(Key.parse(e.getKey(), ".")), member);
        }
        throw new IllegalStateException("network '" + network + "': the loss's ensemble '" + name + "' was not built from the case's member modules");
    }

    /**
     * Loads the case's {@code target_networks} into the loss's target trees: each target network
     * is wired like its online network and its values are copied, by key, into
     * {@code target_<name>_params}. An ensemble adapter overrides this.
     */
    default void loadTargets(LossModule loss, LossCase c) {
        for (Map.Entry<String, CaseNetwork> e : c.targetNetworks().entrySet()) {
            String name = lossNetworkName(e.getKey());
            if (!loss.hasDelayedTarget(name)) {
                throw new MalformedCaseException("target_networks." + e.getKey() + ": the loss keeps no delayed copy of this network (check the config's delay flags)");
            }
            TensorDict values = e.getValue().ensemble()
                    ? Parameters.fromModules(NetworkWirings.wireMembers(c, e.getKey(), e.getValue()))
                    : Parameters.fromModule(NetworkWirings.wire(c, e.getKey(), e.getValue()));
            loss.loadTargetParams(name, values);
        }
    }

    /** The loss's own trainable scalars by case name ({@code log_alpha}); none by default. */
    default Map<String, Tensor> lossParameters(LossModule loss) {
        return Map.of();
    }

    /** The loss's non-trainable state by case name ({@code beta}), read after the call; none by default. */
    default Map<String, Tensor> state(LossModule loss) {
        return Map.of();
    }

    /** Entries of {@code written_to_batch} that need not be compared (FORMAT: intermediate policy outputs). */
    default List<String> ignoredWrites() {
        return List.of("loc", "scale", "logits");
    }

    /**
     * A tensor whose gradient gives a case parameter's: {@code leaf}'s gradient, or its slice
     * {@code member} along the leading (ensemble) axis when {@code member >= 0}.
     */
    record GradSource(Tensor leaf, int member) {}
}
