package org.rlgrad.losses;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The REINFORCE loss with a learned baseline (spec losses.md §2.21; Williams 1992, "Simple
 * statistical gradient-following algorithms for connectionist reinforcement learning").
 *
 * <p>Networks: a stochastic actor π and a state-value critic {@code V}. With the advantage
 * {@code A} {@code [*B, 1]} (read from the data, or computed by the value estimator with the
 * critic's parameters detached and its target tree for the next states when the entry is absent)
 * and {@code ℓ} the log-probability of the scored action with a trailing axis {@code [*B, 1]}:
 * <ul>
 *   <li>{@code loss_actor = red(−ℓ · sg(A))};</li>
 *   <li>{@code loss_value = red(L_v)}, the critic's (optionally value-clipped) distance of
 *       {@link ClippedValueLoss} between {@code value_target} and {@code V(s)}, with no
 *       coefficient; with clipping the metric {@code value_clip_fraction}.</li>
 * </ul>
 * Each {@code loss_*} is reduced (spec §1.8) and loses its trailing singleton axis, so
 * {@code none} gives {@code [*B]}.
 *
 * <p><b>Which action is scored</b> (DECISIONS.md rule 3). By default the published estimator:
 * {@code ℓ = log π_θ(a_stored | s)}, the log-probability of the action that was taken and whose
 * return the advantage measures; the caller's {@code action} and {@code sample_log_prob} entries are
 * left as they are. With {@link Builder#referenceCompat(boolean) referenceCompat(true)} the loss
 * reproduces TorchRL's numbers, including its known deviation: the actor's forward runs on the
 * caller's dict in the loss's sampling mode (DETERMINISTIC by default), overwriting {@code action}
 * by the policy's deterministic action (the mean of a Normal, the arg-max of a categorical), its
 * log-probability at {@code sample_log_prob} and the distribution's parameters, and
 * {@code ℓ = log π_θ(a_det | s)}, which for a Normal policy gives its mean no gradient.
 *
 * <p>The caller's dict is not copied (kept from the reference): when the advantage is computed
 * here, the estimator's outputs ({@code advantage}, {@code value_target}, {@code state_value},
 * {@code ("next", state_value)} for GAE) are written into it, in both modes.
 *
 * <p>{@code clip_value} is null (no clipping) or a finite positive number (0 is an error, not the
 * reference's silent "off"). Composite (multi-head) actors are not supported yet.
 *
 * <p>Gradients: {@code loss_actor} reaches the actor only, {@code loss_value} the critic only
 * (a shared trunk receives both unless {@code separateLosses}); never the critic's delayed copy
 * ({@code delayValue}, off by default), which only the estimator reads. No randomness.
 * Estimators: GAE (default), TD0, TD1, TDLambda, MAGAE, VTrace (which also receives the actor).
 */
public final class ReinforceLoss extends LossModule {
    /** The name of the actor's parameter tree. */
    public static final String ACTOR = "actor";
    /** The name of the critic's parameter tree. */
    public static final String CRITIC = "critic";

    private final ProbabilisticTensorDictSequential actor;
    private final TensorDictModuleBase critic;
    private final boolean delayValue;
    private final Distance lossCriticType;
    private final boolean referenceCompat;
    private Double clipValue;

    private ReinforceLoss(Builder b) {
        super("ReinforceLoss", keyDefaults());
        this.actor = b.actor;
        this.critic = b.critic;
        if (actor.probabilisticModule().isComposite()) {
            throw new IllegalArgumentException("ReinforceLoss: composite (multi-head) actors are not supported; the actor's distribution has heads "
                    + actor.distSampleKeys());
        }
        this.delayValue = b.delayValue;
        this.lossCriticType = b.lossCriticType;
        this.referenceCompat = b.referenceCompat;
        this.clipValue = b.clipValue == null ? null : ClippedValueLoss.checkClipValue(b.clipValue);
        setReduction(b.reduction);
        recordSeparateLosses(b.separateLosses);

        registerNetwork(ACTOR, actor, false);
        registerNetwork(CRITIC, critic, delayValue, b.separateLosses ? trainableTensors(ACTOR) : List.of());
        setKeys(ActorSampleKeys.of(actor));
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("advantage", "advantage");
        k.put("value_target", "value_target");
        k.put("value", "state_value");
        k.put("sample_log_prob", "action_log_prob");
        k.put("action", "action");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        return k;
    }

    /** A loss over a stochastic actor and a state-value critic (both required). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(Objects.requireNonNull(actor, "ReinforceLoss: the actor is null"),
                Objects.requireNonNull(critic, "ReinforceLoss: the critic is null"));
    }

    public ProbabilisticTensorDictSequential actor() { return actor; }

    public TensorDictModuleBase critic() { return critic; }

    public boolean delayValue() { return delayValue; }

    public Distance lossCriticType() { return lossCriticType; }

    /** Whether the loss reproduces TorchRL's scoring of the deterministic action (see the class comment). */
    public boolean referenceCompat() { return referenceCompat; }

    /** The value-clipping bound, or null. */
    public Double clipValue() { return clipValue; }

    /** Sets the value-clipping bound for the next calls (a schedulable scalar, spec §1.7; null: no clipping). */
    public ReinforceLoss setClipValue(Double clip) {
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
        Tensor advantage = td.get(key("advantage"), null);
        if (advantage == null) {
            valueEstimator().forward(td, params(CRITIC), targetParams(CRITIC));
            advantage = require(td, key("advantage"));
        }
        Tensor logProb = withTrailingAxis(referenceCompat ? deterministicActionLogProb(td) : storedActionLogProb(td), advantage);

        TensorDict out = new TensorDict();
        out.set("loss_actor", reduceDroppingTrailingAxis(logProb.mul(advantage.detach()).neg(), td));
        ClippedValueLoss.Result critic = criticTerm(td);
        out.set("loss_value", reduceDroppingTrailingAxis(critic.loss(), td));
        if (critic.clipFraction() != null) out.set("value_clip_fraction", critic.clipFraction());
        return out;
    }

    /** {@code loss_value} alone (spec §1.1), reduced; metadata {@code value_clip_fraction} with clipping. */
    public LossTerm criticLoss(TensorDict td) {
        return inSamplingMode(() -> {
            ClippedValueLoss.Result critic = criticTerm(td);
            Map<String, Tensor> meta = new LinkedHashMap<>();
            if (critic.clipFraction() != null) meta.put("value_clip_fraction", critic.clipFraction());
            return new LossTerm(reduceDroppingTrailingAxis(critic.loss(), td), meta);
        });
    }

    /** The published estimator: {@code log π_θ(a_stored | s)}, the actor run on a copy, the caller's entries untouched. */
    private Tensor storedActionLogProb(TensorDict td) {
        Tensor action = require(td, key("action"));
        if (action.requiresGrad()) {
            throw new IllegalArgumentException("ReinforceLoss: the stored action " + key("action") + " requires grad; the loss scores data actions, pass them detached");
        }
        return PolicyDistribution.of(actor, params(ACTOR), td).logProb(action);
    }

    /** TorchRL's: the actor's forward on the caller's dict (deterministic sampling mode), which overwrites the action and writes its log-probability. */
    private Tensor deterministicActionLogProb(TensorDict td) {
        TensorDict written = actor.forwardWith(params(ACTOR), td);
        return require(written, key("sample_log_prob"));
    }

    /** {@code ℓ} gets a trailing axis when it has the advantage's shape without one; any other mismatch is an error. */
    private Tensor withTrailingAxis(Tensor logProb, Tensor advantage) {
        int[] a = advantage.shapeRef();
        Tensor lp = Arrays.equals(logProb.shapeRef(), Arrays.copyOf(a, Math.max(0, a.length - 1))) ? logProb.unsqueeze(-1) : logProb;
        if (!Arrays.equals(lp.shapeRef(), a)) {
            throw new IllegalArgumentException("ReinforceLoss: the log-probability has shape " + Shape.format(logProb.shapeRef()) + " but the advantage "
                    + key("advantage") + " has shape " + Shape.format(a) + " (expected the advantage as [*B, 1] and a log-probability summed over the action dims)");
        }
        return lp;
    }

    private ClippedValueLoss.Result criticTerm(TensorDict td) {
        Tensor target = require(td, key("value_target"));
        Tensor oldValue = clipValue == null ? null : ClippedValueLoss.storedValue(lossName(), td, key("value"), clipValue);
        Tensor value = require(critic.forwardWith(params(CRITIC), td.copy()), key("value"));
        return ClippedValueLoss.of(lossCriticType, target, value, oldValue, clipValue);
    }

    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "ReinforceLoss(delay_value=" + delayValue + ", loss_critic_type=" + lossCriticType.alias() + ", clip_value=" + clipValue
                + ", reference_compat=" + referenceCompat + ", separate_losses=" + separateLosses() + ", reduction="
                + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase critic;
        private boolean delayValue;
        private Distance lossCriticType = Distance.SMOOTH_L1;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private Double clipValue;
        private boolean referenceCompat;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
            this.actor = actor;
            this.critic = critic;
        }

        /** Whether the estimator bootstraps from a delayed copy of the critic (default false; then attach a target updater). */
        public Builder delayValue(boolean delay) { this.delayValue = delay; return this; }

        /** The critic's distance (default smooth_l1). */
        public Builder lossCriticType(Distance d) { this.lossCriticType = Objects.requireNonNull(d, "lossCriticType"); return this; }

        public Builder lossCriticType(String name) { return lossCriticType(Distance.parse(name)); }

        /** Detach the actor's tensors inside the critic, so a shared trunk is trained by the actor loss only (default false). */
        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** PPO-style value clipping around the stored {@code state_value} (default null: none; else a finite positive number). */
        public Builder clipValue(Double clip) { this.clipValue = clip; return this; }

        /**
         * Reproduce TorchRL's numbers, including its known deviation (DECISIONS.md rule 3): score
         * the policy's deterministic action, written over the caller's action, instead of the stored
         * one (default false: the published algorithm).
         */
        public Builder referenceCompat(boolean compat) { this.referenceCompat = compat; return this; }

        public ReinforceLoss build() { return new ReinforceLoss(this); }
    }
}
