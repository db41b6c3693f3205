package org.rlgrad.engine.distributions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The multivariate normal N(μ, L Lᵀ) given its Cholesky factor L ({@code scale_tril}), over the
 * last dim (PyTorch's {@code torch.distributions.MultivariateNormal(loc, scale_tril=...)}).
 *
 * <ul>
 *   <li>L is expected lower triangular with a positive diagonal (the diagonal is checked). As in
 *       PyTorch, the log-density and the entropy read only its lower triangle (a triangular
 *       solve), so the entries above the diagonal get zero gradient from them, while the draw
 *       {@code L ε} and {@code L Lᵀ} use L as given (their gradient reaches every entry).</li>
 *   <li>{@code log p(x) = −½ (K ln 2π + ‖z‖²) − Σ ln L_ii} with {@code z = L⁻¹ (x − μ)}, the
 *       triangular solve done by forward substitution in tensor ops
 *       ({@code z_i = (d_i − Σ_(j<i) L_ij z_j) / L_ii}), so autograd differentiates it (K steps,
 *       meant for the small K of action spaces);</li>
 *   <li>{@code entropy = ½ K (1 + ln 2π) + Σ ln L_ii};</li>
 *   <li>{@code rsample = μ + L ε}, {@code ε ~ N(0, I)}, drawn at the site {@code "Normal.rsample"}
 *       ({@code "Normal.sample"} for {@code sample}): PyTorch draws it with the same standard-normal
 *       primitive as Normal's reparameterised draw, and the vectors record it under that name;</li>
 *   <li>{@code mean = mode = μ}; {@code covarianceMatrix = L Lᵀ}; {@code variance} its diagonal.</li>
 * </ul>
 *
 * <p>The batch shape is the broadcast of {@code loc.shape[:-1]} and {@code scaleTril.shape[:-2]}.
 */
public final class MultivariateNormal implements Distribution {
    private final Tensor loc;
    /** L as given: the draw and the covariance use it. */
    private final Tensor scaleTril;
    /** Its lower triangle: the triangular solve and the log-determinant read only this. */
    private final Tensor lower;
    private final int[] batchShape;
    private final int k;

    public MultivariateNormal(Tensor loc, Tensor scaleTril) {
        if (!loc.dtype().isFloating() || !scaleTril.dtype().isFloating()) {
            throw new IllegalArgumentException("MultivariateNormal: loc and scale_tril must be float tensors, got " + loc.dtype() + " and " + scaleTril.dtype());
        }
        if (loc.dim() < 1) throw new IllegalArgumentException("MultivariateNormal: loc must have at least one dim, got a scalar");
        if (scaleTril.dim() < 2 || scaleTril.size(-1) != scaleTril.size(-2) || scaleTril.size(-1) != loc.size(-1)) {
            throw new IllegalArgumentException("MultivariateNormal: scale_tril must be [..., " + loc.size(-1) + ", " + loc.size(-1)
                    + "] to match loc of shape " + Shape.format(loc.shapeRef()) + ", got " + Shape.format(scaleTril.shapeRef()));
        }
        this.k = loc.size(-1);
        this.scaleTril = scaleTril;
        this.lower = scaleTril.tril(0);
        double[] diag = CategoricalSupport.values(diagonal(lower));
        for (int i = 0; i < diag.length; i++) {
            if (!(diag[i] > 0) || Double.isInfinite(diag[i])) {
                throw new IllegalArgumentException("MultivariateNormal: the diagonal of scale_tril must be positive and finite, got " + diag[i]
                        + " at diagonal entry " + (i % k) + " of matrix " + (i / k));
            }
        }
        this.batchShape = Shape.broadcast("MultivariateNormal(loc, scale_tril)", Arrays.copyOf(loc.shapeRef(), loc.dim() - 1),
                Arrays.copyOf(scaleTril.shapeRef(), scaleTril.dim() - 2));
        this.loc = loc.expand(CategoricalSupport.append(batchShape, k));
    }

    private static Tensor diagonal(Tensor matrix) {
        return matrix.mul(Tensor.eye(matrix.size(-1), matrix.dtype())).sum(-1);
    }

    public Tensor loc() { return loc; }

    public Tensor scaleTril() { return scaleTril; }

    public Tensor covarianceMatrix() { return scaleTril.matmul(scaleTril.mT()); }

    public Tensor variance() { return scaleTril.square().sum(-1).expand(loc.shapeRef()); }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[] {k}; }

    @Override public boolean hasRsample() { return true; }
    @Override public Support support() { return Support.REAL; }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        int[] shape = CategoricalSupport.concat(sampleShape, loc.shapeRef());
        Tensor eps = Arguments.onDeviceOf(random.standardNormal("Normal.rsample", shape, loc.dtype()), loc);
        return loc.add(scaleTril.matmul(eps.unsqueeze(-1)).squeeze(-1));
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        int[] shape = CategoricalSupport.concat(sampleShape, loc.shapeRef());
        Tensor eps = Arguments.onDeviceOf(random.standardNormal("Normal.sample", shape, loc.dtype()), loc);
        try (var scope = GradMode.noGrad()) {
            return loc.detach().add(scaleTril.detach().matmul(eps.unsqueeze(-1)).squeeze(-1));
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        if (value.dim() < 1 || value.size(-1) != k) {
            throw new IllegalArgumentException("MultivariateNormal.logProb: value must end in the event dim " + k + ", got shape " + Shape.format(value.shapeRef()));
        }
        Tensor z = solveLower(value.sub(loc));
        Tensor mahalanobis = z.square().sum(-1);
        return mahalanobis.add(k * Math.log(2 * Math.PI)).mul(-0.5).sub(halfLogDet());
    }

    /** {@code L⁻¹ d} by forward substitution along the last dim of {@code d}. */
    private Tensor solveLower(Tensor d) {
        List<Tensor> z = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            Tensor row = lower.select(-2, i);
            Tensor numerator = d.select(-1, i);
            if (i > 0) numerator = numerator.sub(row.narrow(-1, 0, i).mul(Tensor.stack(z, -1)).sum(-1));
            z.add(numerator.div(row.select(-1, i)));
        }
        return Tensor.stack(z, -1);
    }

    private Tensor halfLogDet() {
        return diagonal(lower).log().sum(-1);
    }

    @Override
    public Tensor entropy() {
        Tensor h = halfLogDet().add(0.5 * k * (1 + Math.log(2 * Math.PI)));
        return h.expand(batchShape);
    }

    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Tensor mode() {
        return loc;
    }
}
