package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** tanh(x), elementwise. */
public final class Tanh extends UnaryModule {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
