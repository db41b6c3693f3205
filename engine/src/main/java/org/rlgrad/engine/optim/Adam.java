package org.rlgrad.engine.optim;

import java.util.List;

import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2015) with {@code torch.optim.Adam}'s semantics and defaults
 * (β1 = 0.9, β2 = 0.999, ε = 1e-8, no weight decay, no AMSGrad), step for step as torch 1.13's
 * per-tensor loop computes it:
 * <pre>
 * t += 1                                   (per parameter; a parameter without a gradient is skipped)
 * g  = maximize ? -grad : grad
 * g  = g + λ p                             (weight decay λ != 0: an L2 penalty, coupled to the moments)
 * m  = β1 m + (1 - β1) g
 * v  = β2 v + (1 - β2) g g
 * v̂  = max(v̂, v)                           (AMSGrad, Reddi et al., 2018; v̂ replaces v below)
 * denom = sqrt(v) / sqrt(1 - β2^t) + ε
 * p += -(lr / (1 - β1^t)) m / denom
 * </pre>
 * so ε is added after the bias correction of v, as in torch (not to sqrt(v) before it, as in the
 * paper's Algorithm 1). The state (m, v, v̂ and the step count) is made at a parameter's first
 * step, as zeros of its shape, dtype and device, under torch's names ({@code exp_avg},
 * {@code exp_avg_sq}, {@code max_exp_avg_sq}).
 *
 * <p>Typical use, with gradients reset to none before each backward as
 * {@code zero_grad(set_to_none=True)} does:
 * <pre>{@code
 * Adam adam = new Adam(params, 3e-4);
 * adam.zeroGrad();
 * loss.backward();
 * adam.step();
 * }</pre>
 * Without AMSGrad the moment and parameter updates go through {@link InPlace#adam}: one fused pass
 * on backends that have it (the CPU's allocates nothing), the same ops in the same order
 * otherwise, so both give the same numbers. For {@link AdamW}, which shares these options and this
 * update, see there.
 */
public final class Adam extends Optimizer<Adam.Options> {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;

    /**
     * One group's options: learning rate, β1 and β2, ε, weight decay λ (L2 for {@link Adam},
     * decoupled for {@link AdamW}), AMSGrad, maximize.
     */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean maximize)
            implements OptimizerOptions<Options> {
        public Options {
            // torch.optim.Adam's own checks, with its wording.
            OptimizerOptions.checkLr(lr);
            if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + eps + " (expected >= 0)");
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Invalid beta parameter at index 0: " + beta1 + " (expected in [0, 1))");
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Invalid beta parameter at index 1: " + beta2 + " (expected in [0, 1))");
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay + " (expected >= 0)");
        }

        /** torch's defaults for everything but the learning rate (weight decay 0: Adam's default). */
        public Options(double lr) {
            this(lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0, false, false);
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withBetas(double beta1, double beta2) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withEps(double eps) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withAmsgrad(boolean amsgrad) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withMaximize(boolean maximize) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }
    }

    /** Adam with torch's defaults for everything but the learning rate. */
    public Adam(List<Tensor> params, double lr) {
        this(params, new Options(lr));
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps) {
        this(params, new Options(lr).withBetas(beta1, beta2).withEps(eps));
    }

    public Adam(List<Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params, options)));
    }

    /** Adam over several groups, each with its own options. */
    public Adam(List<ParamGroup<Options>> groups) {
        super("Adam", groups);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Options o, ParamState state) {
        Tensor g = adjustedGradient(p, grad, o.maximize(), o.weightDecay());
        moments(p, g, o, state);
    }

    /**
     * The part of the step shared with {@link AdamW}: from the (already decayed or not) gradient
     * {@code g}, the moments and the parameter's update.
     */
    static void moments(Tensor p, Tensor g, Options o, ParamState state) {
        Tensor m = state.zerosLike("exp_avg", p);
        Tensor v = state.zerosLike("exp_avg_sq", p);
        Tensor vMax = o.amsgrad() ? state.zerosLike("max_exp_avg_sq", p) : null;
        long t = state.nextStep();
        double biasCorrection1 = 1 - Math.pow(o.beta1(), t);
        double biasCorrection2 = 1 - Math.pow(o.beta2(), t);
        double stepSize = o.lr() / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        if (!o.amsgrad()) {
            InPlace.adam(p, g, m, v, o.beta1(), o.beta2(), stepSize, biasCorrection2Sqrt, o.eps());
            return;
        }
        // AMSGrad: the same moments, then the running maximum of v in the denominator.
        InPlace.mul(m, o.beta1());
        InPlace.add(m, g, 1 - o.beta1());
        InPlace.mul(v, o.beta2());
        InPlace.copy(v, v.add(g.mul(1 - o.beta2()).mul(g)));
        InPlace.copy(vMax, vMax.maximum(v));
        // A division by a 0-d tensor, as torch divides, not by a Java scalar (div(double) multiplies
        // by the reciprocal, which can round differently).
        Tensor denom = vMax.sqrt().div(p.newScalar(biasCorrection2Sqrt, p.dtype())).add(o.eps());
        InPlace.copy(p, p.add(m.div(denom).mul(-stepSize)));
    }

    @Override
    protected Adam withGroups(List<ParamGroup<Options>> groups) {
        return new Adam(groups);
    }

    /** The first-moment estimate m of parameter {@code i} (in {@link #params()}), or null before its first step. */
    public Tensor expAvg(int i) {
        ParamState s = state(params().get(i));
        return s == null ? null : s.get("exp_avg");
    }

    /** The second-moment estimate v of parameter {@code i}, or null before its first step. */
    public Tensor expAvgSq(int i) {
        ParamState s = state(params().get(i));
        return s == null ? null : s.get("exp_avg_sq");
    }

    /** How many updates parameter {@code i} has had. */
    public long steps(int i) {
        ParamState s = state(params().get(i));
        return s == null ? 0 : s.step();
    }

    /** The first group's learning rate. */
    public double lr() {
        return paramGroups().get(0).lr();
    }
}
