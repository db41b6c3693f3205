package org.rlgrad.losses;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * PPO with the clipped surrogate objective (spec losses.md §2.18; Schulman et al. 2017, eq. 7):
 * everything of {@link PPOLoss} (advantage, multi-head actions, entropy, critic, reduction) with
 * <pre>
 *   lw_c = clamp(lw, ln(1 − ε_low), ln(1 + ε_high))        (bounds computed as log1p(−ε_low), log1p(ε_high))
 *   loss_objective = red(−min(exp(lw)·A, exp(lw_c)·A))
 * </pre>
 * {@code ε_low = ε_high = clipEpsilon} (0.2, not validated) unless a pair {@code (ε_low, ε_high)}
 * is given (each ≥ 0, {@code ε_low < 1}; violations are errors). Extra metrics, all detached:
 * {@code clip_fraction = mean(1[lw_c ≠ lw])}, {@code max_ratio = max(exp(lw))},
 * {@code mean_ratio = mean(exp(lw))}, {@code kl_approx} as in PPO and
 * <pre>
 *   ESS = exp(2·LSE₀(lw) − LSE₀(2·lw)) / B₀
 * </pre>
 * with the log-sum-exp over axis 0 only of {@code lw} without its trailing dim and {@code B₀} the
 * size of axis 0: a scalar for a 1-D batch, a tensor over the remaining dims otherwise, 1 when all
 * weights are equal (TorchRL's choice of axis, kept: spec §4 item 13).
 *
 * <p>{@code clipValue}: {@code true} uses {@code ε} (an error with a pair), {@code false} or null
 * none, a number that number. A missing advantage without a critic is an error.
 * {@link #setClipEpsilon} and {@link #setClipEpsilonLowHigh} are schedulable, each only in its own
 * flavour.
 */
public final class ClipPPOLoss extends PPOLoss {
    private Double clipEpsilon;
    private double clipEpsilonLow;
    private double clipEpsilonHigh;
    private final boolean asymmetric;

    private ClipPPOLoss(Builder b) {
        super("ClipPPOLoss", b.resolveClipValue());
        this.asymmetric = b.pair != null;
        if (asymmetric) {
            checkPair(b.pair[0], b.pair[1]);
            this.clipEpsilonLow = b.pair[0];
            this.clipEpsilonHigh = b.pair[1];
        } else {
            this.clipEpsilon = b.clipEpsilon;
        }
    }

    private static void checkPair(double low, double high) {
        if (!(low >= 0) || !(high >= 0) || !(low < 1)) {
            throw new IllegalArgumentException("ClipPPOLoss: clip_epsilon (low, high) must have low in [0, 1) and high >= 0, got (" + low + ", " + high + ")");
        }
    }

    /** A clipped PPO loss over a stochastic actor and a state-value critic (null: no critic loss; the advantage must then be given). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(actor, critic);
    }

    /** Whether the bounds come from a pair {@code (ε_low, ε_high)}. */
    public boolean asymmetricClip() { return asymmetric; }

    /** The symmetric ε; an error when a pair was given. */
    public double clipEpsilon() {
        if (asymmetric) throw new IllegalStateException("ClipPPOLoss: built with clip_epsilon (" + clipEpsilonLow + ", " + clipEpsilonHigh + "); read clipEpsilonLow/High");
        return clipEpsilon;
    }

    public double clipEpsilonLow() { return asymmetric ? clipEpsilonLow : clipEpsilon; }

    public double clipEpsilonHigh() { return asymmetric ? clipEpsilonHigh : clipEpsilon; }

    /** Schedulable (spec §1.7): the symmetric ε; an error for a loss built with a pair. */
    public ClipPPOLoss setClipEpsilon(double epsilon) {
        if (asymmetric) throw new IllegalStateException("ClipPPOLoss: built with a pair (clip_epsilon_low, clip_epsilon_high); set those instead of clip_epsilon");
        this.clipEpsilon = epsilon;
        return this;
    }

    /** Schedulable: the pair {@code (ε_low, ε_high)}; an error for a loss built with a symmetric ε. */
    public ClipPPOLoss setClipEpsilonLowHigh(double low, double high) {
        if (!asymmetric) throw new IllegalStateException("ClipPPOLoss: built with a symmetric clip_epsilon; set clip_epsilon instead of the (low, high) pair");
        checkPair(low, high);
        this.clipEpsilonLow = low;
        this.clipEpsilonHigh = high;
        return this;
    }

    /** The clamp bounds of {@code lw}: {@code [log1p(−ε_low), log1p(ε_high)]}. */
    public double[] clipBounds() {
        return new double[] {Math.log1p(-clipEpsilonLow()), Math.log1p(clipEpsilonHigh())};
    }

    @Override
    boolean criticRequiredForAdvantage() { return true; }

    @Override
    void objective(TensorDict input, TensorDict work, LogWeight lw, Tensor advantage, TensorDict out) {
        Tensor logW = lw.lw();
        double[] bounds = clipBounds();
        Tensor gain1 = logW.exp().mul(advantage);
        Tensor clipped = logW.clamp(bounds[0], bounds[1]);
        Tensor gain2 = clipped.exp().mul(advantage);
        out.set("loss_objective", gain1.minimum(gain2).neg());
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor w = logW.detach();
            out.set("clip_fraction", clipped.detach().ne(w).to(w.dtype()).mean());
            out.set("kl_approx", lw.klApprox());
            Tensor ratio = w.exp();
            out.set("max_ratio", ratio.max());
            out.set("mean_ratio", ratio.mean());
            // exp(2 LSE₀(lw) − LSE₀(2 lw)) / B₀: the effective sample size of the importance weights along axis 0.
            Tensor flat = w.squeeze(-1);
            out.set("ESS", flat.logsumexp(0).mul(2).sub(flat.mul(2).logsumexp(0)).exp().div(logW.size(0)));
        }
    }

    public static final class Builder extends PPOLoss.Builder<Builder> {
        private double clipEpsilon = 0.2;
        private double[] pair;
        private Boolean clipValueFlag;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
            super("ClipPPOLoss", actor, critic);
        }

        /** The symmetric ε (default 0.2). */
        public Builder clipEpsilon(double epsilon) {
            this.clipEpsilon = epsilon;
            this.pair = null;
            return this;
        }

        /** Asymmetric bounds {@code (ε_low, ε_high)}: each ≥ 0 and {@code ε_low < 1}. */
        public Builder clipEpsilon(double low, double high) {
            checkPair(low, high);
            this.pair = new double[] {low, high};
            return this;
        }

        /** A number, or null for none (as {@link PPOLoss.Builder#clipValue(Double)}). */
        @Override
        public Builder clipValue(Double epsilon) {
            this.clipValueFlag = null;
            return super.clipValue(epsilon);
        }

        /** {@code true}: clip the value by ε (an error with a pair); {@code false}: no value clipping. */
        public Builder clipValue(boolean useClipEpsilon) {
            this.clipValueFlag = useClipEpsilon;
            return super.clipValue(null);
        }

        /** The options with a boolean clipValue resolved against the clip ε. */
        private Builder resolveClipValue() {
            if (Boolean.TRUE.equals(clipValueFlag)) {
                if (pair != null) {
                    throw new IllegalArgumentException("ClipPPOLoss: clip_value=true means 'clip the value by clip_epsilon', which is ambiguous with the pair ("
                            + pair[0] + ", " + pair[1] + "); give clip_value as a number");
                }
                super.clipValue(clipEpsilon);
            }
            return this;
        }

        @Override
        public ClipPPOLoss build() { return new ClipPPOLoss(this); }
    }

    @Override
    protected String extraRepr() {
        return asymmetric ? ", clip_epsilon=(" + clipEpsilonLow + ", " + clipEpsilonHigh + ")" : ", clip_epsilon=" + clipEpsilon;
    }
}
