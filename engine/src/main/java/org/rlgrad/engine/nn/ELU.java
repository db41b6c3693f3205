package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** x for x &gt; 0, alpha (exp(x) - 1) otherwise (Clevert et al. 2015); alpha = 1 by default. */
public final class ELU extends UnaryModule {
    private final double alpha;

    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.elu(alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }
}
