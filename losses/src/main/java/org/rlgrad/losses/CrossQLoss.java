package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.BatchNorm1d;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The CrossQ loss (spec losses.md §2.7; Bhatt et al. 2024, "CrossQ: Batch Normalization in Deep
 * Reinforcement Learning for Greater Sample Efficiency and Simplicity"), as TorchRL's
 * {@code CrossQLoss}: a stochastic actor π and an ensemble of {@code N} critics {@code Q_i}, usually
 * with batch normalisation, and <em>no target networks at all</em>.
 *
 * <p>With {@code α = exp(log_alpha)} (the stored {@code log_alpha} clamped in place to the bounds
 * when there are any, spec §1.10) and {@code H̄} the target entropy, in this order:
 * <ol>
 *   <li>Q loss. Without gradient, {@code (a', ℓ') = sample + log_prob of π(·|s')} (a plain draw);
 *       the critic inputs of {@code (s, a)} and {@code (s', a')} are concatenated along the batch
 *       ({@code 2B} rows) and evaluated in ONE ensemble call with the live parameters, so that a
 *       batch-norm critic in training mode normalises with the joint statistics; split into
 *       {@code Qcur}, {@code Qnext}. {@code v' = sg(min_i Qnext_i − α ℓ')},
 *       {@code y = value_estimate(td, next_value = v')},
 *       {@code loss_qvalue = red(Σ_i d(Qcur_i, y))}.</li>
 *   <li>Actor loss. {@code (ã, ℓ) = rsample + log_prob of π(·|s)}; the critics in evaluation mode
 *       with detached parameters give {@code m = min_i Q_i(s, ã)}, and are switched back to training
 *       mode afterwards (whatever their mode before); {@code loss_actor = red(α ℓ − m)}.</li>
 *   <li>{@code loss_alpha = red(−log_alpha (sg(ℓ) + H̄))}.</li>
 * </ol>
 * Metrics (detached): {@code alpha}, {@code entropy = −mean(sg ℓ)}, {@code log_prob = sg(ℓ)}
 * {@code [*B]}, {@code td_error = max_i |Qcur_i − y|} {@code [*B]}; the same {@code td_error} is
 * the priority written into the caller's dict. Gradient: {@code loss_actor → θπ},
 * {@code loss_qvalue → θQ}, {@code loss_alpha → log_alpha}. Draws, in order: one
 * {@code Normal.sample} at {@code s'}, one {@code Normal.rsample} at {@code s}.
 *
 * <p>Batch normalisation and vmap: a {@link BatchNorm1d} in training mode writes its running
 * statistics in place, which the engine cannot do inside vmap. A critic holding one in training
 * mode is therefore refused with vmap (an error that says to call {@code setDeactivateVmap(true)});
 * with {@code deactivateVmap} the members run one after another and each updates its own slice of
 * the stacked statistics. Plain MLP critics work either way.
 *
 * <p>Quirks kept (DECISIONS rule 1): α is read by clamping {@code log_alpha} in place; the actor
 * loss leaves the critics in training mode.
 *
 * <p>Options (builder): {@code numQvalueNets} (2), {@code lossFunction} (smooth_l1),
 * {@code alphaInit} (1), {@code minAlpha}/{@code maxAlpha} (none), {@code actionShape} (the action
 * spec's shape: "auto" is then resolved at construction, else lazily from the data),
 * {@code fixedAlpha} (false), {@code targetEntropy} ("auto"), {@code separateLosses} (false),
 * {@code reduction} (mean), {@code deactivateVmap} (false), {@code scalarOutputMode} (null).
 * Estimators: TD0 (default), TD1, TDLambda, given the next value explicitly.
 */
public final class CrossQLoss extends LossModule {
    /** The actor's parameter tree. */
    public static final String ACTOR_NETWORK = "actor";
    /** The critics' stacked parameter tree. */
    public static final String QVALUE_NETWORK = "qvalue";

    private static final List<String> SCALAR_METRICS = List.of("alpha", "entropy");

    private final ProbabilisticTensorDictSequential actor;
    private final int numQvalueNets;
    private final Distance lossFunction;
    private final EntropyTemperature temperature;
    private final TargetEntropy targetEntropy;
    private final ScalarOutputMode scalarOutputMode;
    private boolean warnedScalarOutput;

    private CrossQLoss(Builder b) {
        super("CrossQLoss", keyDefaults());
        this.actor = b.actor;
        this.lossFunction = b.lossFunction;
        this.scalarOutputMode = b.scalarOutputMode;
        this.targetEntropy = new TargetEntropy(b.targetEntropy, b.actionShape);
        recordSeparateLosses(b.separateLosses);
        setReduction(b.reduction);
        setDeactivateVmap(b.deactivateVmap);
        registerNetwork(ACTOR_NETWORK, actor, false);
        registerEnsemble(QVALUE_NETWORK, b.critic, b.critics, b.numQvalueNets, 2, false, b.separateLosses ? trainableTensors(ACTOR_NETWORK) : List.of(),
                b.generator);
        this.numQvalueNets = ensemble(QVALUE_NETWORK).size();
        List<Tensor> actorParams = actor.parameters();
        DType dtype = actorParams.isEmpty() ? DType.FLOAT32 : actorParams.get(0).dtype();
        this.temperature = new EntropyTemperature(b.alphaInit, b.minAlpha, b.maxAlpha, b.fixedAlpha, dtype);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action", "action");
        k.put("state_action_value", "state_action_value");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("log_prob", "_log_prob");
        return k;
    }

    /** A loss over {@code actor} and an ensemble grown from {@code critic} (each member re-drawn, spec §1.3). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(actor, Objects.requireNonNull(critic, "CrossQLoss: the critic is null"), null);
    }

    /** A loss over {@code actor} and the given critics, stacked as they are. */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> critics) {
        Objects.requireNonNull(critics, "CrossQLoss: the critics are null");
        return new Builder(actor, null, List.copyOf(critics));
    }

    public ProbabilisticTensorDictSequential actor() { return actor; }

    public int numQvalueNets() { return numQvalueNets; }

    public Distance lossFunction() { return lossFunction; }

    public EntropyTemperature temperature() { return temperature; }

    /** The stored {@code log_alpha} (trainable unless fixed). */
    public Tensor logAlpha() { return temperature.logAlpha(); }

    /** α, after clamping {@code log_alpha} in place to the bounds (if any); detached. */
    public Tensor alpha() { return temperature.alpha(); }

    /** The target entropy, or null while "auto" waits for the first batch. */
    public Double targetEntropy() { return targetEntropy.value(); }

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
    protected TensorDict computeLosses(TensorDict td) {
        LossTerm value = qvalueTerm(td);
        LossTerm actorTerm = actorTerm(td);
        Tensor logProb = actorTerm.metric("log_prob");
        td.set(key("priority"), value.metric("td_error"));

        TensorDict out = new TensorDict();
        out.set("loss_qvalue", value.loss());
        out.set("loss_actor", actorTerm.loss());
        out.set("loss_alpha", alphaTerm(logProb, td));
        out.set("alpha", temperature.alpha());
        out.set("entropy", logProb.mean().neg());
        out.set("log_prob", logProb);
        out.set("td_error", value.metric("td_error"));
        warnedScalarOutput = ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, warnedScalarOutput);
        return out;
    }

    /** The Q-loss component alone (spec §1.1): {@code loss_qvalue} (reduced) and the metric {@code td_error} {@code [*B]}. */
    public LossTerm qvalueLoss(TensorDict td) {
        return inSamplingMode(() -> qvalueTerm(td));
    }

    /** The actor-loss component alone: {@code loss_actor} (reduced) and the metric {@code log_prob} {@code [*B]} (detached). */
    public LossTerm actorLoss(TensorDict td) {
        return inSamplingMode(() -> actorTerm(td));
    }

    /**
     * The alpha loss of a detached log-probability {@code [*B]} ({@link #actorLoss}'s metadata):
     * {@code red(−log_alpha (logProb + H̄))}, no mask; no metrics.
     */
    public LossTerm alphaLoss(Tensor logProb) {
        double h = targetEntropy.value() != null ? targetEntropy.value() : failAuto();
        return new LossTerm(MaskedReduction.reduce(temperature.lossElements(logProb.detach(), h), reduction(), null, null), Map.of());
    }

    private LossTerm qvalueTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        targetEntropy.resolve(action, td.batchDims());
        int[] batch = td.batchSize();
        if (batch.length == 0) throw new IllegalArgumentException("CrossQLoss: expected a batch of transitions (a batch size with at least one dim), got []");
        int b = batch[0];
        Tensor alpha = temperature.alpha();

        SampleAndLogProb next;
        try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope s = InteractionType.set(InteractionType.RANDOM)) {
            Distribution dist = PolicyDistribution.of(actor, params(ACTOR_NETWORK), NetworkInputs.of(this, td, true, actor.inKeys()));
            next = dist.sampleAndLogProb(randomSource());
        }

        EnsembleModule critics = ensemble(QVALUE_NETWORK);
        List<Key> criticKeys = critics.member().inKeys();
        TensorDict joint = TensorDict.cat(List.of(NetworkInputs.of(this, td, false, criticKeys, key("action"), action),
                NetworkInputs.of(this, td, true, criticKeys, key("action"), next.sample())), 0);
        refuseTrainingBatchNormInVmap(critics);
        Tensor q = callEnsemble(QVALUE_NETWORK, params(QVALUE_NETWORK), joint, EnsembleModule.Layout.SHARED).get(key("state_action_value")).squeeze(-1);
        Tensor qCur = q.narrow(1, 0, b), qNext = q.narrow(1, b, b);

        Tensor nextValue;
        try (GradMode.Scope g = GradMode.noGrad()) {
            nextValue = qNext.detach().amin(0).sub(alpha.mul(next.logProb().detach())).unsqueeze(-1);
        }
        Tensor y = valueEstimator().valueEstimate(td, null, nextValue, null).squeeze(-1).detach();
        Tensor perElement = lossFunction.apply(qCur, y.expand(qCur.shape())).sum(0);
        Tensor tdError;
        try (GradMode.Scope g = GradMode.noGrad()) {
            tdError = qCur.detach().sub(y).abs().amax(0);
        }
        return new LossTerm(reduce(perElement, td), Map.of("td_error", tdError));
    }

    private LossTerm actorTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        targetEntropy.resolve(action, td.batchDims());
        Tensor alpha = temperature.alpha();
        SampleAndLogProb drawn;
        try (GradMode.Scope s = InteractionType.set(InteractionType.RANDOM)) {
            drawn = PolicyDistribution.of(actor, params(ACTOR_NETWORK), NetworkInputs.of(this, td, false, actor.inKeys())).rsampleAndLogProb(randomSource());
        }
        EnsembleModule critics = ensemble(QVALUE_NETWORK);
        TensorDict in = NetworkInputs.of(this, td, false, critics.member().inKeys(), key("action"), drawn.sample());
        Tensor minQ;
        critics.eval();
        try {
            minQ = callEnsemble(QVALUE_NETWORK, params(QVALUE_NETWORK).detach(), in, EnsembleModule.Layout.SHARED).get(key("state_action_value"))
                    .squeeze(-1).amin(0);
        } finally {
            critics.train(true);
        }
        Tensor perElement = alpha.mul(drawn.logProb()).sub(minQ);
        return new LossTerm(reduce(perElement, td), Map.of("log_prob", drawn.logProb().detach()));
    }

    private Tensor alphaTerm(Tensor logProb, TensorDict td) {
        return reduce(temperature.lossElements(logProb.detach(), targetEntropy.value()), td);
    }

    /**
     * A batch-norm layer in training mode updates its running statistics in place, which cannot
     * happen inside vmap: refuse it up front with the way out, rather than fail deep in the engine.
     */
    private void refuseTrainingBatchNormInVmap(EnsembleModule critics) {
        if (deactivateVmap()) return;
        for (Object m : critics.member().modules()) {
            if (m instanceof BatchNorm1d bn && bn.isTraining()) {
                throw new IllegalStateException("CrossQLoss: the critic holds a BatchNorm1d in training mode, whose running statistics cannot be updated "
                        + "inside vmap; call setDeactivateVmap(true) (or build with deactivateVmap(true)) to evaluate the members in a loop");
            }
        }
    }

    private static double failAuto() {
        throw new IllegalStateException("CrossQLoss.alphaLoss: target_entropy is \"auto\" and no action was seen yet; give actionShape or a target entropy");
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase critic;
        private final List<TensorDictModuleBase> critics;
        private Integer numQvalueNets;
        private Distance lossFunction = Distance.SMOOTH_L1;
        private double alphaInit = 1.0;
        private Double minAlpha;
        private Double maxAlpha;
        private int[] actionShape;
        private boolean fixedAlpha;
        private Double targetEntropy;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private boolean deactivateVmap;
        private ScalarOutputMode scalarOutputMode;
        private Generator generator;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, List<TensorDictModuleBase> critics) {
            this.actor = Objects.requireNonNull(actor, "CrossQLoss: the actor is null");
            this.critic = critic;
            this.critics = critics;
        }

        /** The ensemble size N (default 2); with a list of critics it must equal the list's size. */
        public Builder numQvalueNets(int n) { this.numQvalueNets = n; return this; }

        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        public Builder alphaInit(double alphaInit) { this.alphaInit = alphaInit; return this; }

        /** The lower bound of α (default none). */
        public Builder minAlpha(Double minAlpha) { this.minAlpha = minAlpha; return this; }

        /** The upper bound of α (default none). */
        public Builder maxAlpha(Double maxAlpha) { this.maxAlpha = maxAlpha; return this; }

        /** The action spec's shape (without batch dims): "auto" is resolved at construction. */
        public Builder actionShape(int... shape) { this.actionShape = shape == null ? null : shape.clone(); return this; }

        public Builder fixedAlpha(boolean fixed) { this.fixedAlpha = fixed; return this; }

        /** An explicit target entropy (default: "auto"). */
        public Builder targetEntropy(double h) { this.targetEntropy = h; return this; }

        /** The automatic target entropy (the default). */
        public Builder targetEntropyAuto() { this.targetEntropy = null; return this; }

        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** A loop over the members instead of vmap (default false; needed for batch-norm critics in training mode). */
        public Builder deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return this; }

        public Builder scalarOutputMode(String mode) { this.scalarOutputMode = ScalarOutputMode.parse(mode); return this; }

        /** Where the re-drawn critic copies come from (default: the global generator). */
        public Builder generator(Generator generator) { this.generator = generator; return this; }

        public CrossQLoss build() { return new CrossQLoss(this); }
    }

    @Override
    public String toString() {
        return "CrossQLoss(num_qvalue_nets=" + numQvalueNets + ", loss_function=" + lossFunction.alias() + ", target_entropy="
                + targetEntropy + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT)
                + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
