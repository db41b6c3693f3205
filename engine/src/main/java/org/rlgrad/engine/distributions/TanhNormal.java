package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.ops.SafeTanh;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A normal distribution squashed by tanh into the box {@code [low, high]}: TorchRL's
 * {@code TanhNormal}, the action distribution of SAC and its relatives (spec/engine.md
 * section 4.3).
 *
 * <p>With {@code m = (high + low)/2} and {@code h = (high − low)/2}, a draw is {@code Y = t(X)},
 * {@code X ~ Independent(Normal(μ, σ), eventDims)} (a plain Normal when {@code eventDims = 0}),
 * with {@code t(x) = tanh x} when the bounds are the default [−1, 1] and
 * {@code t(x) = m + h tanh x} when they are not ("non-trivial" anywhere). {@code μ = loc}, or with
 * {@code tanhLoc}, {@code μ = upscale · tanh(loc / upscale)}, <b>plus {@code m}</b> when the bounds
 * are non-trivial: TorchRL shifts the pre-tanh location by the midpoint (spec section 8, quirk 4),
 * and the conformance vectors follow it, so rlgrad does too.
 *
 * <p>By the change of variables formula, {@code log p(y) = Σ_event [log N(x; μ, σ) − ln(1 − tanh² x)
 * − ln h]} with {@code x = atanh((y − m)/h)}; {@code ln(1 − tanh² x)} is evaluated stably as
 * {@code 2 (ln 2 − x − softplus(−2x))}, and the {@code ln h} term appears only with non-trivial
 * bounds. With {@code safeTanh} (the default) tanh and atanh are the clamped versions of
 * {@link SafeTanh}, so values on or beyond the bounds score a finite number instead of NaN.
 *
 * <p>Because atanh is ill-conditioned where tanh saturates, losses draw with
 * {@link #rsampleAndLogProb}, which scores the pre-tanh point it drew instead of inverting the
 * squashed one. There is no closed-form mean, mode or entropy: {@link #mode()}, {@link #mean()}
 * and {@link #entropy()} throw (estimate them by Monte Carlo), and the point a deterministic
 * policy acts with is {@link #deterministicSample()} {@code = t(μ)}.
 */
public final class TanhNormal implements Distribution {
    public static final double DEFAULT_UPSCALE = 5.0;
    static final String BOUNDS_MESSAGE = "TanhNormal high values must be strictly greater than low values";

    private final Tensor loc;
    private final Tensor mu;
    private final Tensor scale;
    private final Tensor low;
    private final Tensor high;
    private final Tensor mid;
    private final Tensor halfWidth;
    private final boolean nonTrivialBounds;
    private final int eventDims;
    private final boolean tanhLoc;
    private final boolean safeTanh;
    private final double upscale;
    private final Normal normal;
    private final Distribution base;
    private final int[] batchShape;
    private final int[] eventShape;

    private TanhNormal(Builder b) {
        Arguments.requireFloating("TanhNormal", "loc", b.loc);
        this.loc = b.loc;
        this.upscale = b.upscale;
        this.tanhLoc = b.tanhLoc;
        this.safeTanh = b.safeTanh;
        this.low = (b.low != null ? b.low : loc.newScalar(b.lowValue, loc.dtype())).detach().to(loc.dtype());
        this.high = (b.high != null ? b.high : loc.newScalar(b.highValue, loc.dtype())).detach().to(loc.dtype());
        Arguments.requireOrdered(BOUNDS_MESSAGE, low, high);
        if (!(upscale > 0)) throw new IllegalArgumentException("TanhNormal: upscale must be positive, got " + upscale);
        this.nonTrivialBounds = Arguments.anyDiffers(high, 1.0) || Arguments.anyDiffers(low, -1.0);
        this.mid = high.add(low).div(2);
        this.halfWidth = high.sub(low).div(2);
        Tensor m = loc;
        if (tanhLoc) {
            m = loc.div(upscale).tanh().mul(upscale);
            if (nonTrivialBounds) m = m.add(high.sub(low).div(2)).add(low);
        }
        this.mu = m;
        this.normal = b.scale != null ? new Normal(mu, b.scale) : new Normal(mu, b.scaleValue);
        this.scale = normal.scale();
        int[] full = normal.batchShape();
        this.eventDims = b.eventDims != null ? b.eventDims : Math.min(1, loc.dim());
        if (eventDims < 0 || eventDims > full.length) {
            throw new IllegalArgumentException("TanhNormal: eventDims must be between 0 and the rank of loc (" + full.length
                    + ", shape " + Shape.format(full) + "), got " + eventDims);
        }
        this.base = eventDims == 0 ? normal : new Independent(normal, eventDims);
        this.batchShape = Arguments.head(full, full.length - eventDims);
        this.eventShape = Arguments.tail(full, eventDims);
    }

    /** The default TanhNormal: bounds [−1, 1], one event dim (none for a scalar loc), safe tanh, no tanhLoc. */
    public TanhNormal(Tensor loc, Tensor scale) {
        this(builder(loc, scale));
    }

    public static Builder builder(Tensor loc, Tensor scale) {
        return new Builder(loc, scale, Double.NaN);
    }

    /** A constant scale, the same everywhere (it gets no gradient). */
    public static Builder builder(Tensor loc, double scale) {
        return new Builder(loc, null, scale);
    }

    /** The constructor arguments of TorchRL's {@code TanhNormal}, with its defaults. */
    public static final class Builder {
        private final Tensor loc;
        private final Tensor scale;
        private final double scaleValue;
        private double upscale = DEFAULT_UPSCALE;
        private Tensor low;
        private Tensor high;
        private double lowValue = -1.0;
        private double highValue = 1.0;
        private Integer eventDims;
        private boolean tanhLoc;
        private boolean safeTanh = true;

        private Builder(Tensor loc, Tensor scale, double scaleValue) {
            this.loc = loc;
            this.scale = scale;
            this.scaleValue = scaleValue;
        }

        public Builder upscale(double upscale) { this.upscale = upscale; return this; }

        public Builder bounds(double low, double high) {
            this.low = null;
            this.high = null;
            this.lowValue = low;
            this.highValue = high;
            return this;
        }

        /** Bounds that broadcast against the trailing dims of {@code loc} (no gradient flows to them). */
        public Builder bounds(Tensor low, Tensor high) {
            this.low = low;
            this.high = high;
            return this;
        }

        /** How many trailing dims form one event (default {@code min(1, loc.dim())}). */
        public Builder eventDims(int eventDims) { this.eventDims = eventDims; return this; }

        public Builder tanhLoc(boolean tanhLoc) { this.tanhLoc = tanhLoc; return this; }

        public Builder safeTanh(boolean safeTanh) { this.safeTanh = safeTanh; return this; }

        public TanhNormal build() { return new TanhNormal(this); }
    }

    /** The location as given. */
    public Tensor loc() { return loc; }

    /** The pre-tanh location μ the base normal uses (differs from {@link #loc()} with {@code tanhLoc}). */
    public Tensor baseLoc() { return mu; }

    public Tensor scale() { return scale; }

    public Tensor low() { return low; }

    public Tensor high() { return high; }

    public int eventDims() { return eventDims; }

    public boolean nonTrivialBounds() { return nonTrivialBounds; }

    public boolean tanhLoc() { return tanhLoc; }

    public boolean safeTanh() { return safeTanh; }

    public double upscale() { return upscale; }

    /** The pre-tanh distribution X: {@code Independent(Normal(μ, σ), eventDims)}, or the Normal itself when {@code eventDims = 0}. */
    public Distribution base() { return base; }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return eventShape.clone(); }

    @Override public boolean hasRsample() { return true; }
    /** {@code [low, high]}; not checked: with safe tanh a value outside is clamped into the bounds (spec 4.3). */
    @Override public Support support() { return Support.interval(low, high); }

    /** {@code t(x)}: {@code tanh x}, or {@code m + h tanh x} with non-trivial bounds. */
    private Tensor squash(Tensor x) {
        Tensor y = safeTanh ? SafeTanh.safeTanh(x) : x.tanh();
        return nonTrivialBounds ? mid.add(halfWidth.mul(y)) : y;
    }

    /** {@code t⁻¹(y)}: {@code atanh((y − m)/h)} (no division for the default bounds), clamped with safe tanh. */
    private Tensor unsquash(Tensor y) {
        Tensor u = nonTrivialBounds ? y.sub(mid).div(halfWidth) : y;
        return safeTanh ? SafeTanh.safeAtanh(u) : u.atanh();
    }

    /** {@code Σ_event [ln(1 − tanh² x) + ln h]}, the log-determinant of t's Jacobian at x. */
    private Tensor logAbsDetJacobian(Tensor x) {
        // ln(1 − tanh² x) = 2 (ln 2 − x − softplus(−2x)), finite even where tanh x rounds to ±1.
        Tensor j = x.neg().sub(x.mul(-2).softplus()).add(Math.log(2)).mul(2);
        if (nonTrivialBounds) j = j.add(halfWidth.log());
        return Arguments.sumLast(j, eventDims);
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        Tensor x = base.sample(random, sampleShape);
        try (var scope = GradMode.noGrad()) {
            return squash(x);
        }
    }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        return squash(base.rsample(random, sampleShape));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = unsquash(value);
        return base.logProb(x).sub(logAbsDetJacobian(x));
    }

    /** Draws {@code x = μ + σ ε} (differentiable), returns {@code t(x)} and the log-density scored at that same x. */
    @Override
    public SampleAndLogProb rsampleAndLogProb(RandomSource random, int... sampleShape) {
        Tensor x = base.rsample(random, sampleShape);
        return new SampleAndLogProb(squash(x), base.logProb(x).sub(logAbsDetJacobian(x)));
    }

    /**
     * Draws x without gradient and returns {@code t(x)} (no gradient) with its log-density scored
     * at x, differentiable with respect to μ and σ (the score-function form).
     */
    @Override
    public SampleAndLogProb sampleAndLogProb(RandomSource random, int... sampleShape) {
        Tensor x = base.sample(random, sampleShape);
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            y = squash(x);
        }
        return new SampleAndLogProb(y, base.logProb(x).sub(logAbsDetJacobian(x)));
    }

    /** {@code t(μ)}: the squashed location, what a deterministic policy acts with. */
    @Override
    public Tensor deterministicSample() {
        return squash(mu.expand(Arguments.concat(batchShape, eventShape)));
    }

    @Override
    public Tensor mode() {
        throw new UnsupportedOperationException("TanhNormal has no analytical mode; use deterministicSample() "
                + "(ExplorationMode.DETERMINISTIC) for a deterministic point");
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException("TanhNormal has no closed-form mean; estimate it as sample(n).mean(0) for a large n");
    }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException("TanhNormal has no closed-form entropy; estimate it by Monte Carlo "
                + "(minus the mean of rsampleAndLogProb's log-probabilities)");
    }

    @Override
    public String toString() {
        return "TanhNormal(batchShape=" + Shape.format(batchShape) + ", eventShape=" + Shape.format(eventShape)
                + (nonTrivialBounds ? ", bounds " + low + " .. " + high : "") + ")";
    }
}
