package org.rlgrad.engine.optim;

import java.util.List;

import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum (Sutskever et al., 2013, as torch writes it)
 * and Nesterov momentum, {@code torch.optim.SGD} step for step (torch 1.13's per-tensor loop):
 * <pre>
 * g = maximize ? -grad : grad
 * g = g + λ p                                  (weight decay λ != 0)
 * b = clone(g)              at the first step  (momentum μ != 0)
 * b = μ b + (1 - τ) g       afterwards         (dampening τ)
 * g = nesterov ? g + μ b : b
 * p = p - lr g
 * </pre>
 * The momentum buffer is torch's, which differs from the paper's {@code v = μ v - lr g}: lr
 * multiplies the buffer at each step instead of being folded into it, which matters once lr
 * changes over time.
 */
public final class SGD extends Optimizer<SGD.Options> {
    /**
     * One group's options: learning rate, momentum μ, dampening τ, Nesterov momentum, weight decay
     * λ (an L2 penalty added to the gradient), maximize (ascend instead).
     */
    public record Options(double lr, double momentum, double dampening, boolean nesterov, double weightDecay, boolean maximize)
            implements OptimizerOptions<Options> {
        public Options {
            // torch.optim.SGD's own checks, with its wording.
            OptimizerOptions.checkLr(lr);
            if (!(momentum >= 0)) throw new IllegalArgumentException("Invalid momentum value: " + momentum + " (expected >= 0)");
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("Invalid weight_decay value: " + weightDecay + " (expected >= 0)");
            if (Double.isNaN(dampening)) throw new IllegalArgumentException("Invalid dampening value: NaN");
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening (got momentum "
                        + momentum + ", dampening " + dampening + ")");
            }
        }

        /** Plain SGD: no momentum, no dampening, no weight decay. */
        public Options(double lr) {
            this(lr, 0, 0, false, 0, false);
        }

        @Override
        public Options withLr(double lr) {
            return new Options(lr, momentum, dampening, nesterov, weightDecay, maximize);
        }

        public Options withMomentum(double momentum) {
            return new Options(lr, momentum, dampening, nesterov, weightDecay, maximize);
        }

        public Options withDampening(double dampening) {
            return new Options(lr, momentum, dampening, nesterov, weightDecay, maximize);
        }

        public Options withNesterov(boolean nesterov) {
            return new Options(lr, momentum, dampening, nesterov, weightDecay, maximize);
        }

        public Options withWeightDecay(double weightDecay) {
            return new Options(lr, momentum, dampening, nesterov, weightDecay, maximize);
        }

        public Options withMaximize(boolean maximize) {
            return new Options(lr, momentum, dampening, nesterov, weightDecay, maximize);
        }
    }

    public SGD(List<Tensor> params, double lr) {
        this(params, new Options(lr));
    }

    public SGD(List<Tensor> params, Options options) {
        this(List.of(ParamGroup.of(params, options)));
    }

    /** SGD over several groups, each with its own options. */
    public SGD(List<ParamGroup<Options>> groups) {
        super("SGD", groups);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Options o, ParamState state) {
        Tensor d = adjustedGradient(p, grad, o.maximize(), o.weightDecay());
        state.nextStep();
        if (o.momentum() != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = state.put("momentum_buffer", d.clone());
            } else {
                InPlace.mul(buf, o.momentum());
                InPlace.add(buf, d, 1 - o.dampening());
            }
            d = o.nesterov() ? d.add(buf, o.momentum()) : buf;
        }
        InPlace.add(p, d, -o.lr());
    }

    @Override
    protected SGD withGroups(List<ParamGroup<Options>> groups) {
        return new SGD(groups);
    }
}
