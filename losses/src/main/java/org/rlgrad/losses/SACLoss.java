package org.rlgrad.losses;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The soft actor-critic loss for continuous actions (spec losses.md §2.4; Haarnoja et al. 2018,
 * "Soft Actor-Critic: Off-Policy Maximum Entropy Deep RL with a Stochastic Actor" — version 1,
 * with a state-value network — and "Soft Actor-Critic Algorithms and Applications" — version 2,
 * without one, with a learned temperature).
 *
 * <p>Networks: a stochastic actor π (a {@link ProbabilisticTensorDictSequential}: its distribution
 * gives reparameterised samples and their log-probabilities), an ensemble of {@code N} critics
 * {@code Q_i(s, a)} evaluated in one vmap, and, for version 1 only, a value network {@code V(s)}.
 * {@code α = exp(log_alpha)} is read through {@link EntropyTemperature} (clamped in place to
 * {@code [min_alpha, max_alpha]} when bounds are given) and is detached wherever it multiplies.
 * {@code H̄} is the target entropy, {@code d} the distance, {@code red} the reduction of spec §1.8.
 *
 * <p><b>Version 2</b> (no value network), in this order:
 * <ol>
 *   <li>target, without gradient: {@code (a', ℓ') ~ π_θ(·|s')} (online actor, interaction type
 *       RANDOM, first draw), {@code v' = min_i (Q_θ̄i(s', a') − α ℓ')},
 *       {@code y = value_estimate(td with ("next", value) = v')} — with TD(0)
 *       {@code y = r + γⁿ (1 − term) v'};</li>
 *   <li>{@code loss_qvalue = red(Σ_i d(Q_θi(s, a), y))}; priority {@code max_i |Q_i − y|} {@code [B]};</li>
 *   <li>{@code (ã, ℓ) ~ π_θ(·|s)} (second draw), {@code loss_actor = red(α ℓ − min_i Q_sg(θi)(s, ã))};</li>
 *   <li>{@code loss_alpha = red(−log_alpha · (sg(ℓ) + H̄))}.</li>
 * </ol>
 * With {@code skipDoneStates}, the actor is sampled only at the next states whose {@code done} is
 * false; the other rows get {@code a' = 0}, {@code ℓ' = 0} (the critics still value them).
 *
 * <p><b>Version 1</b> (a value network is given), in this order:
 * <ol>
 *   <li>{@code y = value_estimate(td, θ̄V)}: with TD(0) {@code y = r + γⁿ (1 − term) V_θ̄V(s')}; no draw;</li>
 *   <li>the batch is cut into {@code N} contiguous chunks and critic {@code k} sees only chunk
 *       {@code k} (one vmap over the stacked chunks): {@code loss_qvalue = red(d(Q_k(i)(s_i, a_i), y_i))};
 *       priority {@code (Q_k(i) − y_i)²} {@code [B]}. The batch size must be a multiple of {@code N};</li>
 *   <li>{@code (â, ℓ̂) ~ π_θ̄(·|s)} with the actor's target parameters (first draw; a detached alias
 *       of the online ones unless {@code delayActor}), {@code loss_value = red(d(V_θV(s),
 *       sg(min_i Q_θ̄i(s, â) − α ℓ̂)))};</li>
 *   <li>actor and alpha losses as in version 2 (second draw).</li>
 * </ol>
 *
 * <p>Outputs: {@code loss_actor}, {@code loss_qvalue}, {@code loss_alpha} ({@code loss_value} in
 * version 1), and the detached metrics {@code alpha} (after clamping) and {@code entropy =
 * −mean(sg(ℓ))}. With {@code reduction = none} the losses are {@code [B]} and the metrics follow
 * {@link ScalarOutputMode}. Gradients: {@code loss_actor → θπ}, {@code loss_qvalue → θQ},
 * {@code loss_value → θV}, {@code loss_alpha → log_alpha}; never a target tree.
 *
 * <p>Quirks kept from the reference (DECISIONS.md rule 1): version 1 trains critic {@code k} on the
 * {@code k}-th chunk of the batch only; α is clamped in place whenever it is read; an ensemble grown
 * from one critic re-draws every member (spec §1.3).
 *
 * <p>Target entropy: a number, or "auto" = minus the number of action components per sample
 * (spec §1.10). rlgrad has no action specs, so "auto" takes the shape given to
 * {@link Builder#actionShape} (at construction), or else the shape of the data's action (without
 * the batch dims) at the first call, and keeps it from then on.
 *
 * <p>Estimators: TD0 (default), TD1, TDLambda. Version 2's estimator has no network and reads
 * {@code ("next", value)}; version 1's evaluates {@code V} on the next state with the given target
 * parameters (the reference composes the actor in front of {@code V}, run deterministically, where
 * it influences nothing; rlgrad evaluates {@code V} alone). {@code deactivateVmap} turns the critic
 * vmaps into loops; the estimators of this loss evaluate no ensemble, so it has nothing to forward
 * there.
 */
public final class SACLoss extends LossModule {
    /** The name of the actor's parameter tree ({@code actor_network_params}). */
    public static final String ACTOR = "actor";
    /** The name of the critics' stacked parameter tree ({@code qvalue_network_params}). */
    public static final String QVALUE = "qvalue";
    /** The name of the value network's parameter tree (version 1, {@code value_network_params}). */
    public static final String VALUE = "value";

    private static final List<String> SCALAR_METRICS = List.of("alpha", "entropy");

    private final ProbabilisticTensorDictSequential actor;
    private final TensorDictModuleBase valueNetwork;
    private final int numQvalueNets;
    private final Distance lossFunction;
    private final EntropyTemperature temperature;
    private final boolean delayActor;
    private final boolean delayQvalue;
    private final boolean delayValue;
    private final boolean skipDoneStates;
    private final ScalarOutputMode scalarOutputMode;
    private final TargetEntropy targetEntropy;
    private boolean warnedScalarOutput;

    private SACLoss(Builder b) {
        super("SACLoss", keyDefaults());
        this.actor = b.actor;
        this.valueNetwork = b.valueNetwork;
        this.lossFunction = b.lossFunction;
        this.delayActor = b.delayActor;
        this.delayQvalue = b.delayQvalue;
        this.delayValue = b.delayValue;
        this.skipDoneStates = b.skipDoneStates;
        this.scalarOutputMode = b.scalarOutputMode;
        this.targetEntropy = new TargetEntropy(b.targetEntropy, b.actionShape);
        setReduction(b.reduction);
        setPrioritizedWeights(b.prioritizedWeights);
        setDeactivateVmap(b.deactivateVmap);
        recordSeparateLosses(b.separateLosses);

        TensorDict actorParams = registerNetwork(ACTOR, actor, delayActor);
        List<Tensor> shared = b.separateLosses ? trainableTensors(ACTOR) : List.of();
        registerEnsemble(QVALUE, b.qvalue, b.qvalueMembers, b.numQvalueNets, 2, delayQvalue, shared, b.generator);
        this.numQvalueNets = ensemble(QVALUE).size();
        if (valueNetwork != null) registerNetwork(VALUE, valueNetwork, delayValue, shared);

        DType dtype = actorParams.leaves().values().stream().findFirst().map(Tensor::dtype).orElse(DType.FLOAT32);
        this.temperature = new EntropyTemperature(b.alphaInit, b.minAlpha, b.maxAlpha, b.fixedAlpha, dtype);

        // Spec §1.2: the action and log-prob keys come from the actor's declaration.
        Map<String, Object> fromActor = new LinkedHashMap<>();
        if (actor.distSampleKeys().size() == 1) fromActor.put("action", actor.distSampleKeys().get(0));
        if (actor.logProbKeys().size() == 1) fromActor.put("log_prob", actor.logProbKeys().get(0));
        setKeys(fromActor);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action", "action");
        k.put("value", "state_value");
        k.put("state_action_value", "state_action_value");
        k.put("log_prob", "action_log_prob");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("priority_weight", "priority_weight");
        return k;
    }

    /** Version 2 (or version 1 once {@link Builder#valueNetwork} is set) over one critic, grown into {@code numQvalueNets} re-drawn copies. */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase qvalue) {
        return new Builder(actor, Objects.requireNonNull(qvalue, "SACLoss: the qvalue network is null"), null);
    }

    /** Over the given critics, stacked as they are (member {@code k} is {@code qvalues.get(k)}). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> qvalues) {
        Objects.requireNonNull(qvalues, "SACLoss: the qvalue networks are null");
        if (qvalues.isEmpty()) throw new IllegalArgumentException("SACLoss: expected at least one qvalue network, got none");
        return new Builder(actor, null, List.copyOf(qvalues));
    }

    /** 1 with a value network, else 2. */
    public int version() { return valueNetwork == null ? 2 : 1; }

    public int numQvalueNets() { return numQvalueNets; }

    public Distance lossFunction() { return lossFunction; }

    public boolean delayActor() { return delayActor; }

    public boolean delayQvalue() { return delayQvalue; }

    public boolean delayValue() { return delayValue; }

    public boolean skipDoneStates() { return skipDoneStates; }

    public ScalarOutputMode scalarOutputMode() { return scalarOutputMode; }

    /** The entropy temperature (log α, its bounds). */
    public EntropyTemperature temperature() { return temperature; }

    /** The stored {@code log_alpha} (trainable unless the temperature is fixed). */
    public Tensor logAlpha() { return temperature.logAlpha(); }

    /** α after clamping, detached (reading it clamps {@code log_alpha} in place when bounded). */
    public Tensor alpha() { return temperature.alpha(); }

    /** The target entropy H̄, or null while "auto" waits for the first data to infer it from. */
    public Double targetEntropy() { return targetEntropy.value(); }

    public ProbabilisticTensorDictSequential actor() { return actor; }

    /** The value network (version 1), or null. */
    public TensorDictModuleBase valueNetwork() { return valueNetwork; }

    /** {@code log_alpha}, unless the temperature is fixed. */
    @Override
    protected List<Tensor> ownParameters() { return temperature.trainableTensors(); }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    @Override
    protected TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) { return valueNetwork; }

    @Override
    protected boolean supportsPrioritizedWeights() { return true; }

    // ------------------------------------------------------------------ forward

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        TensorDict out = new TensorDict();
        out.set("loss_qvalue", qvalueTerm(td));
        if (valueNetwork != null) out.set("loss_value", valueTerm(td));
        SampleAndLogProb sample = actorSample(td);
        out.set("loss_actor", actorTerm(td, sample));
        Tensor logProb = sample.logProb().detach();
        out.set("loss_alpha", alphaTerm(td, logProb));
        out.set("alpha", temperature.alpha());
        out.set("entropy", logProb.mean().neg());
        warnedScalarOutput = ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, warnedScalarOutput);
        return out;
    }

    /** {@code loss_qvalue} (with, in version 2, the next-state draw); writes the priority into {@code td}. */
    public LossTerm qvalueLoss(TensorDict td) {
        return inSamplingMode(() -> {
            Tensor loss = qvalueTerm(td);
            return new LossTerm(loss, Map.of("td_error", td.get(key("priority"))));
        });
    }

    /** {@code loss_value} of version 1 (one draw with the actor's target parameters). */
    public LossTerm valueLoss(TensorDict td) {
        if (valueNetwork == null) throw new IllegalStateException("SACLoss.valueLoss: version 2 has no value network");
        return inSamplingMode(() -> new LossTerm(valueTerm(td), Map.of()));
    }

    /** {@code loss_actor} (one draw); metadata {@code log_prob}: the detached log-probabilities of the draw, for {@link #alphaLoss}. */
    public LossTerm actorLoss(TensorDict td) {
        return inSamplingMode(() -> {
            SampleAndLogProb s = actorSample(td);
            return new LossTerm(actorTerm(td, s), Map.of("log_prob", s.logProb().detach()));
        });
    }

    /** {@code loss_alpha} from the log-probabilities of an actor draw on {@code td} ({@link #actorLoss}'s metadata). */
    public LossTerm alphaLoss(TensorDict td, Tensor logProb) {
        return inSamplingMode(() -> new LossTerm(alphaTerm(td, logProb.detach()), Map.of()));
    }

    // ------------------------------------------------------------------ the terms

    private Tensor qvalueTerm(TensorDict td) {
        targetEntropy.resolve(require(td, key("action")), td.batchDims());
        return valueNetwork == null ? qvalueTermV2(td) : qvalueTermV1(td);
    }

    /** Version 2: every critic on the whole batch against one target. */
    private Tensor qvalueTermV2(TensorDict td) {
        Tensor y = targetV2(td);
        Tensor q = criticValues(params(QVALUE), td, EnsembleModule.Layout.SHARED);
        Tensor yN = y.unsqueeze(0).expand(q.shape());
        try (GradMode.Scope g = GradMode.noGrad()) {
            td.set(key("priority"), q.detach().sub(yN).abs().amax(0));
        }
        return reduce(lossFunction.apply(q, yN).sum(0), td);
    }

    /** {@code y} of version 2 ({@code [B]}, no gradient): the soft value of the next state under the online actor and the target critics. */
    private Tensor targetV2(TensorDict td) {
        TensorDict work = td.copy();
        Tensor nextValue;
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor alpha = temperature.alpha();
            TensorDict next = td.nextView().copy();
            Tensor[] sample = skipDoneStates ? nextSampleSkippingDone(td, next) : null;
            Tensor nextAction, nextLogProb;
            if (sample != null) {
                nextAction = sample[0];
                nextLogProb = sample[1];
            } else {
                SampleAndLogProb s = PolicyDistribution.rsample(lossName(), actor, params(ACTOR), next, randomSource());
                nextAction = s.sample();
                nextLogProb = s.logProb();
            }
            next.set(key("action"), nextAction);
            Tensor qNext = criticValues(targetParams(QVALUE), next, EnsembleModule.Layout.SHARED);
            nextValue = qNext.sub(nextLogProb.mul(alpha)).min(0, false).values().unsqueeze(-1);
        }
        work.set(key("value").prepend("next"), nextValue);
        return valueEstimator().valueEstimate(work, null, null, null).squeeze(-1).detach();
    }

    /**
     * {@code skip_done_states}: the actor is sampled at the next states that are not done only; the
     * others get {@code a' = 0}, {@code ℓ' = 0}. Returns null when no row is done (sample all).
     */
    private Tensor[] nextSampleSkippingDone(TensorDict td, TensorDict next) {
        Tensor done = require(td, key("done").prepend("next"));
        Tensor live = (done.dtype() == DType.BOOL ? done : done.ne(0.0)).reshape(next.batchSize()).logicalNot();
        if (live.all().item() != 0) return null;
        int[] batch = next.batchSize();
        Tensor action = require(td, key("action"));
        DType dtype = temperature.logAlpha().dtype();
        Tensor nextAction = action.newZeros(dtype, Shape.concat(batch, Arrays.copyOfRange(action.shapeRef(), td.batchDims(), action.dim())));
        Tensor nextLogProb = action.newZeros(dtype, batch);
        if (live.any().item() == 0) return new Tensor[] {nextAction, nextLogProb};
        SampleAndLogProb s = PolicyDistribution.rsample(lossName(), actor, params(ACTOR), next.mask(live), randomSource());
        Tensor rows = live;
        while (rows.dim() < nextAction.dim()) rows = rows.unsqueeze(rows.dim());
        nextAction = nextAction.maskedScatter(rows.expand(nextAction.shape()), s.sample().to(dtype));
        nextLogProb = nextLogProb.maskedScatter(live, s.logProb().to(dtype));
        return new Tensor[] {nextAction, nextLogProb};
    }

    /** Version 1: the bootstrap from V̄(s'), and critic k on the k-th contiguous chunk of the batch. */
    private Tensor qvalueTermV1(TensorDict td) {
        TensorDict work = td.copy();
        Tensor y = valueEstimator().valueEstimate(work, targetParams(VALUE), null, null).squeeze(-1).detach();
        if (td.batchDims() != 1) {
            throw new IllegalArgumentException("SACLoss (version 1): expected a batch of one dim to cut into " + numQvalueNets + " chunks, got batch "
                    + Shape.format(td.batchSize()));
        }
        int b = td.batchSize()[0];
        if (b % numQvalueNets != 0) {
            throw new IllegalArgumentException("SACLoss (version 1): the batch size " + b + " must be a multiple of num_qvalue_nets = " + numQvalueNets
                    + " (critic k is trained on the k-th of " + numQvalueNets + " equal contiguous chunks)");
        }
        TensorDict chunks = td.copy().reshape(numQvalueNets, b / numQvalueNets);
        Tensor q = criticValues(params(QVALUE), chunks, EnsembleModule.Layout.STACKED).reshape(b);
        try (GradMode.Scope g = GradMode.noGrad()) {
            td.set(key("priority"), q.detach().sub(y).square());
        }
        return reduce(lossFunction.apply(q, y), td);
    }

    /** Version 1's value loss: V(s) against the soft value of an action drawn with the actor's target parameters. */
    private Tensor valueTerm(TensorDict td) {
        Tensor v = valueNetwork.forwardWith(params(VALUE), td.copy()).get(key("value")).squeeze(-1);
        Tensor target;
        try (GradMode.Scope g = GradMode.noGrad()) {
            SampleAndLogProb s = PolicyDistribution.rsample(lossName(), actor, targetParams(ACTOR), td, randomSource());
            TensorDict withAction = td.copy();
            withAction.set(key("action"), s.sample());
            Tensor q = criticValues(targetParams(QVALUE), withAction, EnsembleModule.Layout.SHARED);
            target = q.min(0, false).values().sub(s.logProb().mul(temperature.alpha()));
        }
        return reduce(lossFunction.apply(v, target), td);
    }

    /**
     * The critics on a copy of {@code td} with the stacked {@code params}: {@code [N, *B]} (their
     * {@code [N, *B, 1]} output without the trailing axis); any other shape is an error.
     */
    private Tensor criticValues(TensorDict params, TensorDict td, EnsembleModule.Layout layout) {
        Tensor q = callEnsemble(QVALUE, params, td.copy(), layout).get(key("state_action_value"));
        int[] want = Shape.concat(td.batchSize(), new int[] {1});
        if (layout == EnsembleModule.Layout.SHARED) want = Shape.concat(new int[] {numQvalueNets}, want);
        if (!Arrays.equals(q.shapeRef(), want)) {
            throw new IllegalArgumentException("SACLoss: expected the critics to write " + key("state_action_value") + " of shape [*B, 1], so that the "
                    + "ensemble gives " + Shape.format(want) + ", got " + Shape.format(q.shapeRef()));
        }
        return q.squeeze(-1);
    }

    /** The actor's reparameterised draw at the current state with the online parameters. */
    private SampleAndLogProb actorSample(TensorDict td) {
        return PolicyDistribution.rsample(lossName(), actor, params(ACTOR), td, randomSource());
    }

    private Tensor actorTerm(TensorDict td, SampleAndLogProb sample) {
        TensorDict withAction = td.copy();
        withAction.set(key("action"), sample.sample());
        Tensor q = criticValues(params(QVALUE).detach(), withAction, EnsembleModule.Layout.SHARED);
        Tensor minQ = q.min(0, false).values();
        return reduce(sample.logProb().mul(temperature.alpha()).sub(minQ), td);
    }

    private Tensor alphaTerm(TensorDict td, Tensor logProb) {
        double h = targetEntropy.value() != null ? targetEntropy.value() : targetEntropy.resolve(require(td, key("action")), td.batchDims());
        return reduce(temperature.lossElements(logProb, h), td);
    }

    @Override
    public String toString() {
        return "SACLoss(version=" + version() + ", num_qvalue_nets=" + numQvalueNets + ", loss_function=" + lossFunction.alias() + ", delay_actor=" + delayActor
                + ", delay_qvalue=" + delayQvalue + (valueNetwork != null ? ", delay_value=" + delayValue : "") + ", target_entropy="
                + targetEntropy + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys="
                + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase qvalue;
        private final List<TensorDictModuleBase> qvalueMembers;
        private TensorDictModuleBase valueNetwork;
        private Integer numQvalueNets;
        private Distance lossFunction = Distance.SMOOTH_L1;
        private double alphaInit = 1.0;
        private Double minAlpha;
        private Double maxAlpha;
        private boolean fixedAlpha;
        private Double targetEntropy;
        private int[] actionShape;
        private boolean delayActor;
        private boolean delayQvalue = true;
        private boolean delayValue = true;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private boolean skipDoneStates;
        private boolean deactivateVmap;
        private PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;
        private ScalarOutputMode scalarOutputMode;
        private Generator generator;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase qvalue, List<TensorDictModuleBase> members) {
            this.actor = Objects.requireNonNull(actor, "SACLoss: the actor network is null");
            this.qvalue = qvalue;
            this.qvalueMembers = members;
        }

        /** A state-value network V(s): selects version 1. */
        public Builder valueNetwork(TensorDictModuleBase v) { this.valueNetwork = v; return this; }

        /** The ensemble size N (default 2; with a list of critics it must equal the list's size). */
        public Builder numQvalueNets(int n) {
            if (n <= 0) throw new IllegalArgumentException("SACLoss: num_qvalue_nets must be positive, got " + n);
            this.numQvalueNets = n;
            return this;
        }

        /** The distance of the critic (and value) losses (default smooth_l1). */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        /** The initial α (default 1). */
        public Builder alphaInit(double alpha) { this.alphaInit = alpha; return this; }

        /** The lower bound on α (default none; 0 counts as none). */
        public Builder minAlpha(Double min) { this.minAlpha = min; return this; }

        /** The upper bound on α (default none; 0 is an error). */
        public Builder maxAlpha(Double max) { this.maxAlpha = max; return this; }

        /** Keep α constant: {@code log_alpha} gets no gradient (default false). */
        public Builder fixedAlpha(boolean fixed) { this.fixedAlpha = fixed; return this; }

        /** An explicit target entropy H̄ (default "auto"). */
        public Builder targetEntropy(double h) { this.targetEntropy = h; this.actionShape = null; return this; }

        /** "auto" target entropy (the default): from {@link #actionShape}, else from the data's action at the first call. */
        public Builder targetEntropyAuto() { this.targetEntropy = null; return this; }

        /** The shape of one action (the action spec's shape without batch dims), for "auto": H̄ = −Π shape. */
        public Builder actionShape(int... shape) { this.actionShape = shape.clone(); this.targetEntropy = null; return this; }

        /** A delayed copy of the actor (default false: its target tree is a detached alias). */
        public Builder delayActor(boolean delay) { this.delayActor = delay; return this; }

        /** A delayed copy of the critics (default true). */
        public Builder delayQvalue(boolean delay) { this.delayQvalue = delay; return this; }

        /** A delayed copy of the value network (version 1; default true). */
        public Builder delayValue(boolean delay) { this.delayValue = delay; return this; }

        /** Parameters the critics (and V) share with the actor are trained by the actor loss only (default false). */
        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** Sample the next action only where {@code ("next", done)} is false (version 2; default false). */
        public Builder skipDoneStates(boolean skip) { this.skipDoneStates = skip; return this; }

        /** Evaluate the critics by a loop over members instead of vmap (default false). */
        public Builder deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return this; }

        public Builder prioritizedWeights(PrioritizedWeights mode) { this.prioritizedWeights = Objects.requireNonNull(mode, "prioritizedWeights"); return this; }

        /** The scalar metrics under {@code reduction = none} (default null: excluded after a warning). */
        public Builder scalarOutputMode(ScalarOutputMode mode) { this.scalarOutputMode = mode; return this; }

        public Builder scalarOutputMode(String mode) { return scalarOutputMode(ScalarOutputMode.parse(mode)); }

        /** Where the re-drawn critic copies come from when one critic is given (default the global generator). */
        public Builder generator(Generator g) { this.generator = g; return this; }

        public SACLoss build() { return new SACLoss(this); }
    }
}
