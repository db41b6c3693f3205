package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** 1 / (1 + exp(-x)), elementwise. */
public final class Sigmoid extends UnaryModule {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
