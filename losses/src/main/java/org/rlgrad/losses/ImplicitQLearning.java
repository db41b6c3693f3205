package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * What {@link IQLLoss} and {@link DiscreteIQLLoss} share (spec losses.md §2.8, §2.9): the three
 * losses of implicit Q-learning over a stochastic actor π, an ensemble of N critics Q_i with their
 * target copies Q̄_i, and a state-value network V. The two classes differ only in how a critic's
 * output gives the value of the stored action ({@link #chosen}).
 */
abstract class ImplicitQLearning extends LossModule {
    /** The name of the actor's parameter tree ({@code actor_network_params} in TorchRL). */
    public static final String ACTOR = "actor";
    /** The name of the critic ensemble's parameter tree ({@code qvalue_network_params}); it always has a delayed target copy. */
    public static final String QVALUE = "qvalue";
    /** The name of the state-value network's parameter tree ({@code value_network_params}). */
    public static final String VALUE = "value";

    private final ProbabilisticTensorDictSequential actor;
    private final TensorDictModuleBase valueNetwork;
    private final Distance lossFunction;
    private final double temperature;
    private final double expectile;
    private final ScalarOutputMode scalarOutputMode;
    private boolean warnedScalarOutput;

    private static final List<String> SCALAR_METRICS = List.of("entropy");

    /** What {@link #actorTerm} leaves for the metrics and the caller's dict. */
    private record ActorTerm(Tensor loss, Tensor logProb) {}

    /** The Q loss and the priority {@code max_i (Q_i − y)²}. */
    private record QTerm(Tensor loss, Tensor priority) {}

    ImplicitQLearning(String lossName, Builder<?> b) {
        super(lossName, keyDefaults());
        this.actor = Objects.requireNonNull(b.actor, () -> lossName + ": the actor is null");
        this.valueNetwork = Objects.requireNonNull(b.value, () -> lossName + ": the value network is null (IQL requires V)");
        if (!Double.isFinite(b.temperature)) throw new IllegalArgumentException(lossName + ": temperature must be a finite number, got " + b.temperature);
        if (!Double.isFinite(b.expectile)) throw new IllegalArgumentException(lossName + ": expectile must be a finite number, got " + b.expectile);
        this.lossFunction = b.lossFunction;
        this.temperature = b.temperature;
        this.expectile = b.expectile;
        this.scalarOutputMode = b.scalarOutputMode;
        setReduction(b.reduction);
        recordSeparateLosses(b.separateLosses);

        // Spec §2.8 / TorchRL's constructor: actor first; with separate_losses the actor's tensors are detached inside V,
        // and the actor's and V's tensors inside the critics (compare_against, §1.3, §1.11).
        registerNetwork(ACTOR, actor, false);
        List<Tensor> actorTensors = b.separateLosses ? actor.parameters() : List.of();
        registerNetwork(VALUE, valueNetwork, false, actorTensors);
        List<Tensor> shared = new ArrayList<>();
        if (b.separateLosses) {
            shared.addAll(actor.parameters());
            shared.addAll(valueNetwork.parameters());
        }
        // A list of critics is stacked as given; compare_against does not apply to it (spec §1.3).
        TensorDictModuleBase critic = b.critics != null ? null : Objects.requireNonNull(b.critic, () -> lossName + ": the critic is null");
        registerEnsemble(QVALUE, critic, b.critics, b.numQvalueNets, 2, true, shared, b.generator);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("value", "state_value");
        k.put("action", "action");
        k.put("log_prob", "_log_prob");
        k.put("priority", "td_error");
        k.put("state_action_value", "state_action_value");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        return k;
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    /** The values of the stored actions: {@code [N, *B]} from the critics' stacked output {@code values} ({@code [N, *B, …]}). */
    protected abstract Tensor chosen(Tensor values, Tensor action);

    /** The stored action as {@code dist} scores it (by default as it is). */
    protected Tensor scoredAction(Distribution dist, Tensor action) {
        return action;
    }

    // ------------------------------------------------------------------ accessors

    public final Distance lossFunction() { return lossFunction; }

    /** β, the inverse temperature of the advantage weights. */
    public final double temperature() { return temperature; }

    /** τ, the expectile V regresses to. */
    public final double expectile() { return expectile; }

    public final int numQvalueNets() { return ensemble(QVALUE).size(); }

    public final ScalarOutputMode scalarOutputMode() { return scalarOutputMode; }

    public final ProbabilisticTensorDictSequential actor() { return actor; }

    public final TensorDictModuleBase valueNetwork() { return valueNetwork; }

    // ------------------------------------------------------------------ estimator

    @Override
    protected final ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected final Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    @Override
    protected final TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) { return valueNetwork; }

    // ------------------------------------------------------------------ the losses

    @Override
    protected final TensorDict computeLosses(TensorDict td) {
        ActorTerm a = actorTerm(td);
        QTerm q = qvalueTerm(td);
        Tensor lossValue = valueTerm(td);
        td.set(key("priority"), q.priority());

        TensorDict out = new TensorDict();
        out.set("loss_actor", a.loss());
        out.set("loss_qvalue", q.loss());
        out.set("loss_value", lossValue);
        try (GradMode.Scope g = GradMode.noGrad()) {
            out.set("entropy", a.logProb().detach().mean().neg());
        }
        warnedScalarOutput = ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, warnedScalarOutput);
        return out;
    }

    /**
     * The actor loss alone, {@code red(−w·log π(a|s))} (spec §2.8 step 1), with the metric
     * {@code log_prob} = {@code sg(log π(a|s))} {@code [*B]}; like the reference, also writes it at
     * the {@code log_prob} key of {@code td}.
     */
    public final LossTerm actorLoss(TensorDict td) {
        return inSamplingMode(() -> {
            ActorTerm a = actorTerm(td);
            return new LossTerm(a.loss(), Map.of("log_prob", a.logProb()));
        });
    }

    /**
     * The Q loss alone, {@code red(Σ_i d(Q_i(s, a), y))} (spec §2.8 step 2), with the metric
     * {@code td_error} = {@code max_i (Q_i − y)²} {@code [*B]}; {@code td} is not written to.
     */
    public final LossTerm qvalueLoss(TensorDict td) {
        return inSamplingMode(() -> {
            QTerm q = qvalueTerm(td);
            return new LossTerm(q.loss(), Map.of("td_error", q.priority()));
        });
    }

    /** The value loss alone, the expectile regression of V on {@code min_i Q̄_i(s, a)} (spec §2.8 step 3); no metrics. */
    public final LossTerm valueLoss(TensorDict td) {
        return inSamplingMode(() -> new LossTerm(valueTerm(td), Map.of()));
    }

    private ActorTerm actorTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        TensorDict actorInput = inputsOf(actor, td);
        Distribution dist = actor.functionalCall(Parameters.toMap(params(ACTOR)), () -> actor.getDist(actorInput));
        Tensor logProb = dist.logProb(scoredAction(dist, action));
        Tensor minQ;
        Tensor v;
        try (GradMode.Scope g = GradMode.noGrad()) {
            minQ = minTargetValue(td);
            v = stateValue(params(VALUE), td);
        }
        if (!Arrays.equals(logProb.shapeRef(), minQ.shapeRef())) {
            throw new IllegalStateException(lossName() + ": the actor's log-probability has shape " + Shape.format(logProb.shapeRef())
                    + " but min_i Q(s, a) has shape " + Shape.format(minQ.shapeRef()) + "; the distribution must sum its event dims");
        }
        Tensor weight;
        try (GradMode.Scope g = GradMode.noGrad()) {
            weight = minQ.sub(v).mul(temperature).exp().clampMax(100.0);
        }
        Tensor detachedLogProb = logProb.detach();
        td.set(key("log_prob"), detachedLogProb);
        return new ActorTerm(reduce(weight.mul(logProb).neg(), td), detachedLogProb);
    }

    private QTerm qvalueTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        Tensor y;
        try (GradMode.Scope g = GradMode.noGrad()) {
            y = valueEstimator().valueEstimate(td.copy(), targetParams(VALUE), null, null).squeeze(-1);
        }
        Tensor q = chosen(criticValues(params(QVALUE), td), action);
        Tensor target = y.expandAs(q);
        Tensor perElement = lossFunction.apply(q, target).sum(0);
        Tensor priority;
        try (GradMode.Scope g = GradMode.noGrad()) {
            priority = q.detach().sub(target).square().amax(0);
        }
        return new QTerm(reduce(perElement, td), priority);
    }

    private Tensor valueTerm(TensorDict td) {
        Tensor minQ;
        try (GradMode.Scope g = GradMode.noGrad()) {
            minQ = minTargetValue(td);
        }
        Tensor u = minQ.sub(stateValue(params(VALUE), td));
        // Expectile regression (IQL eq. 5): |τ − 1(u < 0)|·u², i.e. τ above the expectile, 1 − τ below; at u = 0 both are 0.
        Tensor weight = Tensor.where(u.gt(0.0), Tensor.fullLike(u, expectile), 1 - expectile);
        return reduce(weight.mul(u.square()), td);
    }

    /** {@code min_i Q̄_i(s, a)} with the target critics, {@code [*B]}. */
    private Tensor minTargetValue(TensorDict td) {
        return chosen(criticValues(targetParams(QVALUE), td), require(td, key("action"))).amin(0);
    }

    /** Every critic's output on {@code td}, {@code [N, *B, …]}: one vmap over a copy of the critics' inputs, so nothing they write reaches {@code td}. */
    private Tensor criticValues(TensorDict criticParams, TensorDict td) {
        TensorDict out = callEnsemble(QVALUE, criticParams, inputsOf(network(QVALUE), td), EnsembleModule.Layout.SHARED);
        return out.get(key("state_action_value"));
    }

    /** {@code V(s)} with {@code valueParams}, {@code [*B]}. */
    private Tensor stateValue(TensorDict valueParams, TensorDict td) {
        return valueNetwork.forwardWith(valueParams, inputsOf(valueNetwork, td)).get(key("value")).squeeze(-1);
    }

    /** A new dict with {@code module}'s in-keys of {@code td} (each required, so a missing one is named). */
    private TensorDict inputsOf(TensorDictModuleBase module, TensorDict td) {
        List<Key> keys = module.inKeys();
        for (Key k : keys) require(td, k);
        return td.select(keys, true);
    }

    @Override
    public String toString() {
        return lossName() + "(num_qvalue_nets=" + numQvalueNets() + ", loss_function=" + lossFunction.alias() + ", temperature=" + temperature
                + ", expectile=" + expectile + ", separate_losses=" + separateLosses() + ", reduction=" + reduction().name().toLowerCase(Locale.ROOT)
                + ", keys=" + tensorKeys() + ")";
    }

    /** The options both IQL losses take. */
    abstract static class Builder<B extends Builder<B>> {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase critic;
        private final List<? extends TensorDictModuleBase> critics;
        private final TensorDictModuleBase value;
        private Integer numQvalueNets;
        private Distance lossFunction = Distance.SMOOTH_L1;
        private double temperature = 1.0;
        private double expectile = 0.5;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private ScalarOutputMode scalarOutputMode;
        private Generator generator;

        Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, List<? extends TensorDictModuleBase> critics,
                TensorDictModuleBase value) {
            this.actor = actor;
            this.critic = critic;
            this.critics = critics == null ? null : List.copyOf(critics);
            this.value = value;
            if (critics != null && critics.isEmpty()) throw new IllegalArgumentException("IQL: expected at least one critic, got an empty list");
        }

        abstract B self();

        /** The expectile set so far (a subclass's constructor checks it). */
        final double expectileSetting() { return expectile; }

        /** N, the number of critics grown from the one critic module (default 2); with a list of critics, its size. */
        public B numQvalueNets(int n) {
            if (n <= 0) throw new IllegalArgumentException("num_qvalue_nets must be positive, got " + n);
            this.numQvalueNets = n;
            return self();
        }

        /** The distance of the Q loss (default smooth_l1). */
        public B lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return self(); }

        public B lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        /** β, the inverse temperature of the advantage weights {@code exp(β(Q − V))} (default 1). */
        public B temperature(double beta) { this.temperature = beta; return self(); }

        /** τ, the expectile of the value loss (default 0.5). */
        public B expectile(double tau) { this.expectile = tau; return self(); }

        /**
         * Whether the actor's tensors shared with V or the critics, and V's tensors shared with the
         * critics, are trained only by their own network's loss (default false; spec §1.11).
         */
        public B separateLosses(boolean separate) { this.separateLosses = separate; return self(); }

        public B reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return self(); }

        public B reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** What happens to the scalar metric {@code entropy} under reduction none (default null: excluded, with a warning). */
        public B scalarOutputMode(ScalarOutputMode mode) { this.scalarOutputMode = mode; return self(); }

        public B scalarOutputMode(String mode) { return scalarOutputMode(ScalarOutputMode.parse(mode)); }

        /** The generator that re-draws the critics grown from one module (spec §1.3; default the global one). */
        public B generator(Generator generator) { this.generator = generator; return self(); }
    }
}
