package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The DDPG loss (spec losses.md §2.3; Lillicrap et al. 2016, "Continuous control with deep
 * reinforcement learning").
 *
 * <p>A deterministic actor {@code μ} (observation → {@code action}) and a critic {@code Q}
 * ((observation, action) → {@code state_action_value}). With {@code θ̄μ} and {@code θ̄Q} the
 * target trees (a delayed copy, or a detached alias of the online parameters when the matching
 * {@code delay*} flag is off):
 * <ul>
 *   <li>critic: {@code q = Q_θQ(s, a)} on a detached selection of the critic's inputs,
 *       {@code y = value_estimate(td, {actor: θ̄μ, critic: θ̄Q})}, with TD(0)
 *       {@code y = r + γⁿ (1 − term) Q_θ̄Q(s', μ_θ̄μ(s'))}; {@code loss_value = red(d(q, sg(y)))};</li>
 *   <li>actor: {@code loss_actor = red(−Q_sg(θQ)(s, μ_θμ(s)))}: the critic's parameters are
 *       detached, so this term trains the actor only; the critic sees the actor's action plus
 *       any input only it reads.</li>
 * </ul>
 * Metrics (detached): {@code td_error = (q − y)²}, {@code pred_value = q}, {@code target_value = y}
 * (each {@code [*B]}), {@code pred_value_max}, {@code target_value_max}. The priority
 * {@code sg((q − y)²)} {@code [*B]} is written into the caller's dict under the {@code priority}
 * key. No randomness. The critic part runs first, then the actor part.
 *
 * <p>The estimator's value network is the actor→critic composition {@code Q(s', μ(s'))}, a
 * {@link TensorDictSequential} of the two (children {@code module.0} and {@code module.1}); its
 * target tree is {@code {"module": {"0": θ̄μ, "1": θ̄Q}}} built from the two registered target
 * trees, so loading or soft-updating either target moves the bootstrap. Estimators: TD0
 * (default), TD1, TDLambda; value key {@code state_action_value}.
 *
 * <p>Options: {@code lossFunction} (l2), {@code delayActor} (false), {@code delayValue} (true),
 * {@code separateLosses} (false: a trunk shared by actor and critic is trained by both losses;
 * true: it is detached inside the critic), {@code reduction} (mean), prioritized weights (auto).
 * DDPG is not among the losses where rlgrad departs from TorchRL (DECISIONS.md rule 3), so there
 * is no {@code referenceCompat} option: the default is both the published algorithm and the
 * reference's arithmetic.
 */
public final class DDPGLoss extends LossModule {
    /** The name of the actor's parameter tree ({@code actor_network_params} in TorchRL). */
    public static final String ACTOR = "actor";
    /** The name of the critic's parameter tree ({@code value_network_params} in TorchRL). */
    public static final String VALUE = "value";

    private final TensorDictModuleBase actor;
    private final TensorDictModuleBase critic;
    private final TensorDictSequential actorCritic;
    private final Set<String> actorCriticKeys;
    private final Distance lossFunction;
    private final boolean delayActor;
    private final boolean delayValue;

    private DDPGLoss(Builder b) {
        super("DDPGLoss", keyDefaults());
        this.actor = b.actor;
        this.critic = b.critic;
        this.lossFunction = b.lossFunction;
        this.delayActor = b.delayActor;
        this.delayValue = b.delayValue;
        setReduction(b.reduction);
        setPrioritizedWeights(b.prioritizedWeights);
        recordSeparateLosses(b.separateLosses);
        registerNetwork(ACTOR, actor, delayActor);
        registerNetwork(VALUE, critic, delayValue, b.separateLosses ? trainableTensors(ACTOR) : List.of());
        this.actorCritic = new TensorDictSequential(actor, critic);
        this.actorCriticKeys = Set.copyOf(actorCritic.stateDict().keySet());
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("state_action_value", "state_action_value");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("priority_weight", "priority_weight");
        return k;
    }

    /** A loss over a deterministic actor (writing the action) and a critic reading it. */
    public static Builder builder(TensorDictModuleBase actor, TensorDictModuleBase critic) {
        return new Builder(Objects.requireNonNull(actor, "DDPGLoss: the actor is null"), Objects.requireNonNull(critic, "DDPGLoss: the critic is null"));
    }

    public Distance lossFunction() { return lossFunction; }

    public boolean delayActor() { return delayActor; }

    public boolean delayValue() { return delayValue; }

    public TensorDictModuleBase actor() { return actor; }

    public TensorDictModuleBase critic() { return critic; }

    /** The estimator's value network: the actor followed by the critic. */
    public TensorDictSequential actorCritic() { return actorCritic; }

    /**
     * The parameter tree of {@link #actorCritic()} made of the two target trees,
     * {@code {"module": {"0": θ̄μ, "1": θ̄Q}}}. Its leaves are the target tensors themselves, so it
     * follows every update of the targets. A module shared by actor and critic appears in the
     * composition once, under the actor; its critic-side entries are left out.
     */
    public TensorDict actorCriticTargetParams() {
        Map<String, Tensor> flat = new LinkedHashMap<>();
        Parameters.toMap(targetParams(ACTOR)).forEach((k, v) -> flat.put("module.0." + k, v));
        Parameters.toMap(targetParams(VALUE)).forEach((k, v) -> flat.put("module.1." + k, v));
        flat.keySet().retainAll(actorCriticKeys);
        return Parameters.fromMap(flat);
    }

    @Override
    protected Map<String, String> estimatorKeyNames() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("value", "state_action_value");
        m.put("reward", "reward");
        m.put("done", "done");
        m.put("terminated", "terminated");
        return m;
    }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    @Override
    protected TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) { return actorCritic; }

    @Override
    protected boolean supportsPrioritizedWeights() { return true; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        LossTerm value = valueTerm(td);
        LossTerm policy = actorTerm(td);
        TensorDict out = new TensorDict();
        out.set("loss_actor", policy.loss());
        out.set("loss_value", value.loss());
        value.metadata().forEach(out::set);
        policy.metadata().forEach(out::set);
        return out;
    }

    /**
     * The critic part alone: {@code loss_value} with the metrics {@code td_error},
     * {@code pred_value}, {@code target_value}, {@code pred_value_max}, {@code target_value_max};
     * writes the priority into {@code td}.
     */
    public LossTerm valueLoss(TensorDict td) {
        return inSamplingMode(() -> valueTerm(td));
    }

    /** The actor part alone: {@code loss_actor}, no metrics. */
    public LossTerm actorLoss(TensorDict td) {
        return inSamplingMode(() -> actorTerm(td));
    }

    private LossTerm valueTerm(TensorDict td) {
        for (Key k : critic.inKeys()) require(td, k);
        TensorDict input = td.select(critic.inKeys(), false).detach();
        Tensor pred = critic.forwardWith(params(VALUE), input).get(key("state_action_value")).squeeze(-1);
        Tensor target = valueEstimator().valueEstimate(td.copy(), actorCriticTargetParams(), null, null).squeeze(-1).detach();
        Tensor loss = reduce(lossFunction.apply(pred, target), td);
        Map<String, Tensor> metadata = new LinkedHashMap<>();
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor p = pred.detach();
            Tensor tdError = p.sub(target).square();
            td.set(key("priority"), tdError);
            metadata.put("td_error", tdError);
            metadata.put("pred_value", p);
            metadata.put("target_value", target);
            metadata.put("pred_value_max", p.max());
            metadata.put("target_value_max", target.max());
        }
        return new LossTerm(loss, metadata);
    }

    private LossTerm actorTerm(TensorDict td) {
        for (Key k : actor.inKeys()) require(td, k);
        // The actor's inputs plus what only the critic reads; the actor then writes its action over any stored one.
        LinkedHashSet<Key> keys = new LinkedHashSet<>(actor.inKeys());
        for (Key k : critic.inKeys()) if (!actor.outKeys().contains(k)) keys.add(k);
        TensorDict input = td.select(keys, false).detach();
        TensorDict withAction = actor.forwardWith(params(ACTOR), input);
        Tensor q = critic.forwardWith(params(VALUE).detach(), withAction).get(key("state_action_value")).squeeze(-1);
        return new LossTerm(reduce(q.neg(), td), Map.of());
    }

    public static final class Builder {
        private final TensorDictModuleBase actor;
        private final TensorDictModuleBase critic;
        private Distance lossFunction = Distance.L2;
        private boolean delayActor;
        private boolean delayValue = true;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;

        private Builder(TensorDictModuleBase actor, TensorDictModuleBase critic) {
            this.actor = actor;
            this.critic = critic;
        }

        /** The distance between q and its target (default l2). */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        /** Whether the bootstrap uses a delayed copy of the actor (default false: the online actor, detached). */
        public Builder delayActor(boolean delay) { this.delayActor = delay; return this; }

        /** Whether the bootstrap uses a delayed copy of the critic (default true). */
        public Builder delayValue(boolean delay) { this.delayValue = delay; return this; }

        /** Whether parameters the critic shares with the actor are detached in the critic (default false). */
        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        public Builder prioritizedWeights(PrioritizedWeights mode) { this.prioritizedWeights = Objects.requireNonNull(mode, "prioritizedWeights"); return this; }

        public DDPGLoss build() { return new DDPGLoss(this); }
    }

    @Override
    public String toString() {
        return "DDPGLoss(loss_function=" + lossFunction.alias() + ", delay_actor=" + delayActor + ", delay_value=" + delayValue + ", separate_losses="
                + separateLosses() + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
