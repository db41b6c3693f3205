package org.rlgrad.engine.optim;

import java.util.List;

import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.tensor.Tensor;

/**
 * RMSprop (Hinton's lecture 6e; the centred form from Graves, 2013) as {@code torch.optim.RMSprop}
 * computes it, torch 1.13's per-tensor loop:
 * <pre>
 * g = maximize ? -grad : grad
 * g = g + λ p                               (weight decay λ != 0)
 * s = α s + (1 - α) g g                     (square_avg)
 * ḡ = α ḡ + (1 - α) g                       (grad_avg, centred only)
 * a = sqrt(s - ḡ ḡ) + ε   (centred)    or   sqrt(s) + ε
 * b = μ b + g / a;  p = p - lr b            (momentum μ > 0)
 * p = p - lr g / a                          (otherwise)
 * </pre>
 * ε is added outside the square root, as in torch (TensorFlow adds it inside). State, under
 * torch's names: {@code square_avg}, and {@code momentum_buffer} and {@code grad_avg} when used,
 * zeros at the first step.
 */
public final class RMSprop extends Optimizer<RMSprop.Options> {
    /** One group's options: learning rate, smoothing α, ε, weight decay λ, momentum μ, centred, maximize. */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered, boolean maximize)
            implements OptimizerOptions<Options> {
        public Options {
            // torch.optim.RMSprop's own checks, with its wording.
            OptimizerOptions.checkLr(lr);
            if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + eps + " (expected >= 0)");
            if (!(momentum >= 0)) throw new IllegalArgumentException("Invalid momentum value: " + momentum + " (expected >= 0)");
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay + " (expected >= 0)");
            if (!(alpha >= 0)) throw new IllegalArgumentException("Invalid alpha value: " + alpha + " (expected >= 0)");
        }

        /** torch's defaults: lr 1e-2, α = 0.99, ε = 1e-8, no weight decay, no momentum, not centred. */
        public Options() {
            this(1e-2, 0.99, 1e-8, 0, 0, false, false);
        }

        /** torch's defaults for everything but the learning rate. */
        public Options(double lr) {
            this(lr, 0.99, 1e-8, 0, 0, false, false);
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        public Options withAlpha(double alpha) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        public Options withEps(double eps) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        public Options withMomentum(double momentum) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        public Options withCentered(boolean centered) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }

        public Options withMaximize(boolean maximize) {
            return new Options(lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    public RMSprop(List<Tensor> params, double lr) {
        this(params, new Options(lr));
    }

    public RMSprop(List<Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params, options)));
    }

    /** RMSprop over several groups, each with its own options. */
    public RMSprop(List<ParamGroup<Options>> groups) {
        super("RMSprop", groups);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Options o, ParamState state) {
        Tensor g = adjustedGradient(p, grad, o.maximize(), o.weightDecay());
        Tensor squareAvg = state.zerosLike("square_avg", p);
        Tensor buf = o.momentum() > 0 ? state.zerosLike("momentum_buffer", p) : null;
        Tensor gradAvg = o.centered() ? state.zerosLike("grad_avg", p) : null;
        state.nextStep();
        InPlace.mul(squareAvg, o.alpha());
        InPlace.copy(squareAvg, squareAvg.add(g.mul(1 - o.alpha()).mul(g)));
        Tensor avg;
        if (o.centered()) {
            InPlace.mul(gradAvg, o.alpha());
            InPlace.add(gradAvg, g, 1 - o.alpha());
            avg = squareAvg.add(gradAvg.mul(gradAvg).neg()).sqrt();
        } else {
            avg = squareAvg.sqrt();
        }
        avg = avg.add(o.eps());
        if (buf != null) {
            InPlace.mul(buf, o.momentum());
            InPlace.copy(buf, buf.add(g.div(avg)));
            InPlace.add(p, buf, -o.lr());
        } else {
            InPlace.copy(p, p.add(g.div(avg).mul(-o.lr())));
        }
    }

    @Override
    protected RMSprop withGroups(List<ParamGroup<Options>> groups) {
        return new RMSprop(groups);
    }
}
