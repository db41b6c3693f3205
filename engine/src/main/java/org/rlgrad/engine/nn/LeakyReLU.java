package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** x for x &gt;= 0, negativeSlope x otherwise; the slope is 0.01 by default, as PyTorch. */
public final class LeakyReLU extends UnaryModule {
    private final double negativeSlope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + negativeSlope;
    }
}
