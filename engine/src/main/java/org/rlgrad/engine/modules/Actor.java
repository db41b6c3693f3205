package org.rlgrad.engine.modules;

import java.util.List;

import org.rlgrad.engine.distributions.Delta;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A deterministic policy (spec engine.md 3.8; TorchRL's {@code Actor}): a plain TensorDict
 * module, by default from {@code "observation"} to {@code "action"}. {@link #getDist} runs it and
 * returns the point mass at the action, so that code written for stochastic actors accepts it.
 */
public class Actor extends TensorDictModule {
    public Actor(UnaryModule network) {
        this(network, List.of("observation"), List.of("action"));
    }

    public Actor(UnaryModule network, List<?> inKeys, List<?> outKeys) {
        super(TensorDictModule.builder(network).inKeys(inKeys).outKeys(outKeys));
    }

    public Actor(TensorFunction function, List<?> inKeys, List<?> outKeys) {
        super(TensorDictModule.builder(function).inKeys(inKeys).outKeys(outKeys));
    }

    /** Runs the actor on {@code td} and returns {@code Delta(action)}. */
    public Delta getDist(TensorDict td) {
        TensorDict out = forward(td);
        return new Delta(out.get(outKeys().get(0)));
    }
}
