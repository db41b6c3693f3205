package org.rlgrad.losses;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * PPO with an adaptive KL penalty (spec losses.md §2.19; Schulman et al. 2017, section 4):
 * everything of {@link PPOLoss} with
 * <pre>
 *   kl = KL(π_old ‖ π_θ)                         [*B, 1]
 *   loss_objective = red(−(exp(lw)·A − β·kl))
 * </pre>
 * where {@code π_old} is rebuilt from the distribution inputs stored in the data (the actor's
 * distribution keys, e.g. {@code loc} and {@code scale} or {@code logits}; missing ones are an
 * error). The divergence is the closed form where the engine has one (Normal, IndependentNormal,
 * TanhNormal, the categorical family; for a composite actor the sum of the heads' divergences,
 * each summed over its elements, which is exact for independent heads), else
 * {@code mean_S (log π_old(x) − log π_θ(x))} over {@code samplesMcKl} draws {@code x ~ π_old} (these
 * draws come before the Monte-Carlo entropy's).
 *
 * <p><b>β.</b> After the objective is built, β is updated in place from {@code m = mean(kl)}:
 * {@code m > 1.5·dtarg → β ← β·increment}, else {@code m < dtarg/1.5 → β ← β·decrement}.
 * {@link #reset()} restores the constructor's β. Options: {@code dtarg} (0.01), {@code beta} (1.0,
 * schedulable), {@code increment} (2, at least 1), {@code decrement} (0.5, at most 1),
 * {@code samplesMcKl} (1).
 *
 * <p><b>{@code referenceCompat}.</b> TorchRL multiplies by the β buffer and then changes that
 * buffer in place before the backward pass, so its reported objective uses the old β while the
 * gradient of the KL term is scaled by the <em>new</em> β. By default rlgrad's gradient is the
 * gradient of the objective it reports (old β throughout); {@code referenceCompat(true)}
 * reproduces TorchRL's numbers, including that deviation (the reported value is the same either
 * way).
 *
 * <p>Extra metric: {@code kl}, {@code sg(kl)} per sample {@code [*B, 1]} (not reduced).
 */
public final class KLPENPPOLoss extends PPOLoss {
    private final double dtarg;
    private final double increment;
    private final double decrement;
    private final int samplesMcKl;
    private final double initialBeta;
    private final boolean referenceCompat;
    private double beta;

    private KLPENPPOLoss(Builder b) {
        super("KLPENPPOLoss", b);
        if (b.increment < 1) throw new IllegalArgumentException("KLPENPPOLoss: increment should be >= 1.0, got " + b.increment);
        if (b.decrement > 1) throw new IllegalArgumentException("KLPENPPOLoss: decrement should be <= 1.0, got " + b.decrement);
        this.dtarg = b.dtarg;
        this.increment = b.increment;
        this.decrement = b.decrement;
        this.samplesMcKl = b.samplesMcKl;
        this.initialBeta = b.beta;
        this.beta = b.beta;
        this.referenceCompat = b.referenceCompat;
    }

    /** A KL-penalty PPO loss over a stochastic actor and a state-value critic (null: no critic loss). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(actor, critic);
    }

    /** The current penalty coefficient β. */
    public double beta() { return beta; }

    /** Schedulable (spec §1.7): sets β. */
    public KLPENPPOLoss setBeta(double beta) {
        this.beta = beta;
        return this;
    }

    public double dtarg() { return dtarg; }

    public double increment() { return increment; }

    public double decrement() { return decrement; }

    public int samplesMcKl() { return samplesMcKl; }

    public boolean referenceCompat() { return referenceCompat; }

    /** Restores β to its constructor value. */
    @Override
    public void reset() {
        this.beta = initialBeta;
    }

    @Override
    void objective(TensorDict input, TensorDict work, LogWeight lw, Tensor advantage, TensorDict out) {
        PPOPolicy.Dist old = policy().stored(input);
        Tensor kl = policy().kl(old, lw.dist(), randomSource(), samplesMcKl, lw.batch()).unsqueeze(-1);
        double used = beta;
        double mean;
        try (GradMode.Scope g = GradMode.noGrad()) {
            mean = kl.detach().to(DType.FLOAT64).mean().item();
        }
        if (mean > dtarg * 1.5) beta = used * increment;
        else if (mean < dtarg / 1.5) beta = used * decrement;
        // referenceCompat: the value uses the β before the update, the gradient the β after it (TorchRL's in-place buffer update).
        Tensor penalty = kl.mul(used);
        if (referenceCompat && beta != used) penalty = penalty.add(kl.sub(kl.detach()).mul(beta - used));
        out.set("loss_objective", lw.lw().exp().mul(advantage).sub(penalty).neg());
        out.set("kl", kl.detach());
        out.set("kl_approx", lw.klApprox());
    }

    public static final class Builder extends PPOLoss.Builder<Builder> {
        private double dtarg = 0.01;
        private double beta = 1.0;
        private double increment = 2.0;
        private double decrement = 0.5;
        private int samplesMcKl = 1;
        private boolean referenceCompat;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
            super("KLPENPPOLoss", actor, critic);
        }

        /** The target KL (default 0.01). */
        public Builder dtarg(double dtarg) { this.dtarg = dtarg; return this; }

        /** The initial β (default 1.0). */
        public Builder beta(double beta) { this.beta = beta; return this; }

        /** β's factor when the KL is too large (default 2, at least 1). */
        public Builder increment(double increment) { this.increment = increment; return this; }

        /** β's factor when the KL is too small (default 0.5, at most 1). */
        public Builder decrement(double decrement) { this.decrement = decrement; return this; }

        /** Draws of the Monte-Carlo KL where there is no closed form (default 1). */
        public Builder samplesMcKl(int n) {
            if (n < 1) throw new IllegalArgumentException("samplesMcKl: expected at least 1, got " + n);
            this.samplesMcKl = n;
            return this;
        }

        /** Reproduce TorchRL's gradient, scaled by the updated β (default false: the gradient of the reported objective). */
        public Builder referenceCompat(boolean on) { this.referenceCompat = on; return this; }

        @Override
        public KLPENPPOLoss build() { return new KLPENPPOLoss(this); }
    }

    @Override
    protected String extraRepr() {
        return ", beta=" + beta + ", dtarg=" + dtarg + ", increment=" + increment + ", decrement=" + decrement + ", samples_mc_kl=" + samplesMcKl
                + ", reference_compat=" + referenceCompat;
    }
}
