package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/** Gaussian error linear unit (Hendrycks and Gimpel 2016): x Phi(x) with the exact erf form by default, as PyTorch; the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) on request (GPT-2's gelu_new, torch's approximate="tanh"). */
public final class GELU extends UnaryModule {
    private final boolean tanhApproximation;

    /** The exact form, 0.5 x (1 + erf(x / sqrt 2)). */
    public GELU() {
        this(false);
    }

    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu(tanhApproximation);
    }

    @Override
    protected String extraRepr() {
        return tanhApproximation ? "approximate=tanh" : "";
    }
}
