package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** max(x, 0), elementwise; gradient 0 at x = 0 (as PyTorch). */
public final class ReLU extends UnaryModule {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
