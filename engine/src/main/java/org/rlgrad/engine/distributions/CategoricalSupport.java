package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The arithmetic the categorical family shares (PyTorch's {@code Categorical} and
 * {@code distributions.utils}): parameter checks, normalisation, scoring an index, inverse-CDF
 * draws and the clamped entropy. The categories are always the last dim of the parameters.
 */
final class CategoricalSupport {
    private CategoricalSupport() {}

    /** Checks that {@code logits} is a float tensor with at least one dim and one category. */
    static void checkLogits(String who, Tensor logits) {
        if (logits == null) throw new IllegalArgumentException(who + ": logits must not be null");
        if (!logits.dtype().isFloating()) {
            throw new IllegalArgumentException(who + ": logits must be a float tensor, got " + logits.dtype() + " of shape " + Shape.format(logits.shapeRef()));
        }
        if (logits.dim() < 1 || logits.size(-1) < 1) {
            throw new IllegalArgumentException(who + ": logits must have a last dim of at least one category, got shape " + Shape.format(logits.shapeRef()));
        }
    }

    /** Checks that {@code probs} is a float tensor of finite non-negative weights with a positive sum in every row. */
    static void checkProbs(String who, Tensor probs) {
        if (probs == null) throw new IllegalArgumentException(who + ": probs must not be null");
        if (!probs.dtype().isFloating()) {
            throw new IllegalArgumentException(who + ": probs must be a float tensor, got " + probs.dtype() + " of shape " + Shape.format(probs.shapeRef()));
        }
        if (probs.dim() < 1 || probs.size(-1) < 1) {
            throw new IllegalArgumentException(who + ": probs must have a last dim of at least one category, got shape " + Shape.format(probs.shapeRef()));
        }
        double[] v = values(probs);
        int k = probs.size(-1);
        for (int row = 0; row < v.length / k; row++) {
            double total = 0;
            for (int j = 0; j < k; j++) {
                double p = v[row * k + j];
                if (!(p >= 0) || Double.isInfinite(p)) {
                    throw new IllegalArgumentException(who + ": probs must be finite and non-negative, got " + p + " at flat index " + (row * k + j)
                            + " of a tensor of shape " + Shape.format(probs.shapeRef()));
                }
                total += p;
            }
            if (!(total > 0)) {
                throw new IllegalArgumentException(who + ": every row of probs must have a positive sum, row " + row + " of a tensor of shape "
                        + Shape.format(probs.shapeRef()) + " sums to " + total);
            }
        }
    }

    static double[] values(Tensor t) {
        try (var scope = GradMode.noGrad()) {
            return t.detach().to(DType.FLOAT64).contiguous().toDoubleArray();
        }
    }

    /** {@code logits − logsumexp(logits)} over the categories: log-probabilities. */
    static Tensor normalise(Tensor logits) {
        return logits.sub(logits.logsumexp(new int[] {-1}, true));
    }

    /** {@code probs / Σ probs} over the categories. */
    static Tensor normaliseProbs(Tensor probs) {
        return probs.div(probs.sum(-1, true));
    }

    /**
     * PyTorch's {@code probs_to_logits}: {@code ln(clamp(p, eps, 1 − eps))} with eps the dtype's
     * machine epsilon, so that a zero probability gives a large negative, finite logit.
     */
    static Tensor probsToLogits(Tensor probs) {
        double eps = probs.dtype().eps();
        return probs.clamp(eps, 1 - eps).log();
    }

    /**
     * The entry of {@code logProbs} (shape {@code batch + [K]}) at category {@code value} (int64,
     * shape broadcastable with the batch shape, typically {@code sampleShape + batch}).
     */
    static Tensor scoreIndex(String who, Tensor logProbs, Tensor value) {
        Tensor index = checkIndex(who, value, logProbs.size(-1));
        int[] batch = Arrays.copyOf(logProbs.shapeRef(), logProbs.dim() - 1);
        int[] shape = Shape.broadcast(who + ".logProb", index.shapeRef(), batch);
        int[] full = append(shape, logProbs.size(-1));
        return logProbs.expand(full).gather(-1, index.expand(shape).unsqueeze(-1).contiguous()).squeeze(-1);
    }

    /** {@code value} as int64 category indices, checked to lie in {@code [0, k)}. */
    static Tensor checkIndex(String who, Tensor value, int k) {
        Tensor index = value.dtype() == DType.INT64 ? value : value.to(DType.INT64);
        if (value.dtype().isFloating()) {
            double[] v = values(value);
            for (int i = 0; i < v.length; i++) {
                if (v[i] != Math.rint(v[i])) {
                    throw new IllegalArgumentException(who + ": a category index must be a whole number, got " + v[i] + " at flat index " + i);
                }
            }
        }
        long[] idx = index.contiguous().toLongArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= k) {
                throw new IllegalArgumentException(who + ": category index out of range: expected 0 <= index < " + k + ", got " + idx[i]
                        + " at flat index " + i + " of a value of shape " + Shape.format(value.shapeRef()));
            }
        }
        return index;
    }

    /** The position of the first maximum of a one-hot value's last dim (PyTorch reads {@code value.max(-1)} indices). */
    static Tensor indexOfOneHot(String who, Tensor value, int k) {
        if (value.dim() < 1 || value.size(-1) != k) {
            throw new IllegalArgumentException(who + ": a one-hot value must have a last dim of " + k + " categories, got shape " + Shape.format(value.shapeRef()));
        }
        try (var scope = GradMode.noGrad()) {
            return value.detach().to(DType.FLOAT64).argmax(-1, false);
        }
    }

    /**
     * Category draws by inverting each row's cumulative distribution at a uniform variate
     * ({@code random.uniform(site, ...)}), of shape {@code sampleShape + batch}. The variate is
     * scaled by the row's total so a rounding shortfall of the cumulative sum cannot reach past the
     * last category, and the result is capped at the last category of positive probability, so a
     * category of probability zero (a masked action) is never drawn.
     */
    static Tensor inverseCdfSample(Tensor probs, RandomSource random, String site, int[] sampleShape) {
        int k = probs.size(-1);
        int[] batch = Arrays.copyOf(probs.shapeRef(), probs.dim() - 1);
        int[] shape = concat(sampleShape, batch);
        DType dtype = probs.dtype();
        Tensor u = Arguments.onDeviceOf(random.uniform(site, shape, dtype, 0, 1), probs);
        try (var scope = GradMode.noGrad()) {
            Tensor p = probs.detach();
            Tensor cdf = p.cumsum(-1);
            Tensor total = cdf.narrow(-1, k - 1, 1).squeeze(-1);
            Tensor target = u.mul(total).unsqueeze(-1);
            Tensor count = cdf.le(target).to(DType.INT64).sum(-1);
            Tensor positions = Tensor.arange(k).to(p.device());
            Tensor lastPositive = Tensor.where(p.gt(0), positions.to(DType.FLOAT64), -1.0).amax(-1).to(DType.INT64);
            return count.minimum(lastPositive.expand(shape));
        }
    }

    /** {@code −Σ max(logits, finfo.min) · probs}: PyTorch's entropy, finite where a logit is −∞ and its probability 0. */
    static Tensor entropy(Tensor logits, Tensor probs) {
        Tensor clamped = logits.clampMin(logits.dtype().minValue());
        return clamped.mul(probs).sum(-1).neg();
    }

    /** The first category of largest probability. */
    static Tensor argmax(Tensor probs) {
        try (var scope = GradMode.noGrad()) {
            return probs.detach().argmax(-1, false);
        }
    }

    /** {@code (logits == max logits)} over the categories, as int64: every tied maximum is one (TorchRL's one-hot mode). */
    static Tensor tiedMaxima(Tensor logits) {
        try (var scope = GradMode.noGrad()) {
            Tensor l = logits.detach();
            return l.eq(l.amax(new int[] {-1}, true)).to(DType.INT64);
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int[] append(int[] a, int last) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }
}
