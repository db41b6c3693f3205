package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * 1 with probability p, else 0, element-wise (PyTorch's {@code torch.distributions.Bernoulli}).
 *
 * <ul>
 *   <li>From probabilities: {@code logits = ln p' − ln(1 − p')} with {@code p' = clamp(p, eps, 1 − eps)}
 *       (PyTorch's {@code probs_to_logits(is_binary=True)}); from logits: {@code p = σ(l)}.</li>
 *   <li>{@code log p(v) = v l + ln σ(−l)}, which is {@code v ln σ(l) + (1 − v) ln σ(−l)} written so
 *       that it is stable for large |l| and its gradient {@code v − σ(l)} is exact everywhere
 *       (PyTorch computes {@code −BCE_with_logits}, the same function).</li>
 *   <li>{@code entropy = −(p l + ln σ(−l))}; {@code mean = p}; {@code variance = p (1 − p)};
 *       {@code mode = 1 where p > ½, 0 where p < ½}, and NaN at exactly ½ (PyTorch's convention:
 *       there is no single mode there).</li>
 *   <li>Draws compare a uniform (site {@code "Bernoulli.sample"}) with p; no reparameterised draw.</li>
 * </ul>
 */
public final class Bernoulli implements Distribution {
    private final Tensor probs;
    private final Tensor logits;

    private Bernoulli(Tensor probs, Tensor logits) {
        this.probs = probs;
        this.logits = logits;
    }

    public static Bernoulli fromProbs(Tensor probs) {
        if (!probs.dtype().isFloating()) {
            throw new IllegalArgumentException("Bernoulli: probs must be a float tensor, got " + probs.dtype() + " of shape " + Shape.format(probs.shapeRef()));
        }
        double[] v = CategoricalSupport.values(probs);
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0 && v[i] <= 1)) {
                throw new IllegalArgumentException("Bernoulli: probs must lie in [0, 1], got " + v[i] + " at flat index " + i
                        + " of a tensor of shape " + Shape.format(probs.shapeRef()));
            }
        }
        double eps = probs.dtype().eps();
        Tensor clamped = probs.clamp(eps, 1 - eps);
        return new Bernoulli(probs, clamped.log().sub(clamped.neg().log1p()));
    }

    public static Bernoulli fromLogits(Tensor logits) {
        if (!logits.dtype().isFloating()) {
            throw new IllegalArgumentException("Bernoulli: logits must be a float tensor, got " + logits.dtype() + " of shape " + Shape.format(logits.shapeRef()));
        }
        return new Bernoulli(logits.sigmoid(), logits);
    }

    public Tensor probs() { return probs; }

    public Tensor logits() { return logits; }

    public Tensor variance() { return probs.mul(probs.rsub(1)); }

    @Override public int[] batchShape() { return probs.shape(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return false; }
    @Override public Support support() { return Support.BOOLEAN; }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        int[] shape = CategoricalSupport.concat(sampleShape, probs.shapeRef());
        Tensor u = Arguments.onDeviceOf(random.uniform("Bernoulli.sample", shape, probs.dtype(), 0, 1), probs);
        try (var scope = GradMode.noGrad()) {
            return u.lt(probs.detach()).to(probs.dtype());
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        support().check("Bernoulli", value);
        return value.to(logits.dtype()).mul(logits).add(logits.neg().logSigmoid());
    }

    @Override
    public Tensor entropy() {
        return probs.mul(logits).add(logits.neg().logSigmoid()).neg();
    }

    @Override
    public Tensor mean() {
        return probs;
    }

    @Override
    public Tensor mode() {
        try (var scope = GradMode.noGrad()) {
            Tensor p = probs.detach();
            return Tensor.where(p.eq(0.5), Double.NaN, p.ge(0.5).to(p.dtype()));
        }
    }
}
