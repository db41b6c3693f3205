package org.rlgrad.losses;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.distributions.Categorical;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.IndependentNormal;
import org.rlgrad.engine.distributions.MaskedCategorical;
import org.rlgrad.engine.distributions.MonteCarloEntropy;
import org.rlgrad.engine.distributions.Normal;
import org.rlgrad.engine.distributions.OneHotCategorical;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The advantage actor-critic loss (spec losses.md §2.20; Mnih et al. 2016, "Asynchronous Methods
 * for Deep Reinforcement Learning", the synchronous A2C variant).
 *
 * <p>Networks: a stochastic actor π (its distribution is rebuilt from the data) and a critic
 * {@code V} writing {@code state_value}. With the advantage {@code A} {@code [*B, 1]} (read from
 * the data, or computed on a shallow copy of it by the value estimator with the critic's
 * parameters detached when the entry is absent) and {@code ℓ = log π_θ(a_data | s)} with a
 * trailing axis {@code [*B, 1]}:
 * <ul>
 *   <li>{@code loss_objective = red(−ℓ · A)} (A as stored: an estimator-made advantage carries
 *       no gradient because the critic's parameters are passed detached);</li>
 *   <li>with the entropy bonus (on, and {@code entropy_coeff ≠ 0}): {@code H} {@code [*B, 1]},
 *       {@code loss_entropy = red(−entropy_coeff · H)}, metric {@code entropy = mean(sg(H))};</li>
 *   <li>with a critic coefficient (not null): {@code loss_critic = red(critic_coeff · L_v)} with
 *       {@code L_v} the (optionally value-clipped) distance of {@link ClippedValueLoss}, and with
 *       clipping the metric {@code value_clip_fraction}.</li>
 * </ul>
 * Each {@code loss_*} is reduced (spec §1.8: mean, sum or none, with the validity masks) and loses
 * its trailing singleton axis, so {@code none} gives {@code [*B]}. No {@code kl_approx}, no
 * {@code explained_variance}, no advantage normalisation (those are PPO's).
 *
 * <p>Entropy, kept from the reference (spec engine.md §4.11): the closed form only for the exact
 * classes Normal, IndependentNormal, Categorical, OneHotCategorical and MaskedCategorical; any
 * other distribution (TanhNormal, MaskedOneHotCategorical, TruncatedNormal, a plain Independent)
 * gets the Monte-Carlo estimate {@code H = −mean_S log π(x_s)} over {@code samples_mc_entropy}
 * reparameterised draws from {@link #randomSource()} (site {@code Normal.rsample} for the Gaussian
 * families), even where a formula exists. That is the loss's only randomness.
 *
 * <p>Gradients: {@code loss_objective} and {@code loss_entropy} reach the actor only;
 * {@code loss_critic} the critic only (a trunk shared by both receives both unless
 * {@code separateLosses}, which detaches the actor's tensors inside the critic, spec §1.11).
 * There are no target networks: the critic's target tree is a detached alias.
 *
 * <p>Deliberate differences from the reference: whether the entropy bonus applies is decided at
 * each call from the current {@code entropy_coeff} (the reference decides once, at construction),
 * so annealing the coefficient up from 0 switches the bonus on; {@code clip_value} is null (no
 * clipping) or a finite positive number, and 0 is an error rather than the reference's silent
 * "off"; the advantage must have the trailing axis {@code [*B, 1]} (the reference would broadcast
 * a {@code [B]} advantage to {@code [B, B]}). Composite (multi-head) actors are not supported yet
 * (an error at construction).
 *
 * <p>Estimators: GAE (default), TD0, TD1, TDLambda, MAGAE, VTrace (which also receives the actor);
 * value network = the critic.
 */
public final class A2CLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(A2CLoss.class.getName());

    /** The name of the actor's parameter tree. */
    public static final String ACTOR = "actor";
    /** The name of the critic's parameter tree. */
    public static final String CRITIC = "critic";

    /** The exact distribution classes whose closed-form entropy A2C uses (spec engine.md §4.11). */
    private static final Set<Class<?>> ANALYTIC_ENTROPY = Set.of(Normal.class, IndependentNormal.class, Categorical.class, OneHotCategorical.class,
            MaskedCategorical.class);

    private final ProbabilisticTensorDictSequential actor;
    private final TensorDictModuleBase critic;
    private final boolean entropyBonus;
    private final int samplesMcEntropy;
    private final Distance lossCriticType;
    private double entropyCoeff;
    private Double criticCoeff;
    private Double clipValue;
    private boolean warnedMonteCarloEntropy;

    private A2CLoss(Builder b) {
        super("A2CLoss", keyDefaults());
        this.actor = b.actor;
        this.critic = b.critic;
        if (actor.probabilisticModule().isComposite()) {
            throw new IllegalArgumentException("A2CLoss: composite (multi-head) actors are not supported; the actor's distribution has heads "
                    + actor.distSampleKeys());
        }
        if (b.samplesMcEntropy < 1) throw new IllegalArgumentException("A2CLoss: samples_mc_entropy must be at least 1, got " + b.samplesMcEntropy);
        this.entropyBonus = b.entropyBonus;
        this.samplesMcEntropy = b.samplesMcEntropy;
        this.lossCriticType = b.lossCriticType;
        this.entropyCoeff = finite("entropy_coeff", b.entropyCoeff);
        this.criticCoeff = b.criticCoeff == null ? null : finite("critic_coeff", b.criticCoeff);
        this.clipValue = b.clipValue == null ? null : ClippedValueLoss.checkClipValue(b.clipValue);
        setReduction(b.reduction);
        recordSeparateLosses(b.separateLosses);

        registerNetwork(ACTOR, actor, false);
        registerNetwork(CRITIC, critic, false, b.separateLosses ? trainableTensors(ACTOR) : List.of());
        setKeys(ActorSampleKeys.of(actor));
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("advantage", "advantage");
        k.put("value_target", "value_target");
        k.put("value", "state_value");
        k.put("action", "action");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("sample_log_prob", "action_log_prob");
        return k;
    }

    /** A loss over a stochastic actor and a state-value critic (both required). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(Objects.requireNonNull(actor, "A2CLoss: the actor is null"), Objects.requireNonNull(critic, "A2CLoss: the critic is null"));
    }

    public ProbabilisticTensorDictSequential actor() { return actor; }

    public TensorDictModuleBase critic() { return critic; }

    /** The {@code entropy_bonus} flag as given (the bonus applies when it is set and {@link #entropyCoeff()} is not 0). */
    public boolean entropyBonus() { return entropyBonus; }

    public int samplesMcEntropy() { return samplesMcEntropy; }

    public Distance lossCriticType() { return lossCriticType; }

    public double entropyCoeff() { return entropyCoeff; }

    /** The critic coefficient, or null when there is no critic loss. */
    public Double criticCoeff() { return criticCoeff; }

    /** The value-clipping bound, or null. */
    public Double clipValue() { return clipValue; }

    /** Sets {@code entropy_coeff} for the next calls (a schedulable scalar, spec §1.7). */
    public A2CLoss setEntropyCoeff(double coeff) {
        this.entropyCoeff = finite("entropy_coeff", coeff);
        return this;
    }

    /** Sets {@code critic_coeff} for the next calls (null: no critic loss). */
    public A2CLoss setCriticCoeff(Double coeff) {
        this.criticCoeff = coeff == null ? null : finite("critic_coeff", coeff);
        return this;
    }

    /** Sets the value-clipping bound for the next calls (null: no clipping). */
    public A2CLoss setClipValue(Double clip) {
        this.clipValue = clip == null ? null : ClippedValueLoss.checkClipValue(clip);
        return this;
    }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.GAE; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() { return ON_POLICY_ESTIMATORS; }

    @Override
    protected TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) { return critic; }

    @Override
    protected TensorDictModuleBase valueEstimatorActor(ValueEstimators type) { return actor; }

    // ------------------------------------------------------------------ forward

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        TensorDict work = td.copy();
        Tensor advantage = advantage(work);
        Distribution dist = PolicyDistribution.of(actor, params(ACTOR), work);
        Tensor logProb = storedActionLogProb(dist, work, advantage);

        TensorDict out = new TensorDict();
        out.set("loss_objective", reduceDroppingTrailingAxis(logProb.mul(advantage).neg(), work));
        if (entropyBonus && entropyCoeff != 0) {
            Tensor entropy = entropy(dist).unsqueeze(-1);
            out.set("entropy", entropy.detach().mean());
            out.set("loss_entropy", reduceDroppingTrailingAxis(entropy.mul(-entropyCoeff), work));
        }
        if (criticCoeff != null) {
            ClippedValueLoss.Result critic = criticTerm(work);
            out.set("loss_critic", reduceDroppingTrailingAxis(critic.loss().mul(criticCoeff), work));
            if (critic.clipFraction() != null) out.set("value_clip_fraction", critic.clipFraction());
        }
        return out;
    }

    /**
     * {@code loss_critic} alone (spec §1.1): the reduced, coefficient-weighted critic loss (an
     * error when {@code critic_coeff} is null); metadata {@code value_clip_fraction} with clipping.
     */
    public LossTerm criticLoss(TensorDict td) {
        if (criticCoeff == null) throw new IllegalStateException("A2CLoss.criticLoss: critic_coeff is null, so there is no critic loss");
        return inSamplingMode(() -> {
            ClippedValueLoss.Result critic = criticTerm(td);
            Map<String, Tensor> meta = new LinkedHashMap<>();
            if (critic.clipFraction() != null) meta.put("value_clip_fraction", critic.clipFraction());
            return new LossTerm(reduceDroppingTrailingAxis(critic.loss().mul(criticCoeff), td), meta);
        });
    }

    /** The stored advantage, else the estimator's, written into {@code work} (critic parameters detached). */
    private Tensor advantage(TensorDict work) {
        Tensor advantage = work.get(key("advantage"), null);
        if (advantage != null) return advantage;
        valueEstimator().forward(work, params(CRITIC), targetParams(CRITIC));
        return require(work, key("advantage"));
    }

    /** {@code log π(a_data | s)} with a trailing axis, checked against the advantage's {@code [*B, 1]}. */
    private Tensor storedActionLogProb(Distribution dist, TensorDict work, Tensor advantage) {
        Tensor action = require(work, key("action"));
        if (action.requiresGrad()) {
            throw new IllegalArgumentException("A2CLoss: the stored action " + key("action") + " requires grad; the loss scores data actions, pass them detached");
        }
        Tensor logProb = dist.logProb(action).unsqueeze(-1);
        if (!Arrays.equals(logProb.shapeRef(), advantage.shapeRef())) {
            throw new IllegalArgumentException("A2CLoss: the log-probability with a trailing axis has shape " + Shape.format(logProb.shapeRef())
                    + " but the advantage " + key("advantage") + " has shape " + Shape.format(advantage.shapeRef())
                    + " (expected the advantage as [*B, 1] and a log-probability summed over the action dims)");
        }
        return logProb;
    }

    /** The entropy by the class table of spec engine.md §4.11, shape {@code [*B]}. */
    private Tensor entropy(Distribution dist) {
        if (ANALYTIC_ENTROPY.contains(dist.getClass())) return dist.entropy();
        if (!warnedMonteCarloEntropy) {
            warnedMonteCarloEntropy = true;
            LOG.log(System.Logger.Level.WARNING, () -> "A2CLoss: " + dist.getClass().getSimpleName() + " is not in the closed-form entropy table "
                    + ANALYTIC_ENTROPY.stream().map(Class::getSimpleName).sorted().toList() + "; the entropy is a Monte-Carlo estimate over "
                    + samplesMcEntropy + " reparameterised draw(s)");
        }
        return MonteCarloEntropy.estimate(dist, randomSource(), samplesMcEntropy, true);
    }

    private ClippedValueLoss.Result criticTerm(TensorDict td) {
        Tensor target = require(td, key("value_target"));
        Tensor oldValue = clipValue == null ? null : ClippedValueLoss.storedValue(lossName(), td, key("value"), clipValue);
        Tensor value = require(critic.forwardWith(params(CRITIC), td.copy()), key("value"));
        return ClippedValueLoss.of(lossCriticType, target, value, oldValue, clipValue);
    }

    private static double finite(String name, double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("A2CLoss: " + name + " must be a finite number, got " + value);
        return value;
    }

    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "A2CLoss(entropy_bonus=" + entropyBonus + ", samples_mc_entropy=" + samplesMcEntropy + ", entropy_coeff=" + entropyCoeff + ", critic_coeff="
                + criticCoeff + ", loss_critic_type=" + lossCriticType.alias() + ", clip_value=" + clipValue + ", separate_losses=" + separateLosses()
                + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase critic;
        private boolean entropyBonus = true;
        private int samplesMcEntropy = 1;
        private double entropyCoeff = 0.01;
        private Double criticCoeff = 1.0;
        private Distance lossCriticType = Distance.SMOOTH_L1;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private Double clipValue;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
            this.actor = actor;
            this.critic = critic;
        }

        /** Whether to add the entropy bonus (default true; it applies only while {@code entropy_coeff ≠ 0}). */
        public Builder entropyBonus(boolean on) { this.entropyBonus = on; return this; }

        /** Draws of the Monte-Carlo entropy estimate for distributions outside the closed-form table (default 1). */
        public Builder samplesMcEntropy(int n) { this.samplesMcEntropy = n; return this; }

        /** The entropy coefficient (default 0.01; null means 0.01). */
        public Builder entropyCoeff(Double coeff) { this.entropyCoeff = coeff == null ? 0.01 : coeff; return this; }

        /** The critic coefficient (default 1.0; null: no critic loss). */
        public Builder criticCoeff(Double coeff) { this.criticCoeff = coeff; return this; }

        /** The critic's distance (default smooth_l1). */
        public Builder lossCriticType(Distance d) { this.lossCriticType = Objects.requireNonNull(d, "lossCriticType"); return this; }

        public Builder lossCriticType(String name) { return lossCriticType(Distance.parse(name)); }

        /** Detach the actor's tensors inside the critic, so a shared trunk is trained by the actor losses only (default false). */
        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** PPO-style value clipping around the stored {@code state_value} (default null: none; else a finite positive number). */
        public Builder clipValue(Double clip) { this.clipValue = clip; return this; }

        public A2CLoss build() { return new A2CLoss(this); }
    }
}
