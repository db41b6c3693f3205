package org.rlgrad.engine.modules;

import java.util.List;

import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.tensordict.Key;

/**
 * A Q-network followed by its greedy policy (spec engine.md 3.10; TorchRL's {@code QValueActor}).
 * A plain network is wrapped as a TensorDict module from the in-keys to the action-value key; a
 * TensorDict module is used as is and must write that key. Then a {@link QValueModule} writes the
 * action, the action values and the chosen value.
 */
public class QValueActor extends TensorDictSequential {
    /** A network from {@code inKeys} to the action values, then {@code qValue}'s choice. */
    public QValueActor(UnaryModule network, List<?> inKeys, QValueModule qValue) {
        super(List.of(TensorDictModule.builder(network).inKeys(inKeys).outKeys(List.of(qValue.actionValueKey())).build(), qValue), false);
    }

    /** {@code network} reads {@code "observation"}. */
    public QValueActor(UnaryModule network, QValueModule qValue) {
        this(network, List.of("observation"), qValue);
    }

    /** A TensorDict module that must write the action-value key of {@code qValue}. */
    public QValueActor(TensorDictModuleBase module, QValueModule qValue) {
        super(List.of(requireWrites(module, qValue.actionValueKey()), qValue), false);
    }

    static TensorDictModuleBase requireWrites(TensorDictModuleBase module, Key key) {
        if (!module.outKeys().contains(key)) {
            throw new IllegalArgumentException("QValueActor: the module's out_keys " + module.outKeys() + " do not include the action-value key " + key
                    + " that the Q-value module reads");
        }
        return module;
    }

    /** The Q-value module at the end. */
    public QValueModule qValueModule() {
        return (QValueModule) sequence().get(sequence().size() - 1);
    }
}
