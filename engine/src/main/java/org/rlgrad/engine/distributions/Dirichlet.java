package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The Dirichlet distribution on the probability simplex of the last dim, concentration α
 * (PyTorch's {@code torch.distributions.Dirichlet}); {@code a₀ = Σ α}, K categories.
 *
 * <ul>
 *   <li>{@code log p(x) = Σ (α − 1) ln x + ln Γ(a₀) − Σ ln Γ(α)};</li>
 *   <li>{@code entropy = Σ ln Γ(α) − ln Γ(a₀) − (K − a₀) ψ(a₀) − Σ (α − 1) ψ(α)};</li>
 *   <li>{@code mean = α / a₀}, {@code variance = α (a₀ − α) / (a₀² (a₀ + 1))};</li>
 *   <li>{@code mode = (α − 1)⁺ / Σ (α − 1)⁺}, and where every α &lt; 1 PyTorch's choice, the
 *       one-hot of the first largest {@code (α − 1)⁺} (the first vertex);</li>
 *   <li>{@code rsample = G / Σ G} with independent {@code G_k ~ Gamma(α_k, 1)}, each differentiable
 *       through the implicit reparameterisation gradient ({@link StandardGamma}). PyTorch's
 *       {@code _Dirichlet} uses a different closed-form estimate of the same gradient
 *       ({@code _dirichlet_grad}); both are unbiased, so expectations agree, individual gradients
 *       do not. The draws need a {@code Generator}.</li>
 * </ul>
 */
public final class Dirichlet implements Distribution {
    private final Tensor concentration;
    private final int[] batchShape;
    private final int k;

    public Dirichlet(Tensor concentration) {
        Arguments.requirePositiveFinite("Dirichlet", "concentration", concentration);
        if (concentration.dim() < 1) {
            throw new IllegalArgumentException("Dirichlet: concentration must have at least one dim (the categories), got shape "
                    + Shape.format(concentration.shapeRef()));
        }
        this.concentration = concentration;
        this.k = concentration.size(-1);
        this.batchShape = Arrays.copyOf(concentration.shapeRef(), concentration.dim() - 1);
    }

    public Tensor concentration() { return concentration; }

    public Tensor variance() {
        Tensor a0 = concentration.sum(-1, true);
        return concentration.mul(a0.sub(concentration)).div(a0.square().mul(a0.add(1)));
    }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[] {k}; }

    @Override public boolean hasRsample() { return true; }
    @Override public Support support() { return Support.SIMPLEX; }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        int[] shape = CategoricalSupport.concat(sampleShape, concentration.shapeRef());
        Tensor g = StandardGamma.rsample("Dirichlet.rsample", random, concentration, shape);
        return g.div(g.sum(-1, true));
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        try (var scope = GradMode.noGrad()) {
            return rsample(random, sampleShape);
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        support().check("Dirichlet", value);
        Tensor a = concentration;
        return a.sub(1).mul(value.log()).sum(-1).add(a.sum(-1).lgamma()).sub(a.lgamma().sum(-1));
    }

    @Override
    public Tensor entropy() {
        Tensor a = concentration;
        Tensor a0 = a.sum(-1);
        return a.lgamma().sum(-1).sub(a0.lgamma()).sub(a0.rsub(k).mul(a0.digamma())).sub(a.sub(1).mul(a.digamma()).sum(-1));
    }

    @Override
    public Tensor mean() {
        return concentration.div(concentration.sum(-1, true));
    }

    @Override
    public Tensor mode() {
        return mode(concentration);
    }

    /** PyTorch's Dirichlet mode (also Beta's, on {@code [α, β]}). */
    static Tensor mode(Tensor concentration) {
        Tensor excess = concentration.sub(1).clampMin(0);
        Tensor vertex;
        Tensor allBelowOne;
        try (var scope = GradMode.noGrad()) {
            vertex = excess.detach().argmax(-1, false).oneHot(concentration.size(-1)).to(concentration.dtype());
            allBelowOne = concentration.detach().lt(1).all(-1, true);
        }
        // Where every α < 1 the interior formula is 0/0; divide by 1 there so its (unused) gradient is 0, not NaN.
        Tensor interior = excess.div(Tensor.where(allBelowOne, 1.0, excess.sum(-1, true)));
        return Tensor.where(allBelowOne, vertex, interior);
    }
}
