package org.rlgrad.engine.nn;

import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * y = x W^T + b over the last dim: weight [out, in], bias [out], both initialised as PyTorch's
 * nn.Linear, U(-1/sqrt(in), 1/sqrt(in)) ({@link Init#linearDefault_}).
 */
public final class Linear extends UnaryModule {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    /** With a bias, float32, drawn from the global generator. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, DType.FLOAT32, Generator.global());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, DType dtype, Generator generator) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: feature counts must be non-negative, got in " + inFeatures + ", out " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        Tensor w = registerParameter("weight", Tensor.zeros(dtype, outFeatures, inFeatures));
        Tensor b = bias ? registerParameter("bias", Tensor.zeros(dtype, outFeatures)) : null;
        Init.linearDefault_(w, b, generator);
    }

    public int inFeatures() { return inFeatures; }
    public int outFeatures() { return outFeatures; }
    public boolean hasBias() { return hasBias; }

    /** The weight in effect (a functional call's, else the module's own). */
    public Tensor weight() { return parameter("weight"); }

    /** The bias in effect, or null without one. */
    public Tensor bias() { return hasBias ? parameter("bias") : null; }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight(), bias());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + hasBias;
    }
}
