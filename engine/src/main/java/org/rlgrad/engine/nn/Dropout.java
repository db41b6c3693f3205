package org.rlgrad.engine.nn;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.RandomModules;

/**
 * Dropout (Srivastava et al. 2014), as torch.nn.Dropout: in training mode each element is kept
 * with probability 1 - p and scaled by 1 / (1 - p), so the expectation is unchanged; in eval mode
 * it is the identity and draws nothing. The mask is drawn from a {@link RandomSource} (the global
 * generator at call time unless one is set), site "Dropout", as uniforms u with keep = u &lt; 1 - p
 * (torch's bernoulli(1 - p)). It is a registered random module: a loss or estimator containing one
 * defaults to vmap randomness DIFFERENT.
 */
public final class Dropout extends UnaryModule {
    static {
        RandomModules.register(Dropout.class);
    }

    private final double p;
    private RandomSource source;

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
        this.p = p;
    }

    public double p() {
        return p;
    }

    /** Draw masks from {@code source} instead of the global generator (null: the global one again). */
    public Dropout randomSource(RandomSource source) {
        this.source = source;
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        if (!x.dtype().isFloating()) throw new IllegalArgumentException("Dropout: expected a floating input, got " + x.dtype());
        if (p == 1) return x.mul(0);
        RandomSource s = source != null ? source : Generator.global();
        Tensor u = s.uniform("Dropout", x.shape(), x.dtype(), 0, 1).to(x.device());
        Tensor scaledMask = u.lt(1 - p).to(x.dtype()).mul(1 / (1 - p));
        return x.mul(scaledMask);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
