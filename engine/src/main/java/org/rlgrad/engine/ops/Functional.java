package org.rlgrad.engine.ops;

import java.util.List;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/**
 * The torch.nn.functional pieces the RL code uses: linear, conv1d and the loss functions. All are
 * compositions of differentiable ops, so their gradients (and second derivatives) follow.
 */
public final class Functional {
    private Functional() {}

    /**
     * {@code x W^T + b}; bias may be null. One recorded op whose backward computes each gradient
     * in its parameter's own layout, as torch's addmm does: dW = g^T x directly as [out, in] (the
     * composition through {@code W.mT()} would deliver a transposed view that then has to be
     * copied), dx = g W, db = the sum of g over the batch.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) throw new IllegalArgumentException("linear: weight must be [out, in], got " + Shape.format(weight.shapeRef()));
        if (x.dim() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.format(x.shapeRef()) + " does not match weight of shape "
                    + Shape.format(weight.shapeRef()) + " (expected last dim " + weight.size(1) + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear: bias of shape " + Shape.format(bias.shapeRef()) + " does not match weight of shape "
                    + Shape.format(weight.shapeRef()) + " (expected [" + weight.size(0) + "])");
        }
        if (weight.isBatched() || (bias != null && bias.isBatched())) {
            // Per-entry weights (an ensemble's stacked parameters): the composition, whose ops have rules.
            Tensor y = x.matmul(weight.mT());
            return bias == null ? y : y.add(bias);
        }
        if (x.isBatched()) return Batching.leadingBatch(x, v -> linear(v, weight, bias));
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            y = x.matmul(weight.mT());
            if (bias != null) y = y.add(bias);
        }
        int out = weight.size(0), in = weight.size(1);
        return Autograd.record("linear", y, new Tensor[] {x, weight, bias}, new Tensor[] {x, weight}, g -> new Tensor[] {
            x.requiresGrad() ? g.matmul(weight) : null,
            weight.requiresGrad() ? g.reshape(-1, out).mT().matmul(x.reshape(-1, in)) : null,
            bias != null && bias.requiresGrad() ? g.reshape(-1, out).sum(0) : null
        });
    }

    /**
     * 1-d cross-correlation (the kernel is not flipped): input [N, C, L], weight [O, C, K], bias [O]
     * or null. out[n, o, i] = b[o] + sum_{c,k} w[o, c, k] x_pad[n, c, i stride + k dilation], with
     * {@code padding} zeros on both sides. Computed as K matrix products of strided slices.
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        if (input.dim() != 3 || weight.dim() != 3 || input.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("conv1d: expected input [N, C, L] and weight [O, C, K] with equal C, got "
                    + Shape.format(input.shapeRef()) + " and " + Shape.format(weight.shapeRef()));
        }
        if (stride <= 0 || dilation <= 0 || padding < 0) {
            throw new IllegalArgumentException("conv1d: stride and dilation must be positive and padding non-negative, got stride "
                    + stride + ", padding " + padding + ", dilation " + dilation);
        }
        Tensor x = padding > 0 ? Joining.pad(input, padding, padding, 0) : input;
        int length = x.size(2), kernel = weight.size(2);
        int span = dilation * (kernel - 1) + 1;
        if (length < span) {
            throw new IllegalArgumentException("conv1d: the padded input length " + length + " is shorter than the kernel span " + span);
        }
        int outLength = (length - span) / stride + 1;
        Tensor out = null;
        for (int k = 0; k < kernel; k++) {
            Tensor window = x.slice(2, k * dilation, k * dilation + (outLength - 1) * stride + 1, stride); // [N, C, Lout]
            Tensor term = weight.select(2, k).matmul(window); // [O, C] x [N, C, Lout] -> [N, O, Lout]
            out = out == null ? term : out.add(term);
        }
        return bias == null ? out : out.add(bias.reshape(1, -1, 1));
    }

    /** conv1d of the input right-padded with {@code padRight} zeros: the vectorised estimators' filter. */
    public static Tensor conv1dPadRight(Tensor input, Tensor weight, int padRight) {
        return conv1d(Joining.pad(input, 0, padRight, 0), weight, null, 1, 0, 1);
    }

    private static Tensor reduce(Tensor loss, Reduction reduction) {
        return switch (reduction) {
            case NONE -> loss;
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
        };
    }

    /** The target is broadcast against the input, as PyTorch does (with a warning there). */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return reduce(input.sub(target).square(), reduction);
    }

    /** |input - target|, whose gradient is 0 where they are equal. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return reduce(input.sub(target).abs(), reduction);
    }

    /** 0.5 d^2 / beta where |d| &lt; beta (strictly), |d| - 0.5 beta elsewhere; beta = 0 is the L1 loss. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
        if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss: beta must be non-negative, got " + beta);
        Tensor d = input.sub(target);
        if (beta == 0) return reduce(d.abs(), reduction);
        Tensor ad = d.abs();
        return reduce(Arithmetic.where(ad.lt(beta), d.square().mul(0.5 / beta), ad.sub(0.5 * beta)), reduction);
    }

    /** 0.5 d^2 where |d| &lt; delta (strictly), delta (|d| - 0.5 delta) elsewhere. */
    public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, double delta) {
        if (delta <= 0) throw new IllegalArgumentException("huber_loss: delta must be positive, got " + delta);
        Tensor d = input.sub(target);
        Tensor ad = d.abs();
        return reduce(Arithmetic.where(ad.lt(delta), d.square().mul(0.5), ad.sub(0.5 * delta).mul(delta)), reduction);
    }

    /** -(t log p + (1 - t) log(1 - p)) with each log clamped below at -100, as PyTorch. */
    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction) {
        return reduce(binaryCrossEntropyTerms(probabilities, target), reduction);
    }

    /**
     * The element-wise BCE with PyTorch's gradients: d/dp = (p - t) / max(p (1 - p), 1e-12), which
     * stays finite at p = 0 and p = 1 (differentiating the clamped logs would not agree there), and
     * d/dt = log(1 - p) - log p with the same clamping as the forward.
     */
    private static Tensor binaryCrossEntropyTerms(Tensor p, Tensor t) {
        if (p.isBatched() || t.isBatched()) return Batching.broadcasting(p, t, Functional::binaryCrossEntropyTerms);
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            y = t.mul(clampedLog(p)).add(t.rsub(1).mul(clampedLog(p.rsub(1)))).neg();
        }
        return Autograd.record("binary_cross_entropy", y, new Tensor[] {p, t}, new Tensor[] {p, t}, g -> new Tensor[] {
            p.requiresGrad() ? OpSupport.sumTo(g.mul(p.sub(t)).div(p.mul(p.rsub(1)).clampMin(1e-12)), p.shapeRef()) : null,
            t.requiresGrad() ? OpSupport.sumTo(g.mul(clampedLog(p.rsub(1)).sub(clampedLog(p))), t.shapeRef()) : null
        });
    }

    private static Tensor clampedLog(Tensor x) {
        return x.log().clampMin(-100);
    }

    /**
     * -log_softmax(logits)[target] with int64 class targets; logits [N, C] with target [N], or [C]
     * with a 0-d target.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction) {
        if (target.dtype() != DType.INT64) throw new IllegalArgumentException("cross_entropy: targets must be int64 class indices, got " + target.dtype());
        if (logits.dim() == 1) return crossEntropy(logits.unsqueeze(0), target.reshape(1), reduction).reshape();
        if (logits.dim() != 2 || target.dim() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("cross_entropy: expected logits [N, C] and target [N], got " + Shape.format(logits.shapeRef())
                    + " and " + Shape.format(target.shapeRef()));
        }
        Tensor nll = logits.logSoftmax(1).gather(1, target.unsqueeze(1)).squeeze(1).neg();
        return reduce(nll, reduction);
    }

    /** Sum of the given tensors (convenience for losses built from several terms). */
    public static Tensor sum(List<Tensor> terms) {
        Tensor total = null;
        for (Tensor t : terms) total = total == null ? t : total.add(t);
        if (total == null) throw new IllegalArgumentException("sum: no terms");
        return total;
    }
}
