package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** x sigmoid(x), elementwise (SiLU, also called Swish; Elfwing et al. 2017, Ramachandran et al. 2017). */
public final class SiLU extends UnaryModule {
    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}
