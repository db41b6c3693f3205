package org.rlgrad.engine.distributions;

import org.rlgrad.engine.tensor.Tensor;

/**
 * TorchRL's diagonal Gaussian policy distribution, {@code Independent(Normal(loc, scale), eventDim)}
 * (spec/engine.md section 4.2): log-probability and entropy sum over the last {@code eventDim}
 * dims, and {@code mean = mode = deterministicSample = loc}.
 *
 * <p>{@code tanhLoc} and {@code upscale} are accepted and kept but, as in TorchRL, not applied
 * at construction: the reference maps {@code loc ← upscale · tanh(loc / upscale)} only when a
 * distribution's parameters are updated in place (spec/engine.md section 8, quirk 5). The
 * conformance vectors pin this down ({@code IndependentNormal/tanh_loc_ignored}), so rlgrad keeps
 * it: a caller who wants a squashed location applies it to {@code loc} before constructing.
 */
public final class IndependentNormal extends Independent {
    public static final double DEFAULT_UPSCALE = 5.0;

    private final double upscale;
    private final boolean tanhLoc;

    public IndependentNormal(Tensor loc, Tensor scale) {
        this(loc, scale, DEFAULT_UPSCALE, false, 1);
    }

    public IndependentNormal(Tensor loc, Tensor scale, double upscale, boolean tanhLoc, int eventDim) {
        super(new Normal(loc, scale), eventDim);
        this.upscale = upscale;
        this.tanhLoc = tanhLoc;
    }

    /** A constant scale, the same everywhere (it gets no gradient). */
    public IndependentNormal(Tensor loc, double scale, double upscale, boolean tanhLoc, int eventDim) {
        super(new Normal(loc, scale), eventDim);
        this.upscale = upscale;
        this.tanhLoc = tanhLoc;
    }

    public Normal normal() { return (Normal) base(); }

    public Tensor loc() { return normal().loc(); }

    public Tensor scale() { return normal().scale(); }

    public double upscale() { return upscale; }

    /** Whether {@code tanhLoc} was asked for (it has no effect at construction; see the class comment). */
    public boolean tanhLoc() { return tanhLoc; }

    public Tensor stddev() { return normal().stddev(); }

    public Tensor variance() { return normal().variance(); }
}
