package org.rlgrad.losses;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.MonteCarloEntropy;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The online decision-transformer loss (spec losses.md §2.13; Zheng et al. 2022, "Online Decision
 * Transformer"): maximum likelihood of the dataset actions under a stochastic actor run over the
 * sequence, with an entropy bonus whose temperature α is learned towards a target entropy.
 *
 * <p>With {@code π_θ} the actor's distribution at every position of the {@code [B, T]} batch,
 * {@code a} the dataset actions ({@code action_target}, which must not require grad), {@code S}
 * reparameterised draws {@code x_1..x_S ~ π_θ} (one {@code [S, B, T, A]} draw from the loss's
 * random source, site {@code "Normal.rsample"} for the Gaussian families) and {@code H̄} the target
 * entropy:
 * <ul>
 *   <li>{@code H = −mean_S log π_θ(x_s)} {@code [B, T]}, the Monte-Carlo entropy;</li>
 *   <li>{@code loss_log_likelihood = red(−log π_θ(a))};</li>
 *   <li>{@code loss_entropy = red(−sg(α) · H)};</li>
 *   <li>{@code loss_alpha = red(exp(log_alpha) · sg(H − H̄))}.</li>
 * </ul>
 * Metrics (detached): {@code alpha} and {@code entropy = mean(H)}. Gradients: the actor from
 * {@code loss_log_likelihood} and {@code loss_entropy}, {@code log_alpha} from {@code loss_alpha}
 * only. With {@code reduction = none} the losses are {@code [B, T]} and the scalar metrics follow
 * {@link ScalarOutputMode}. No value estimator.
 *
 * <p>Quirks kept from the reference (DECISIONS.md rule 1): the alpha loss multiplies by α itself,
 * {@code exp(log_alpha)}, where the SAC family uses {@code log_alpha}; α is read through
 * {@link EntropyTemperature#alpha()}, which clamps the stored {@code log_alpha} in place to
 * {@code [min_alpha, max_alpha]} when bounds are given, before the alpha loss is formed.
 *
 * <p>Options: {@code alphaInit} (1), {@code minAlpha} / {@code maxAlpha} (none), {@code fixedAlpha}
 * (false: {@code log_alpha} trains), {@code targetEntropy} (a number, or "auto" = minus the number
 * of action components per position: rlgrad has no action specs, so "auto" takes the shape given
 * to {@link Builder#actionShape}, else the data's action shape after the batch dims at the first
 * call), {@code samplesMcEntropy} (S = 1), {@code reduction} (mean), {@code scalarOutputMode}.
 * Keys: {@code action_target} (the dataset actions) and {@code action_pred}, which the reference
 * reads only to look up the action spec for "auto"; it is kept as a key name for compatibility.
 */
public final class OnlineDTLoss extends LossModule {
    /** The name of the actor's parameter tree. */
    public static final String ACTOR = "actor";

    private static final List<String> SCALAR_METRICS = List.of("alpha", "entropy");

    private final ProbabilisticTensorDictSequential actor;
    private final EntropyTemperature temperature;
    private final TargetEntropy targetEntropy;
    private final int samplesMcEntropy;
    private final ScalarOutputMode scalarOutputMode;
    private boolean warnedScalarOutput;

    private OnlineDTLoss(Builder b) {
        super("OnlineDTLoss", keyDefaults());
        if (b.samplesMcEntropy < 1) throw new IllegalArgumentException("OnlineDTLoss: samples_mc_entropy must be at least 1, got " + b.samplesMcEntropy);
        this.actor = b.actor;
        this.samplesMcEntropy = b.samplesMcEntropy;
        this.scalarOutputMode = b.scalarOutputMode;
        this.targetEntropy = new TargetEntropy(b.targetEntropy, b.actionShape);
        setReduction(b.reduction);
        TensorDict params = registerNetwork(ACTOR, actor, false);
        DType dtype = params.leaves().values().stream().findFirst().map(Tensor::dtype).orElse(DType.FLOAT32);
        this.temperature = new EntropyTemperature(b.alphaInit, b.minAlpha, b.maxAlpha, b.fixedAlpha, dtype);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action_target", "action");
        k.put("action_pred", "action");
        return k;
    }

    /** A loss over a stochastic actor (its distribution gives reparameterised samples and log-probabilities summed over the action dims). */
    public static Builder builder(ProbabilisticTensorDictSequential actor) {
        return new Builder(Objects.requireNonNull(actor, "OnlineDTLoss: the actor is null"));
    }

    public ProbabilisticTensorDictSequential actor() { return actor; }

    public int samplesMcEntropy() { return samplesMcEntropy; }

    public ScalarOutputMode scalarOutputMode() { return scalarOutputMode; }

    /** The entropy temperature (log α, its bounds). */
    public EntropyTemperature temperature() { return temperature; }

    /** The stored {@code log_alpha} (trainable unless the temperature is fixed). */
    public Tensor logAlpha() { return temperature.logAlpha(); }

    /** α after clamping, detached (reading it clamps {@code log_alpha} in place when bounded). */
    public Tensor alpha() { return temperature.alpha(); }

    /** The target entropy H̄, or null while "auto" waits for the first data to infer it from. */
    public Double targetEntropy() { return targetEntropy.value(); }

    /** {@code log_alpha}, unless the temperature is fixed. */
    @Override
    protected List<Tensor> ownParameters() { return temperature.trainableTensors(); }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        Tensor target = require(td, key("action_target"));
        if (target.requiresGrad()) {
            throw new IllegalArgumentException("OnlineDTLoss: the target actions at " + key("action_target") + " must not be part of a graph (they require grad)");
        }
        double hBar = targetEntropy.resolve(target, td.batchDims());
        Distribution dist = PolicyDistribution.of(actor, params(ACTOR), td);
        Tensor logLikelihood = dist.logProb(target);
        if (!Arrays.equals(logLikelihood.shapeRef(), td.batchSize())) {
            throw new IllegalArgumentException("OnlineDTLoss: the actor's log-probability has shape " + Shape.format(logLikelihood.shapeRef())
                    + ", expected the batch shape " + Shape.format(td.batchSize())
                    + " (use a distribution that sums its log-probability over the action dims, e.g. TanhNormal or IndependentNormal)");
        }
        Tensor entropy;
        try (GradMode.Scope mode = InteractionType.set(InteractionType.RANDOM)) {
            entropy = MonteCarloEntropy.estimate(dist, randomSource(), samplesMcEntropy, true);
        }
        Tensor alpha = temperature.alpha();
        Tensor entropyGap = entropy.detach().sub(hBar);

        TensorDict out = new TensorDict();
        out.set("loss_log_likelihood", reduce(logLikelihood.neg(), td));
        out.set("loss_entropy", reduce(entropy.mul(alpha).neg(), td));
        out.set("loss_alpha", reduce(temperature.logAlpha().exp().mul(entropyGap), td));
        out.set("alpha", alpha);
        out.set("entropy", entropy.detach().mean());
        warnedScalarOutput = ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, warnedScalarOutput);
        return out;
    }


    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "OnlineDTLoss(alpha_init=" + Math.exp(temperature.logAlpha().item()) + ", fixed_alpha=" + temperature.fixed() + ", target_entropy="
                + targetEntropy + ", samples_mc_entropy=" + samplesMcEntropy + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT)
                + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private double alphaInit = 1.0;
        private Double minAlpha;
        private Double maxAlpha;
        private boolean fixedAlpha;
        private Double targetEntropy;
        private int[] actionShape;
        private int samplesMcEntropy = 1;
        private Reduction reduction = Reduction.MEAN;
        private ScalarOutputMode scalarOutputMode;

        private Builder(ProbabilisticTensorDictSequential actor) {
            this.actor = actor;
        }

        /** The initial α (default 1). */
        public Builder alphaInit(double alpha) { this.alphaInit = alpha; return this; }

        /** The lower bound of α, or null (default). */
        public Builder minAlpha(Double min) { this.minAlpha = min; return this; }

        /** The upper bound of α, or null (default). */
        public Builder maxAlpha(Double max) { this.maxAlpha = max; return this; }

        /** Whether α stays at its initial value (default false). */
        public Builder fixedAlpha(boolean fixed) { this.fixedAlpha = fixed; return this; }

        /** H̄ as a number; null means "auto" (default). */
        public Builder targetEntropy(Double h) { this.targetEntropy = h; return this; }

        /** The shape of one action (without batch dims), resolving "auto" at construction. */
        public Builder actionShape(int... shape) { this.actionShape = shape == null ? null : shape.clone(); return this; }

        /** The number S of reparameterised draws of the entropy estimate (default 1). */
        public Builder samplesMcEntropy(int samples) { this.samplesMcEntropy = samples; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** What becomes of {@code alpha} and {@code entropy} with {@code reduction = none} (null: exclude after a warning). */
        public Builder scalarOutputMode(ScalarOutputMode mode) { this.scalarOutputMode = mode; return this; }

        public Builder scalarOutputMode(String mode) { return scalarOutputMode(ScalarOutputMode.parse(mode)); }

        public OnlineDTLoss build() { return new OnlineDTLoss(this); }
    }
}
