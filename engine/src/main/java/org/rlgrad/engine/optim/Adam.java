package org.rlgrad.engine.optim;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Adam (Kingma and Ba, 2015) with {@code torch.optim.Adam}'s semantics and defaults
 * (β1 = 0.9, β2 = 0.999, ε = 1e-8, no weight decay, no AMSGrad), step for step as torch 1.13's
 * per-tensor loop computes it:
 * <pre>
 * t += 1                                   (per parameter; a parameter without a gradient is skipped)
 * m  = β1 m + (1 - β1) g
 * v  = β2 v + (1 - β2) g g
 * denom = sqrt(v) / sqrt(1 - β2^t) + ε
 * p += -(lr / (1 - β1^t)) m / denom
 * </pre>
 * so ε is added after the bias correction of v, as in torch (not to sqrt(v) before it, as in the
 * paper's Algorithm 1). The state (m, v and the step count) is created at a parameter's first
 * step, as zeros of its shape and dtype.
 *
 * <p>Typical use, with gradients reset to none before each backward as
 * {@code zero_grad(set_to_none=True)} does:
 * <pre>{@code
 * Adam adam = new Adam(params, 3e-4);
 * adam.zeroGrad();
 * loss.backward();
 * adam.step();
 * }</pre>
 * The update runs under {@link GradMode#noGrad()} and writes the parameters and the state in
 * place ({@link InPlace#adam}: one fused pass on the CPU, which allocates nothing), so it records
 * nothing and keeps every tensor the caller holds valid.
 */
public final class Adam {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;

    private final List<Tensor> params;
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;
    private final long[] steps;

    /** Adam with torch's defaults for everything but the learning rate. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps) {
        // torch.optim.Adam's own argument checks, with its wording.
        if (!(lr >= 0)) throw new IllegalArgumentException("Adam: invalid learning rate: " + lr + " (expected >= 0)");
        if (!(eps >= 0)) throw new IllegalArgumentException("Adam: invalid epsilon value: " + eps + " (expected >= 0)");
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Adam: invalid beta parameter at index 0: " + beta1 + " (expected in [0, 1))");
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam: invalid beta parameter at index 1: " + beta2 + " (expected in [0, 1))");
        if (params.isEmpty()) throw new IllegalArgumentException("Adam: got an empty parameter list");
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            String which = "parameter " + i + " of shape " + Shape.format(p.shapeRef());
            if (!p.dtype().isFloating()) throw new IllegalArgumentException("Adam: " + which + " is " + p.dtype() + "; expected a floating dtype");
            if (!p.isLeaf()) throw new IllegalArgumentException("Adam: " + which + " is not a leaf (it has history); optimise leaves only");
            if (!p.requiresGrad()) throw new IllegalArgumentException("Adam: " + which + " does not require grad");
            if (!seen.add(p)) throw new IllegalArgumentException("Adam: " + which + " appears more than once in the parameter list");
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.expAvg = new Tensor[params.size()];
        this.expAvgSq = new Tensor[params.size()];
        this.steps = new long[params.size()];
    }

    /** Sets every parameter's gradient to none ({@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /** One update of every parameter that has a gradient. */
    public void step() {
        try (var scope = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i), g = p.grad();
                if (g == null) continue;
                if (!Arrays.equals(g.shapeRef(), p.shapeRef())) {
                    throw new IllegalStateException("Adam: the gradient of parameter " + i + " has shape " + Shape.format(g.shapeRef())
                            + ", expected the parameter's shape " + Shape.format(p.shapeRef()));
                }
                if (expAvg[i] == null) {
                    expAvg[i] = MemoryScope.persist(Tensor.zerosLike(p));
                    expAvgSq[i] = MemoryScope.persist(Tensor.zerosLike(p));
                }
                long t = ++steps[i];
                double biasCorrection1 = 1 - Math.pow(beta1, t);
                double biasCorrection2 = 1 - Math.pow(beta2, t);
                double stepSize = lr / biasCorrection1;
                double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
                InPlace.adam(p, g, expAvg[i], expAvgSq[i], beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
            }
        }
    }

    public List<Tensor> params() {
        return params;
    }

    /** The first-moment estimate m of parameter {@code i}, or null before its first step. */
    public Tensor expAvg(int i) {
        return expAvg[i];
    }

    /** The second-moment estimate v of parameter {@code i}, or null before its first step. */
    public Tensor expAvgSq(int i) {
        return expAvgSq[i];
    }

    /** How many updates parameter {@code i} has had. */
    public long steps(int i) {
        return steps[i];
    }

    public double lr() {
        return lr;
    }

    @Override
    public String toString() {
        return "Adam(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", params=" + params.size() + ")";
    }
}
