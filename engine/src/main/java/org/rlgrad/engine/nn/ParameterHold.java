package org.rlgrad.engine.nn;

import java.util.List;

import org.rlgrad.engine.tensor.Tensor;

/**
 * A scope in which a module's parameters do not require grad ({@link Module#holdOutParameters}),
 * spec engine.md 3.5: the value network of an estimator, the world model of Dreamer's actor loss.
 * Closing it gives each parameter back the flag it had when the scope opened, so a parameter that
 * was already frozen stays frozen. It changes shared state: other threads using the same module
 * meanwhile see the parameters held out too.
 */
public final class ParameterHold implements AutoCloseable {
    private final List<Tensor> parameters;
    private final boolean[] previous;
    private boolean closed;

    ParameterHold(List<Tensor> parameters) {
        this.parameters = parameters;
        this.previous = new boolean[parameters.size()];
        for (int i = 0; i < previous.length; i++) {
            previous[i] = parameters.get(i).requiresGrad();
            parameters.get(i).requiresGrad(false);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int i = 0; i < previous.length; i++) parameters.get(i).requiresGrad(previous[i]);
    }
}
