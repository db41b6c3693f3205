package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The gamma distribution with shape α ({@code concentration}) and rate β, density
 * {@code β^α x^(α−1) e^(−βx) / Γ(α)} on x &gt; 0 (PyTorch's {@code torch.distributions.Gamma}).
 *
 * <ul>
 *   <li>{@code log p(x) = α ln β + (α − 1) ln x − β x − ln Γ(α)};</li>
 *   <li>{@code entropy = α − ln β + ln Γ(α) + (1 − α) ψ(α)};</li>
 *   <li>{@code mean = α/β}, {@code variance = α/β²}, {@code mode = max((α − 1)/β, 0)};</li>
 *   <li>{@code rsample = X / β} with {@code X ~ Gamma(α, 1)} drawn by Marsaglia–Tsang and
 *       differentiable in α through the implicit reparameterisation gradient
 *       ({@link StandardGamma}); the draws need a {@code Generator}.</li>
 * </ul>
 *
 * <p>α and β are broadcast against each other; both must be positive and finite.
 */
public final class Gamma implements Distribution {
    private final Tensor concentration;
    private final Tensor rate;
    private final int[] batchShape;

    public Gamma(Tensor concentration, Tensor rate) {
        Arguments.requirePositiveFinite("Gamma", "concentration", concentration);
        Arguments.requirePositiveFinite("Gamma", "rate", rate);
        this.batchShape = Shape.broadcast("Gamma(concentration, rate)", concentration.shapeRef(), rate.shapeRef());
        this.concentration = concentration.expand(batchShape);
        this.rate = rate.expand(batchShape);
    }

    public Tensor concentration() { return concentration; }

    public Tensor rate() { return rate; }

    public Tensor variance() { return concentration.div(rate.square()); }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return true; }
    @Override public Support support() { return Support.NONNEGATIVE; }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        int[] shape = CategoricalSupport.concat(sampleShape, batchShape);
        return StandardGamma.rsample("Gamma.rsample", random, concentration, shape).div(rate.expand(shape));
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        try (var scope = GradMode.noGrad()) {
            return rsample(random, sampleShape);
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        support().check("Gamma", value);
        Tensor a = concentration;
        return a.mul(rate.log()).add(a.sub(1).mul(value.log())).sub(rate.mul(value)).sub(a.lgamma());
    }

    @Override
    public Tensor entropy() {
        Tensor a = concentration;
        return a.sub(rate.log()).add(a.lgamma()).add(a.rsub(1).mul(a.digamma()));
    }

    @Override
    public Tensor mean() {
        return concentration.div(rate);
    }

    @Override
    public Tensor mode() {
        return concentration.sub(1).div(rate).clampMin(0);
    }
}
