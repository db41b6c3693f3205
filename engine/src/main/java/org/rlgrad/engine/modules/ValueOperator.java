package org.rlgrad.engine.modules;

import java.util.List;

import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.tensordict.Key;

/**
 * A value network as a TensorDict module (spec engine.md 3.9; TorchRL's {@code ValueOperator}).
 * Without explicit out-keys it writes {@code "state_action_value"} when {@code "action"} is among
 * its in-keys (a Q-function), else {@code "state_value"}.
 */
public class ValueOperator extends TensorDictModule {
    public static final Key STATE_VALUE = Key.of("state_value");
    public static final Key STATE_ACTION_VALUE = Key.of("state_action_value");

    /** From {@code "observation"} to {@code "state_value"}. */
    public ValueOperator(UnaryModule network) {
        this(network, List.of("observation"), null);
    }

    /** {@code outKeys} null: the default rule. */
    public ValueOperator(UnaryModule network, List<?> inKeys, List<?> outKeys) {
        super(TensorDictModule.builder(network).inKeys(inKeys).outKeys(outKeys != null ? outKeys : defaultOutKeys(inKeys)));
    }

    /** A value function of several inputs (e.g. observation and action, passed positionally). */
    public ValueOperator(TensorFunction function, List<?> inKeys, List<?> outKeys) {
        super(TensorDictModule.builder(function).inKeys(inKeys).outKeys(outKeys != null ? outKeys : defaultOutKeys(inKeys)));
    }

    /** A value function of several inputs whose parameters live in {@code module} (registered as the child "module"). */
    public ValueOperator(Module module, TensorFunction function, List<?> inKeys, List<?> outKeys) {
        super(TensorDictModule.builder(module, function).inKeys(inKeys).outKeys(outKeys != null ? outKeys : defaultOutKeys(inKeys)));
    }

    /** {@code ["state_action_value"]} when {@code "action"} is an in-key, else {@code ["state_value"]}. */
    public static List<Key> defaultOutKeys(List<?> inKeys) {
        return Keys.list(inKeys).contains(Key.of("action")) ? List.of(STATE_ACTION_VALUE) : List.of(STATE_VALUE);
    }
}
