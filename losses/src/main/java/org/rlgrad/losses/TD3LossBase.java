package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * What {@link TD3Loss} and {@link TD3BCLoss} share (spec losses.md §2.15, §2.16): a deterministic
 * actor {@code μ}, an ensemble of {@code N} critics evaluated in one vmap (a loop with
 * {@link #setDeactivateVmap}), the action bounds, the Q loss with target policy smoothing and
 * clipped double Q, the priority and the forward order (actor loss, then Q loss). Subclasses give
 * the actor loss ({@link #actorTerm}).
 *
 * <p>Q loss: first {@code z ~ N(0, 1)} of the stored action's shape and dtype (site
 * {@code randn_like}, drawn before any computation of the step), {@code ε = clip(σ z, −c, c)};
 * without gradient {@code a' = clip(μ_θ̄μ(s') + ε, low, high)} element-wise and
 * {@code v' = min_i Q_θ̄i(s', a')}; {@code y = value_estimate} with {@code v'} at
 * {@code ("next", state_action_value)} of a copy, with TD(0) {@code y = r + γⁿ (1 − term) v'};
 * {@code loss_qvalue = red(Σ_i d(Q_i(s, a), y))}; metrics {@code next_state_value} {@code [*B]},
 * {@code pred_value} {@code [N, *B]}, {@code target_value} {@code [*B]}; the priority
 * {@code max_i (Q_i(s, a) − y)²} {@code [*B]} is written into the caller's dict.
 *
 * <p><b>Action bounds.</b> The builder takes exactly one of {@code bounds(low, high)} (doubles, or
 * tensors broadcasting against the action) or {@code actionSpec(BoundedActionSpec)} (the box of its
 * first element along the container dims is used); both or neither is an error, and so is
 * {@code low > high} anywhere.
 *
 * <p><b>Critics.</b> {@code builder(actor, qvalue)} grows {@code numQvalueNets} critics from one
 * module, every parameter re-drawn uniformly in its own {@code [min, max]} (spec §1.3) from the
 * builder's generator (default the global one); {@code builder(actor, List)} stacks the given
 * members as they are. With {@code separateLosses}, parameters the critic shares with the actor are
 * a detached expansion in the ensemble (one module only).
 */
public abstract class TD3LossBase extends LossModule {
    /** The name of the actor's parameter tree ({@code actor_network_params} in TorchRL). */
    public static final String ACTOR = "actor";
    /** The name of the critics' stacked parameter tree ({@code qvalue_network_params} in TorchRL). */
    public static final String QVALUE = "qvalue";

    private final TensorDictModuleBase actor;
    private final int numQvalueNets;
    private final Tensor low;
    private final Tensor high;
    private final double policyNoise;
    private final double noiseClip;
    private final Distance lossFunction;
    private final boolean delayActor;
    private final boolean delayQvalue;

    /** The actor's action on the current state and every critic's (detached) value of it. */
    protected record ActorValues(Tensor action, Tensor values) {}

    TD3LossBase(String lossName, Options<?> o) {
        super(lossName, keyDefaults());
        Tensor[] box = resolveBounds(lossName, o);
        this.low = box[0];
        this.high = box[1];
        this.actor = o.actor;
        this.policyNoise = o.policyNoise;
        this.noiseClip = o.noiseClip;
        this.lossFunction = o.lossFunction;
        this.delayActor = o.delayActor;
        this.delayQvalue = o.delayQvalue;
        setReduction(o.reduction);
        setPrioritizedWeights(o.prioritizedWeights);
        setDeactivateVmap(o.deactivateVmap);
        recordSeparateLosses(o.separateLosses);
        registerNetwork(ACTOR, actor, delayActor);
        if (o.qvalues != null) {
            if (o.numQvalueNets != null && o.numQvalueNets != o.qvalues.size()) {
                throw new IllegalArgumentException(lossName + ": numQvalueNets is " + o.numQvalueNets + " but " + o.qvalues.size() + " critics were given");
            }
            registerEnsemble(QVALUE, o.qvalues, delayQvalue);
        } else {
            int n = o.numQvalueNets == null ? 2 : o.numQvalueNets;
            registerEnsemble(QVALUE, o.qvalue, n, delayQvalue, o.separateLosses ? trainableTensors(ACTOR) : List.of(),
                    o.generator != null ? o.generator : Generator.global());
        }
        this.numQvalueNets = ensemble(QVALUE).size();
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action", "action");
        k.put("state_action_value", "state_action_value");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("priority_weight", "priority_weight");
        return k;
    }

    /** {@code [low, high]}: exactly one of bounds or spec, every {@code low <= high}. */
    private static Tensor[] resolveBounds(String lossName, Options<?> o) {
        boolean bounds = o.low != null, spec = o.actionSpec != null;
        if (bounds && spec) throw new IllegalArgumentException(lossName + ": give either bounds(low, high) or actionSpec(...), not both");
        if (!bounds && !spec) {
            throw new IllegalArgumentException(lossName + ": the target actions need bounds: give bounds(low, high) or actionSpec(...) (exactly one)");
        }
        Tensor lo = bounds ? o.low : o.actionSpec.elementLow();
        Tensor hi = bounds ? o.high : o.actionSpec.elementHigh();
        Tensor bad = lo.gt(hi.to(lo.device()));
        if (bad.any().toBooleanArray()[0]) {
            throw new IllegalArgumentException(lossName + ": a low bound is higher than the high bound: low " + Shape.format(lo.shapeRef()) + " "
                    + java.util.Arrays.toString(lo.toDoubleArray()) + ", high " + java.util.Arrays.toString(hi.toDoubleArray()));
        }
        return new Tensor[] {lo.detach(), hi.detach()};
    }

    public final TensorDictModuleBase actor() { return actor; }

    public final int numQvalueNets() { return numQvalueNets; }

    /** The lower bound of the target actions. */
    public final Tensor low() { return low; }

    /** The upper bound of the target actions. */
    public final Tensor high() { return high; }

    public final double policyNoise() { return policyNoise; }

    public final double noiseClip() { return noiseClip; }

    public final Distance lossFunction() { return lossFunction; }

    public final boolean delayActor() { return delayActor; }

    public final boolean delayQvalue() { return delayQvalue; }

    @Override
    protected final Map<String, String> estimatorKeyNames() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("value", "state_action_value");
        m.put("reward", "reward");
        m.put("done", "done");
        m.put("terminated", "terminated");
        return m;
    }

    @Override
    protected final ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected final Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    @Override
    protected final boolean supportsPrioritizedWeights() { return true; }

    @Override
    protected final TensorDict computeLosses(TensorDict td) {
        LossTerm policy = actorTerm(td);
        LossTerm q = qvalueTerm(td);
        td.set(key("priority"), q.metric("td_error").amax(0));
        TensorDict out = new TensorDict();
        out.set("loss_actor", policy.loss());
        out.set("loss_qvalue", q.loss());
        policy.metadata().forEach(out::set);
        q.metadata().forEach((k, v) -> {
            if (!k.equals("td_error")) out.set(k, v);
        });
        return out;
    }

    /** The actor part alone: {@code loss_actor} and its metrics. */
    public final LossTerm actorLoss(TensorDict td) {
        return inSamplingMode(() -> actorTerm(td));
    }

    /**
     * The Q part alone: {@code loss_qvalue} with the metrics {@code td_error} ({@code [N, *B]},
     * per critic; {@link #forward} writes its max over critics as the priority),
     * {@code next_state_value}, {@code pred_value}, {@code target_value}. Draws the target noise.
     */
    public final LossTerm qvalueLoss(TensorDict td) {
        return inSamplingMode(() -> qvalueTerm(td));
    }

    /** The actor part: {@code loss_actor} and its metrics, from {@link #actorValues}. */
    protected abstract LossTerm actorTerm(TensorDict td);

    /** {@code ã = μ_θμ(s)} (with gradient) and {@code Q_i,sg(s, ã)} for every critic, {@code [N, *B]}. */
    protected final ActorValues actorValues(TensorDict td) {
        for (Key k : actor.inKeys()) require(td, k);
        Tensor action = actor.forwardWith(params(ACTOR), td.select(actor.inKeys(), false)).get(key("action"));
        TensorDict criticInput = td.select(qvalueInKeys(), false);
        criticInput.set(key("action"), action);
        Tensor values = critics(params(QVALUE).detach(), criticInput);
        return new ActorValues(action, values);
    }

    private LossTerm qvalueTerm(TensorDict td) {
        Tensor storedAction = require(td, key("action"));
        for (Key k : qvalueInKeys()) require(td, k);
        for (Key k : actor.inKeys()) require(td, k.prepend("next"));
        // Drawn before any computation of this step, as the reference does, so that replayed draws line up.
        Tensor z = randomSource().standardNormal("randn_like", storedAction.shape(), storedAction.dtype()).to(storedAction.device());
        Tensor noise = z.mul(policyNoise).clamp(-noiseClip, noiseClip);

        Tensor nextValue;
        try (GradMode.Scope g = GradMode.noGrad()) {
            TensorDict next = td.nextView();
            Tensor nextAction = actor.forwardWith(targetParams(ACTOR), next.select(actor.inKeys(), false)).get(key("action"));
            nextAction = nextAction.add(noise).clamp(bound(low, nextAction), bound(high, nextAction));
            TensorDict criticInput = next.select(qvalueInKeys(), false);
            criticInput.set(key("action"), nextAction);
            nextValue = critics(targetParams(QVALUE), criticInput).amin(0);
        }
        TensorDict work = td.copy();
        work.set(key("state_action_value").prepend("next"), nextValue.unsqueeze(-1));
        Tensor target = valueEstimator().valueEstimate(work, null, null, null).squeeze(-1).detach();

        Tensor current = critics(params(QVALUE), td.select(qvalueInKeys(), false));
        Tensor perSample = lossFunction.apply(current, target.expand(current.shape())).sum(0);
        Tensor loss = reduce(perSample, td);
        Map<String, Tensor> metadata = new LinkedHashMap<>();
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor pred = current.detach();
            metadata.put("td_error", pred.sub(target).square());
            metadata.put("next_state_value", nextValue);
            metadata.put("pred_value", pred);
            metadata.put("target_value", target);
        }
        return new LossTerm(loss, metadata);
    }

    /**
     * Every critic with {@code params} on {@code input}: {@code [N, *B]}. The reference expands the
     * input to {@code [N, *B]} and maps it (pattern 00); sharing it (pattern N0) gives the same
     * numbers without the copy, since each member sees the same rows either way.
     */
    private Tensor critics(TensorDict params, TensorDict input) {
        return callEnsemble(QVALUE, params, input, EnsembleModule.Layout.SHARED).get(key("state_action_value")).squeeze(-1);
    }

    private List<Key> qvalueInKeys() {
        return ensemble(QVALUE).inKeys();
    }

    private static Tensor bound(Tensor b, Tensor like) {
        return b.to(like.dtype()).to(like.device());
    }

    /** The options of the TD3 family; {@link TD3Loss.Builder} and {@link TD3BCLoss.Builder} build from them. */
    public abstract static class Options<B extends Options<B>> {
        final TensorDictModuleBase actor;
        final TensorDictModuleBase qvalue;
        final List<? extends TensorDictModuleBase> qvalues;
        Integer numQvalueNets;
        double policyNoise = 0.2;
        double noiseClip = 0.5;
        Distance lossFunction = Distance.SMOOTH_L1;
        boolean delayActor = true;
        boolean delayQvalue = true;
        boolean separateLosses;
        boolean deactivateVmap;
        Reduction reduction = Reduction.MEAN;
        PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;
        Generator generator;
        Tensor low;
        Tensor high;
        BoundedActionSpec actionSpec;

        Options(String lossName, TensorDictModuleBase actor, TensorDictModuleBase qvalue, List<? extends TensorDictModuleBase> qvalues) {
            this.actor = Objects.requireNonNull(actor, () -> lossName + ": the actor is null");
            if (qvalue == null && qvalues == null) throw new NullPointerException(lossName + ": the critic is null");
            if (qvalues != null) {
                if (qvalues.isEmpty()) throw new IllegalArgumentException(lossName + ": expected at least one critic, got none");
                for (TensorDictModuleBase m : qvalues) Objects.requireNonNull(m, () -> lossName + ": a critic is null");
            }
            this.qvalue = qvalue;
            this.qvalues = qvalues == null ? null : List.copyOf(qvalues);
        }

        abstract B self();

        /** The target actions' box as numbers (every component shares it). */
        public B bounds(double low, double high) {
            return bounds(Tensor.scalar(low, DType.FLOAT64), Tensor.scalar(high, DType.FLOAT64));
        }

        /** The target actions' box, element-wise (tensors broadcasting against the action). */
        public B bounds(Tensor low, Tensor high) {
            this.low = Objects.requireNonNull(low, "bounds: low is null");
            this.high = Objects.requireNonNull(high, "bounds: high is null");
            return self();
        }

        /** The target actions' box from a bounded action spec (instead of {@link #bounds}). */
        public B actionSpec(BoundedActionSpec spec) {
            this.actionSpec = Objects.requireNonNull(spec, "actionSpec: the spec is null");
            return self();
        }

        /** The number of critics grown from one module (default 2); with a list of critics it must equal the list's size. */
        public B numQvalueNets(int n) {
            if (n <= 0) throw new IllegalArgumentException("numQvalueNets: expected a positive number, got " + n);
            this.numQvalueNets = n;
            return self();
        }

        /** σ, the standard deviation of the target policy noise (default 0.2). */
        public B policyNoise(double sigma) { this.policyNoise = sigma; return self(); }

        /** c, the noise is clipped to {@code [−c, c]} (default 0.5). */
        public B noiseClip(double c) { this.noiseClip = c; return self(); }

        /** The distance between each Q_i and its target (default smooth_l1). */
        public B lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return self(); }

        public B lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        /** Whether the target actor is a delayed copy (default true; false: the online actor, detached). */
        public B delayActor(boolean delay) { this.delayActor = delay; return self(); }

        /** Whether the target critics are a delayed copy (default true). */
        public B delayQvalue(boolean delay) { this.delayQvalue = delay; return self(); }

        /** Whether parameters the critic shares with the actor are detached in the critics (default false). */
        public B separateLosses(boolean separate) { this.separateLosses = separate; return self(); }

        /** Evaluate the critics by a loop over members instead of vmap (default false); same numbers. */
        public B deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return self(); }

        /** Where the re-drawn critics of {@code builder(actor, qvalue)} come from (default the global generator). */
        public B generator(Generator g) { this.generator = g; return self(); }

        public B reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return self(); }

        public B reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        public B prioritizedWeights(PrioritizedWeights mode) { this.prioritizedWeights = Objects.requireNonNull(mode, "prioritizedWeights"); return self(); }
    }

    @Override
    public String toString() {
        return lossName() + "(num_qvalue_nets=" + numQvalueNets + ", policy_noise=" + policyNoise + ", noise_clip=" + noiseClip + ", loss_function="
                + lossFunction.alias() + ", delay_actor=" + delayActor + ", delay_qvalue=" + delayQvalue + ", reduction="
                + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
