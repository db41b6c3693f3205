package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A normal distribution restricted to {@code [low, high]} and renormalised: TorchRL's
 * {@code TruncatedNormal}, with one event dim (spec/engine.md section 4.6).
 *
 * <p>With {@code σ ← max(σ, 1e−6)}, the standardised bounds {@code a = (low − μ)/σ},
 * {@code b = (high − μ)/σ}, the standard normal density {@code φ} and distribution function
 * {@code Φ} (clamped to {@code [1e−6, 1 − 1e−6]}), and the mass inside the bounds
 * {@code Z = clamp(Φ(b) − Φ(a), 1e−6, 1 − 1e−6)} (see e.g. Johnson, Kotz and Balakrishnan,
 * <i>Continuous Univariate Distributions</i>, vol. 1, section 10.1):
 * <ul>
 *   <li>{@code log p(x) = Σ_event [−½ ln 2π − ln Z − z²/2 − ln σ]}, {@code z = (x − μ)/σ}, after
 *       clamping x into {@code [low + 1e−6, high − 1e−6]}; a batch entry with any event element
 *       outside {@code [low, high]} scores {@code −∞};</li>
 *   <li>{@code mean = μ + σ (φ(a) − φ(b))/Z}, which is also the deterministic sample;</li>
 *   <li>{@code entropy = Σ_event [½ ln(2πe) + ln Z − ½ (b φ(b) − a φ(a))/Z + ln σ]};</li>
 *   <li>{@code mode = clamp(μ, low + 1e−6, high − 1e−6)};</li>
 *   <li>{@code rsample} inverts the distribution function: {@code u ~ U(1e−6, 1 − 1e−6)} drawn at
 *       the site {@code "Tensor.uniform_"}, {@code c = clamp(Φ(a) + u Z, 1e−6, 1 − 1e−6)},
 *       {@code x = μ + σ √2 erfinv(2c − 1)}; the value is then clamped into {@code [low, high]}
 *       (rounding can step outside) while the gradient stays that of the unclamped x.</li>
 * </ul>
 * With {@code tanhLoc}, {@code μ = upscale · tanh(loc / upscale)}. The clamps are TorchRL's and
 * keep its numbers (the conformance vectors), at the price of small biases deep in the tails.
 */
public final class TruncatedNormal implements Distribution {
    public static final double DEFAULT_UPSCALE = 5.0;
    /** The clamp TorchRL applies to σ, Φ, Z and the bounds. */
    static final double EPS = 1e-6;
    static final String BOUNDS_MESSAGE = "TruncatedNormal high values must be strictly greater than low values";
    private static final double LOG_SQRT_2PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);
    private static final double LOG_INV_SQRT_2PI = Math.log(1 / Math.sqrt(2 * Math.PI));
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double INV_SQRT_2 = 1 / Math.sqrt(2);
    private static final double SQRT_2 = Math.sqrt(2);

    private final Tensor loc;
    private final Tensor mu;
    private final Tensor scale;
    private final Tensor low;
    private final Tensor high;
    private final Tensor bigPhiA;
    private final Tensor z;
    private final Tensor logZ;
    private final Tensor littlePhiA;
    private final Tensor littlePhiB;
    private final Tensor a;
    private final Tensor b;
    private final int[] batchShape;
    private final int[] eventShape;

    public TruncatedNormal(Tensor loc, Tensor scale) {
        this(loc, scale, DEFAULT_UPSCALE, -1.0, 1.0, false);
    }

    public TruncatedNormal(Tensor loc, Tensor scale, double upscale, double low, double high, boolean tanhLoc) {
        this(loc, scale, upscale, loc.newScalar(low, loc.dtype()), loc.newScalar(high, loc.dtype()), tanhLoc);
    }

    /** Bounds as tensors that broadcast against {@code loc} (no gradient flows to them). */
    public TruncatedNormal(Tensor loc, Tensor scale, double upscale, Tensor low, Tensor high, boolean tanhLoc) {
        Arguments.requireFloating("TruncatedNormal", "loc", loc);
        Arguments.requireFloating("TruncatedNormal", "scale", scale);
        if (loc.dim() < 1) throw new IllegalArgumentException("TruncatedNormal: loc must have at least one dim (its last is the event dim), got a scalar");
        if (!(upscale > 0)) throw new IllegalArgumentException("TruncatedNormal: upscale must be positive, got " + upscale);
        Tensor lo = low.detach().to(loc.dtype()), hi = high.detach().to(loc.dtype());
        Arguments.requireOrdered(BOUNDS_MESSAGE, lo, hi);
        this.loc = loc;
        int[] shape = Shape.broadcast("TruncatedNormal(loc, scale, low, high)", loc.shapeRef(), scale.shapeRef(), lo.shapeRef(), hi.shapeRef());
        this.mu = (tanhLoc ? loc.div(upscale).tanh().mul(upscale) : loc).expand(shape);
        this.scale = scale.clampMin(EPS).expand(shape);
        this.low = lo.expand(shape);
        this.high = hi.expand(shape);
        this.a = this.low.sub(mu).div(this.scale);
        this.b = this.high.sub(mu).div(this.scale);
        this.littlePhiA = littlePhi(a);
        this.littlePhiB = littlePhi(b);
        this.bigPhiA = bigPhi(a);
        this.z = bigPhi(b).sub(bigPhiA).clamp(EPS, 1 - EPS);
        this.logZ = z.log();
        this.batchShape = Arguments.head(shape, shape.length - 1);
        this.eventShape = Arguments.tail(shape, 1);
    }

    /** φ(x) = e^(−x²/2) / √(2π). */
    private static Tensor littlePhi(Tensor x) {
        return x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
    }

    /** Φ(x) = ½ (1 + erf(x / √2)), clamped to [1e−6, 1 − 1e−6]. */
    private static Tensor bigPhi(Tensor x) {
        return x.mul(INV_SQRT_2).erf().add(1).mul(0.5).clamp(EPS, 1 - EPS);
    }

    public Tensor loc() { return loc; }

    /** The (clamped) scale the formulas use. */
    public Tensor scale() { return scale; }

    public Tensor low() { return low; }

    public Tensor high() { return high; }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return eventShape.clone(); }

    @Override public boolean hasRsample() { return true; }
    /** {@code [low, high]}; not checked: a value outside scores −∞ (spec 4.6). */
    @Override public Support support() { return Support.interval(low, high); }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        int[] shape = Arguments.concat(sampleShape, batchShape, eventShape);
        Tensor u = Arguments.onDeviceOf(random.uniform("Tensor.uniform_", shape, loc.dtype(), EPS, 1 - EPS), loc);
        Tensor c = bigPhiA.add(u.mul(z)).clamp(EPS, 1 - EPS);
        Tensor x = c.mul(2).sub(1).erfinv().mul(SQRT_2).mul(scale).add(mu);
        Tensor clipped;
        try (var scope = GradMode.noGrad()) {
            Tensor d = x.detach();
            clipped = d.clamp(low, high).sub(d);
        }
        // The clamped value with the gradient of the unclamped one (TorchRL copies the clamp into .data).
        return x.add(clipped);
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        int[] shape = Arguments.concat(sampleShape, batchShape, eventShape);
        Tensor u = Arguments.onDeviceOf(random.uniform("Tensor.uniform_", shape, loc.dtype(), EPS, 1 - EPS), loc);
        try (var scope = GradMode.noGrad()) {
            Tensor c = bigPhiA.detach().add(u.mul(z.detach())).clamp(EPS, 1 - EPS);
            Tensor x = c.mul(2).sub(1).erfinv().mul(SQRT_2).mul(scale.detach()).add(mu.detach());
            return x.clamp(low, high);
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor outside, v;
        try (var scope = GradMode.noGrad()) {
            Tensor x = value.detach();
            outside = low.gt(x).logicalOr(high.lt(x)).any(-1, false);
            v = x.clamp(low.add(EPS), high.sub(EPS));
        }
        Tensor zScore = v.sub(mu).div(scale);
        Tensor lp = zScore.square().mul(-0.5).sub(logZ).sub(scale.log()).add(LOG_INV_SQRT_2PI);
        return Arguments.sumLast(lp, 1).maskedFill(outside, Double.NEGATIVE_INFINITY);
    }

    @Override
    public Tensor mean() {
        return littlePhiA.sub(littlePhiB).div(z).mul(scale).add(mu);
    }

    @Override
    public Tensor deterministicSample() {
        return mean();
    }

    @Override
    public Tensor mode() {
        return mu.clamp(low.add(EPS), high.sub(EPS));
    }

    @Override
    public Tensor entropy() {
        Tensor lpbbMinusLpaaOverZ = littlePhiB.mul(b).sub(littlePhiA.mul(a)).div(z);
        Tensor h = logZ.sub(lpbbMinusLpaaOverZ.mul(0.5)).add(scale.log()).add(LOG_SQRT_2PI_E);
        return Arguments.sumLast(h, 1);
    }

    @Override
    public String toString() {
        return "TruncatedNormal(batchShape=" + Shape.format(batchShape) + ", eventShape=" + Shape.format(eventShape) + ")";
    }
}
