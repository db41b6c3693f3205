package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The univariate normal distribution N(μ, σ²), element-wise over a batch (PyTorch's
 * {@code torch.distributions.Normal}; spec/engine.md section 4.2).
 *
 * <ul>
 *   <li>{@code log p(x) = −(x − μ)² / (2σ²) − ln σ − ln √(2π)};</li>
 *   <li>{@code entropy = ½ + ½ ln 2π + ln σ};</li>
 *   <li>{@code rsample = μ + σ ε}, {@code ε ~ N(0, 1)} drawn at the site {@code "Normal.rsample"}
 *       (the reparameterisation trick: the draw is a differentiable function of μ and σ);
 *       {@code sample} is the same formula without gradient, drawn at {@code "Normal.sample"};</li>
 *   <li>{@code mean = mode = μ}.</li>
 * </ul>
 *
 * <p>As in PyTorch, {@code loc} and {@code scale} are broadcast against each other at construction,
 * so the batch shape is their broadcast shape and {@link #mean()} and {@link #stddev()} have that
 * shape (their gradients sum back to each parameter's own shape). The scale must be positive
 * everywhere; the constructor checks it.
 */
public final class Normal implements Distribution {
    /** {@code ln √(2π)}. */
    static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private final Tensor loc;
    private final Tensor scale;
    private final int[] batchShape;

    public Normal(Tensor loc, Tensor scale) {
        Arguments.requireFloating("Normal", "loc", loc);
        Arguments.requirePositive("Normal", "scale", scale);
        this.batchShape = Shape.broadcast("Normal(loc, scale)", loc.shapeRef(), scale.shapeRef());
        this.loc = loc.expand(batchShape);
        this.scale = scale.expand(batchShape);
    }

    /** A normal with the same scale everywhere; the scale is a constant (it gets no gradient). */
    public Normal(Tensor loc, double scale) {
        this(loc, Tensor.fullLike(loc, checkScale(scale)));
    }

    private static double checkScale(double scale) {
        if (!(scale > 0)) throw new IllegalArgumentException("Normal: scale must be positive, got " + scale);
        return scale;
    }

    public Tensor loc() { return loc; }

    public Tensor scale() { return scale; }

    public Tensor stddev() { return scale; }

    public Tensor variance() { return scale.square(); }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return true; }
    @Override public Support support() { return Support.REAL; }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        Tensor eps = Arguments.onDeviceOf(random.standardNormal("Normal.sample", Arguments.concat(sampleShape, batchShape), loc.dtype()), loc);
        try (var scope = GradMode.noGrad()) {
            return loc.detach().add(scale.detach().mul(eps));
        }
    }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        Tensor eps = Arguments.onDeviceOf(random.standardNormal("Normal.rsample", Arguments.concat(sampleShape, batchShape), loc.dtype()), loc);
        return loc.add(scale.mul(eps));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor var = scale.square();
        return value.sub(loc).square().neg().div(var.mul(2)).sub(scale.log()).sub(LOG_SQRT_2PI);
    }

    @Override
    public Tensor entropy() {
        return scale.log().add(0.5 + LOG_SQRT_2PI);
    }

    @Override public Tensor mean() { return loc; }

    @Override public Tensor mode() { return loc; }

    @Override public Tensor deterministicSample() { return loc; }

    @Override
    public String toString() {
        return "Normal(batchShape=" + Shape.format(batchShape) + ")";
    }
}
