package org.rlgrad.engine.distributions;

import java.util.List;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The beta distribution on (0, 1), density {@code x^(a−1) (1−x)^(b−1) / B(a, b)} with
 * {@code a = concentration1}, {@code b = concentration0} (PyTorch's {@code torch.distributions.Beta},
 * which is the Dirichlet on {@code [a, b]} read at its first coordinate); {@code t = a + b}.
 *
 * <ul>
 *   <li>{@code log p(x) = (a − 1) ln x + (b − 1) ln(1 − x) + ln Γ(t) − ln Γ(a) − ln Γ(b)};</li>
 *   <li>{@code entropy = ln Γ(a) + ln Γ(b) − ln Γ(t) − (2 − t) ψ(t) − (a − 1) ψ(a) − (b − 1) ψ(b)};</li>
 *   <li>{@code mean = a / t}, {@code variance = a b / (t² (t + 1))}, {@code mode} the Dirichlet's
 *       first coordinate: {@code (a − 1)⁺ / ((a − 1)⁺ + (b − 1)⁺)}, and 1 where both are below 1
 *       (PyTorch's choice of vertex);</li>
 *   <li>{@code rsample = X / (X + Y)}, {@code X ~ Gamma(a)}, {@code Y ~ Gamma(b)}, differentiable
 *       through the implicit gamma gradient ({@link StandardGamma}); needs a {@code Generator}.</li>
 * </ul>
 */
public final class Beta implements Distribution {
    private final Tensor concentration1;
    private final Tensor concentration0;
    private final int[] batchShape;

    public Beta(Tensor concentration1, Tensor concentration0) {
        Arguments.requirePositiveFinite("Beta", "concentration1", concentration1);
        Arguments.requirePositiveFinite("Beta", "concentration0", concentration0);
        this.batchShape = Shape.broadcast("Beta(concentration1, concentration0)", concentration1.shapeRef(), concentration0.shapeRef());
        this.concentration1 = concentration1.expand(batchShape);
        this.concentration0 = concentration0.expand(batchShape);
    }

    public Tensor concentration1() { return concentration1; }

    public Tensor concentration0() { return concentration0; }

    public Tensor variance() {
        Tensor total = concentration1.add(concentration0);
        return concentration1.mul(concentration0).div(total.square().mul(total.add(1)));
    }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return true; }
    @Override public Support support() { return Support.UNIT_INTERVAL; }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        int[] shape = CategoricalSupport.concat(sampleShape, batchShape);
        Tensor x = StandardGamma.rsample("Beta.rsample", random, concentration1, shape);
        Tensor y = StandardGamma.rsample("Beta.rsample", random, concentration0, shape);
        return x.div(x.add(y));
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        try (var scope = GradMode.noGrad()) {
            return rsample(random, sampleShape);
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        support().check("Beta", value);
        Tensor a = concentration1;
        Tensor b = concentration0;
        return a.sub(1).mul(value.log()).add(b.sub(1).mul(value.neg().log1p()))
                .add(a.add(b).lgamma()).sub(a.lgamma()).sub(b.lgamma());
    }

    @Override
    public Tensor entropy() {
        Tensor a = concentration1;
        Tensor b = concentration0;
        Tensor t = a.add(b);
        return a.lgamma().add(b.lgamma()).sub(t.lgamma()).sub(t.rsub(2).mul(t.digamma()))
                .sub(a.sub(1).mul(a.digamma())).sub(b.sub(1).mul(b.digamma()));
    }

    @Override
    public Tensor mean() {
        return concentration1.div(concentration1.add(concentration0));
    }

    @Override
    public Tensor mode() {
        return Dirichlet.mode(Tensor.stack(List.of(concentration1, concentration0), -1)).select(-1, 0);
    }
}
