package org.rlgrad.losses;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The GAIL discriminator loss (spec losses.md §2.12; Ho and Ermon 2016, the gradient penalty of
 * Gulrajani et al. 2017).
 *
 * <p>The discriminator {@code D} reads an observation and an action under the <em>expert</em> key
 * names and writes, at {@code discriminator_pred} (default {@code "d_logits"}), the probability
 * that the pair is an expert's. With {@code p_E = D(o_E, a_E)} and {@code p_C = D(o_C, a_C)}
 * (one call of {@code D} on the expert samples stacked over the collector samples along axis 0,
 * then split):
 * <pre>
 *   BCE(p, y) = −(y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100))
 *   L         = BCE(p_E, 1) + BCE(p_C, 0)                      element-wise, [*B, 1]
 *   loss      = red(L)
 * </pre>
 * With {@code use_grad_penalty}: {@code u_o ~ U[0, 1)} of the observation's full shape, then
 * {@code u_a ~ U[0, 1)} of the action's (noise per element, not per sample; both from
 * {@link #randomSource()}, site {@code "Uniform.sample"}), the constant interpolations
 * {@code x̂_o = u_o·o_C + (1 − u_o)·o_E}, {@code x̂_a = u_a·a_C + (1 − u_a)·a_E}, and
 * <pre>
 *   g  = [∂ΣD(x̂)/∂x̂_o, ∂ΣD(x̂)/∂x̂_a]                        concatenated on the last axis
 *   gp = λ·mean((‖g‖₂ over the last axis − 1)²)              a scalar
 *   L ← L + gp                                               before the reduction
 * </pre>
 * {@code g} is computed with {@code createGraph}, so {@code gp} is a function of the
 * discriminator's weights and its gradient reaches them (second order). {@code gp_loss} is also
 * reported, detached. The norm's gradient at {@code g = 0} is taken as 0 (PyTorch's
 * {@code linalg.norm}). Gradient reaches only the discriminator; there is no target network and no
 * value estimator; the caller's dict is not changed.
 *
 * <p>Kept from the reference (DECISIONS.md rule 1; spec §4 item 11): {@code D} must output
 * probabilities in (0, 1) (a sigmoid last layer) even though the key is named {@code d_logits},
 * because the loss applies binary cross-entropy on probabilities; the scalar penalty is added to
 * every element before the reduction, so {@code reduction = "sum"} counts it once per element and
 * {@code "none"} carries it in every element; the interpolation noise is drawn per element. The
 * BCE's gradient is PyTorch's, {@code (p − y) / max(p(1 − p), 1e-12)}, finite at 0 and 1.
 *
 * <p>Options: {@code use_grad_penalty} (default false), {@code gp_lambda} (10), {@code reduction}
 * (mean). Keys: {@code expert_observation = "observation"}, {@code expert_action = "action"},
 * {@code collector_observation}, {@code collector_action}, {@code discriminator_pred = "d_logits"}.
 */
public final class GAILLoss extends LossModule {
    /** The name of the discriminator's parameter tree. */
    public static final String DISCRIMINATOR = "discriminator";
    /** The site the interpolation noise is drawn at (TorchRL draws it from {@code torch.distributions.Uniform}). */
    public static final String NOISE_SITE = "Uniform.sample";

    private final TensorDictModuleBase discriminator;
    private final boolean useGradPenalty;
    private final double gpLambda;

    private GAILLoss(Builder b) {
        super("GAILLoss", keyDefaults());
        this.discriminator = b.discriminator;
        this.useGradPenalty = b.useGradPenalty;
        this.gpLambda = b.gpLambda;
        setReduction(b.reduction);
        registerNetwork(DISCRIMINATOR, discriminator, false);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("expert_action", "action");
        k.put("expert_observation", "observation");
        k.put("collector_action", "collector_action");
        k.put("collector_observation", "collector_observation");
        k.put("discriminator_pred", "d_logits");
        return k;
    }

    /** A loss over {@code discriminator}, which reads the expert keys and writes a probability at {@code discriminator_pred}. */
    public static Builder builder(TensorDictModuleBase discriminator) {
        return new Builder(Objects.requireNonNull(discriminator, "GAILLoss: the discriminator is null"));
    }

    public TensorDictModuleBase discriminator() { return discriminator; }

    public boolean useGradPenalty() { return useGradPenalty; }

    public double gpLambda() { return gpLambda; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        Tensor perElement = discriminatorLoss(td);
        TensorDict out = new TensorDict();
        if (useGradPenalty) {
            Tensor gp = gradientPenalty(td);
            perElement = perElement.add(gp);
            out.set("gp_loss", gp.detach());
        }
        out.set("loss", reduce(perElement, td));
        return out;
    }

    /**
     * {@code BCE(p_E, 1) + BCE(p_C, 0)}, element-wise ({@code [*B, 1]}), from one discriminator
     * call on the expert samples stacked over the collector samples.
     */
    public Tensor discriminatorLoss(TensorDict td) {
        return inSamplingMode(() -> {
            int[] batch = batchOf(td);
            Tensor oE = require(td, key("expert_observation")), aE = require(td, key("expert_action"));
            Tensor oC = require(td, key("collector_observation")), aC = require(td, key("collector_action"));
            int[] doubled = batch.clone();
            doubled[0] *= 2;
            Tensor p = discriminate(doubled, Tensor.cat(List.of(oE, oC), 0), Tensor.cat(List.of(aE, aC), 0));
            List<Tensor> halves = p.split(batch[0], 0);
            Tensor pE = halves.get(0), pC = halves.get(1);
            return Functional.binaryCrossEntropy(pE, Tensor.onesLike(pE), Reduction.NONE)
                    .add(Functional.binaryCrossEntropy(pC, Tensor.zerosLike(pC), Reduction.NONE));
        });
    }

    /**
     * The penalty {@code λ·mean((‖g‖₂ − 1)²)} at fresh interpolations of the expert and collector
     * samples (two uniform draws from {@link #randomSource()}, observation then action), with its
     * graph: its gradient reaches the discriminator's weights through {@code g}.
     */
    public Tensor gradientPenalty(TensorDict td) {
        return inSamplingMode(() -> {
            batchOf(td);
            Tensor oE = require(td, key("expert_observation")), aE = require(td, key("expert_action"));
            Tensor oC = require(td, key("collector_observation")), aC = require(td, key("collector_action"));
            Tensor uO = noise(oE), uA = noise(aE);
            Tensor xO, xA;
            try (GradMode.Scope g = GradMode.noGrad()) {
                xO = uO.mul(oC).add(uO.rsub(1).mul(oE));
                xA = uA.mul(aC).add(uA.rsub(1).mul(aE));
            }
            Tensor g = inputGradient(xO, xA);
            return g.norm(2, new int[] {-1}, false).sub(1).square().mean().mul(gpLambda);
        });
    }

    /**
     * {@code g = [∂ΣD/∂o, ∂ΣD/∂a]} at {@code (observation [*B, O], action [*B, A])}, concatenated
     * on the last axis ({@code [*B, O + A]}) and computed with {@code createGraph}, so it is
     * differentiable with respect to the discriminator's weights. The inputs are taken as constants
     * (detached copies become the leaves); gradient recording is on for this call even under
     * {@link GradMode#noGrad()}, as {@code g} cannot be computed otherwise.
     */
    public Tensor inputGradient(Tensor observation, Tensor action) {
        int[] batch = Arrays.copyOf(observation.shapeRef(), Math.max(0, observation.dim() - 1));
        try (GradMode.Scope on = GradMode.enableGrad()) {
            Tensor o = observation.detach().requiresGrad(true), a = action.detach().requiresGrad(true);
            Tensor d = discriminate(batch, o, a);
            List<Tensor> grads = Autograd.grad(List.of(d), List.of(o, a), List.of(Tensor.onesLike(d)), true, true, false);
            return Tensor.cat(grads, -1);
        }
    }

    /** D at (observation, action), both written under the expert key names of a dict of batch {@code batch}. */
    private Tensor discriminate(int[] batch, Tensor observation, Tensor action) {
        TensorDict in = new TensorDict(batch);
        in.set(key("expert_observation"), observation);
        in.set(key("expert_action"), action);
        return discriminator.forwardWith(params(DISCRIMINATOR), in).get(key("discriminator_pred"));
    }

    private Tensor noise(Tensor like) {
        Tensor u = randomSource().uniform(NOISE_SITE, like.shape(), like.dtype(), 0.0, 1.0);
        return u.to(like.device());
    }

    private int[] batchOf(TensorDict td) {
        int[] batch = td.batchSize();
        if (batch.length == 0) {
            throw new IllegalArgumentException("GAILLoss: expected an input with a batch dimension ([B] or [B, T]), got batch []");
        }
        return batch;
    }


    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "GAILLoss(use_grad_penalty=" + useGradPenalty + ", gp_lambda=" + gpLambda + ", reduction="
                + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final TensorDictModuleBase discriminator;
        private boolean useGradPenalty;
        private double gpLambda = 10.0;
        private Reduction reduction = Reduction.MEAN;

        private Builder(TensorDictModuleBase discriminator) {
            this.discriminator = discriminator;
        }

        /** Adds the gradient penalty at random interpolations of expert and collector samples (default false). */
        public Builder useGradPenalty(boolean use) { this.useGradPenalty = use; return this; }

        /** The penalty's weight λ (default 10); must be finite. */
        public Builder gpLambda(double lambda) {
            if (!Double.isFinite(lambda)) throw new IllegalArgumentException("GAILLoss: gp_lambda must be a finite number, got " + lambda);
            this.gpLambda = lambda;
            return this;
        }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        public GAILLoss build() { return new GAILLoss(this); }
    }
}
