package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Categorical;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.MaskedCategorical;
import org.rlgrad.engine.distributions.MaskedOneHotCategorical;
import org.rlgrad.engine.distributions.OneHotCategorical;
import org.rlgrad.engine.modules.ActionSpace;
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
 * Soft actor-critic for discrete actions (spec losses.md §2.5; Christodoulou 2019, "Soft
 * Actor-Critic for Discrete Action Settings"). Every expectation over actions is exact, so the loss
 * draws nothing.
 *
 * <p>Networks: a categorical actor π whose distribution gives the class probabilities {@code p}
 * and the normalised log-probabilities {@code ℓ = log p} (Categorical, OneHotCategorical or their
 * masked forms), and an ensemble of {@code N} critics {@code Q_i(s, ·)} writing one value per
 * action at {@code action_value} (e.g. Q-value actors), evaluated in one vmap on copies of the data
 * (a Q-value actor also writes a greedy {@code action}; the caller's {@code action} is never
 * touched). α is detached where it multiplies; {@code H̄} is the target entropy.
 *
 * <ol>
 *   <li>target, without gradient: {@code p'} from the online actor at {@code s'},
 *       {@code ℓ' = ln(where(p' = 0, 1e-8, p'))},
 *       {@code v' = Σ_a p'_a (min_i Q_θ̄i(s', a) − α ℓ'_a)} {@code [B, 1]},
 *       {@code y = value_estimate(td with ("next", value) = v')} — with TD(0)
 *       {@code y = r + γⁿ (1 − term) v'};</li>
 *   <li>{@code q_i = Q_θi(s, a_data)} (a gather for categorical actions, {@code Σ Q_i · a} for
 *       one-hot ones); {@code loss_qvalue = red(Σ_i d(q_i, y))}; priority {@code max_i |q_i − y|} {@code [B]};</li>
 *   <li>{@code p, ℓ} at {@code s}; {@code loss_actor = red(Σ_a p_a (α ℓ_a − min_i Q_sg(θi)(s, a)))};
 *       {@code lp = sg(Σ_a p_a ℓ_a)} (minus the policy entropy);</li>
 *   <li>{@code loss_alpha = red(−log_alpha (lp + H̄))}; metrics {@code alpha} and
 *       {@code entropy = −mean(lp)}.</li>
 * </ol>
 * With {@code skipDoneStates} the next states whose {@code done} is true are fed to no network: they
 * get {@code v' = 0}, and the others use the distribution's normalised logits as {@code ℓ'}.
 *
 * <p>Target entropy "auto" (the default) is {@code H̄ = −w ln(1/nA) = w ln nA} with
 * {@code w = targetEntropyWeight} (0.98): a <em>positive</em> number, kept from the reference
 * (spec §4 item 6), which needs {@code numActions}. Gradients: {@code loss_actor → θπ} (through
 * {@code p} and {@code ℓ}), {@code loss_qvalue → θQ}, {@code loss_alpha → log_alpha}; never a
 * target tree. α is clamped in place whenever it is read (spec §1.10). Estimators: TD0 (default),
 * TD1, TDLambda, without a network (they read {@code ("next", value)}).
 */
public final class DiscreteSACLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(DiscreteSACLoss.class.getName());

    /** The name of the actor's parameter tree. */
    public static final String ACTOR = "actor";
    /** The name of the critics' stacked parameter tree. */
    public static final String QVALUE = "qvalue";

    private static final List<String> SCALAR_METRICS = List.of("alpha", "entropy");

    private final ProbabilisticTensorDictSequential actor;
    private final ActionSpace actionSpace;
    private final Integer numActions;
    private final int numQvalueNets;
    private final Distance lossFunction;
    private final EntropyTemperature temperature;
    private final double targetEntropy;
    private final boolean delayQvalue;
    private final boolean skipDoneStates;
    private final ScalarOutputMode scalarOutputMode;
    private boolean warnedScalarOutput;

    private DiscreteSACLoss(Builder b) {
        super("DiscreteSACLoss", keyDefaults());
        this.actor = b.actor;
        if (b.actionSpace == null) {
            LOG.log(System.Logger.Level.WARNING, "DiscreteSACLoss: no action space given; using one_hot");
        }
        this.actionSpace = b.actionSpace == null ? ActionSpace.ONE_HOT : b.actionSpace;
        this.numActions = b.numActions;
        this.lossFunction = b.lossFunction;
        this.delayQvalue = b.delayQvalue;
        this.skipDoneStates = b.skipDoneStates;
        this.scalarOutputMode = b.scalarOutputMode;
        if (b.targetEntropy != null) {
            this.targetEntropy = b.targetEntropy;
        } else {
            if (numActions == null) {
                throw new IllegalArgumentException("DiscreteSACLoss: target_entropy=auto needs num_actions (H̄ = w·ln(num_actions)); pass numActions or an "
                        + "explicit targetEntropy");
            }
            this.targetEntropy = -b.targetEntropyWeight * Math.log(1.0 / numActions);
        }
        setReduction(b.reduction);
        setPrioritizedWeights(b.prioritizedWeights);
        setDeactivateVmap(b.deactivateVmap);
        recordSeparateLosses(b.separateLosses);

        TensorDict actorParams = registerNetwork(ACTOR, actor, false);
        registerEnsemble(QVALUE, b.qvalue, b.qvalueMembers, b.numQvalueNets, 2, delayQvalue, b.separateLosses ? trainableTensors(ACTOR) : List.of(),
                b.generator);
        this.numQvalueNets = ensemble(QVALUE).size();
        DType dtype = actorParams.leaves().values().stream().findFirst().map(Tensor::dtype).orElse(DType.FLOAT32);
        this.temperature = new EntropyTemperature(b.alphaInit, b.minAlpha, b.maxAlpha, b.fixedAlpha, dtype);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action", "action");
        k.put("value", "state_value");
        k.put("action_value", "action_value");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("log_prob", "log_prob");
        k.put("priority_weight", "priority_weight");
        return k;
    }

    /** Over one critic, grown into {@code numQvalueNets} re-drawn copies (spec §1.3). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase qvalue) {
        return new Builder(actor, Objects.requireNonNull(qvalue, "DiscreteSACLoss: the qvalue network is null"), null);
    }

    /** Over the given critics, stacked as they are. */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> qvalues) {
        Objects.requireNonNull(qvalues, "DiscreteSACLoss: the qvalue networks are null");
        if (qvalues.isEmpty()) throw new IllegalArgumentException("DiscreteSACLoss: expected at least one qvalue network, got none");
        return new Builder(actor, null, List.copyOf(qvalues));
    }

    public ActionSpace actionSpace() { return actionSpace; }

    public Integer numActions() { return numActions; }

    public int numQvalueNets() { return numQvalueNets; }

    public Distance lossFunction() { return lossFunction; }

    public boolean delayQvalue() { return delayQvalue; }

    public boolean skipDoneStates() { return skipDoneStates; }

    public double targetEntropy() { return targetEntropy; }

    public EntropyTemperature temperature() { return temperature; }

    public Tensor logAlpha() { return temperature.logAlpha(); }

    /** α after clamping, detached. */
    public Tensor alpha() { return temperature.alpha(); }

    public ProbabilisticTensorDictSequential actor() { return actor; }

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
    protected boolean supportsPrioritizedWeights() { return true; }

    // ------------------------------------------------------------------ forward

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        TensorDict out = new TensorDict();
        out.set("loss_qvalue", qvalueTerm(td));
        Tensor[] actor = actorTerm(td);
        out.set("loss_actor", actor[0]);
        out.set("loss_alpha", alphaTerm(td, actor[1]));
        out.set("alpha", temperature.alpha());
        out.set("entropy", actor[1].mean().neg());
        warnedScalarOutput = ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, warnedScalarOutput);
        return out;
    }

    /** {@code loss_qvalue}; writes the priority into {@code td}. */
    public LossTerm qvalueLoss(TensorDict td) {
        return inSamplingMode(() -> {
            Tensor loss = qvalueTerm(td);
            return new LossTerm(loss, Map.of("td_error", td.get(key("priority"))));
        });
    }

    /** {@code loss_actor}; metadata {@code log_prob}: {@code sg(Σ_a p_a ℓ_a)} {@code [B]}, for {@link #alphaLoss}. */
    public LossTerm actorLoss(TensorDict td) {
        return inSamplingMode(() -> {
            Tensor[] t = actorTerm(td);
            return new LossTerm(t[0], Map.of("log_prob", t[1]));
        });
    }

    /** {@code loss_alpha} from {@code lp = Σ_a p_a ℓ_a} ({@link #actorLoss}'s metadata). */
    public LossTerm alphaLoss(TensorDict td, Tensor logProb) {
        return inSamplingMode(() -> new LossTerm(alphaTerm(td, logProb.detach()), Map.of()));
    }

    // ------------------------------------------------------------------ the terms

    private Tensor qvalueTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        Tensor y = target(td);
        Tensor values = actionValues(params(QVALUE), td);
        Tensor q = ChosenActionValue.ofEnsemble(actionSpace, values, action);
        Tensor yN = y.unsqueeze(0).expand(q.shape());
        try (GradMode.Scope g = GradMode.noGrad()) {
            td.set(key("priority"), q.detach().sub(yN).abs().amax(0));
        }
        return reduce(lossFunction.apply(q, yN).sum(0), td);
    }

    /** {@code y} ({@code [B]}, no gradient): the exact soft value of the next state under the online actor and the target critics. */
    private Tensor target(TensorDict td) {
        TensorDict work = td.copy();
        Tensor nextValue;
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor alpha = temperature.alpha();
            TensorDict next = td.nextView().copy();
            if (!skipDoneStates) {
                Tensor[] pl = probsAndLogProbs(PolicyDistribution.of(actor, params(ACTOR), next));
                Tensor p = pl[0], logP = Tensor.where(p.eq(0.0), 1e-8, p).log();
                nextValue = softValue(p, logP, actionValues(targetParams(QVALUE), next), alpha);
            } else {
                nextValue = liveNextValue(td, next, alpha);
            }
        }
        work.set(key("value").prepend("next"), nextValue);
        return valueEstimator().valueEstimate(work, null, null, null).squeeze(-1).detach();
    }

    /**
     * {@code skip_done_states}: {@code v'} of the next states that are not done, from the
     * distribution's normalised logits as {@code ℓ'}; 0 for the done ones, which no network sees.
     */
    private Tensor liveNextValue(TensorDict td, TensorDict next, Tensor alpha) {
        Tensor done = require(td, key("done").prepend("next"));
        Tensor live = (done.dtype() == DType.BOOL ? done : done.ne(0.0)).reshape(next.batchSize()).logicalNot();
        boolean allLive = live.all().item() != 0;
        Tensor nextValue = alpha.newZeros(alpha.dtype(), Shape.concat(next.batchSize(), new int[] {1}));
        if (!allLive && live.any().item() == 0) return nextValue;
        TensorDict kept = allLive ? next : next.mask(live);
        Tensor[] pl = probsAndLogProbs(PolicyDistribution.of(actor, params(ACTOR), kept));
        Tensor v = softValue(pl[0], pl[1], actionValues(targetParams(QVALUE), kept), alpha);
        return allLive ? v : nextValue.to(v.dtype()).maskedScatter(live.unsqueeze(-1), v);
    }

    /** {@code Σ_a p_a (min_i Q_i(·, a) − α ℓ_a)} as {@code [B, 1]}. */
    private static Tensor softValue(Tensor p, Tensor logP, Tensor values, Tensor alpha) {
        return p.mul(values.min(0, false).values().sub(logP.mul(alpha))).sum(-1, true);
    }

    private Tensor[] actorTerm(TensorDict td) {
        Tensor[] pl = probsAndLogProbs(PolicyDistribution.of(actor, params(ACTOR), td));
        Tensor p = pl[0], logP = pl[1];
        Tensor minQ = actionValues(params(QVALUE).detach(), td).min(0, false).values();
        Tensor perSample = p.mul(logP.mul(temperature.alpha()).sub(minQ)).sum(-1);
        Tensor lp;
        try (GradMode.Scope g = GradMode.noGrad()) {
            lp = p.mul(logP).sum(-1).detach();
        }
        return new Tensor[] {reduce(perSample, td), lp};
    }

    private Tensor alphaTerm(TensorDict td, Tensor lp) {
        return reduce(temperature.lossElements(lp, targetEntropy), td);
    }

    /** The critics' per-action values {@code [N, *B, nA]} on a copy of {@code td} (their own writes, e.g. a greedy action, stay in the copy). */
    private Tensor actionValues(TensorDict params, TensorDict td) {
        return callEnsemble(QVALUE, params, td.copy(), EnsembleModule.Layout.SHARED).get(key("action_value"));
    }

    /** {@code [p, ℓ]}: the class probabilities and normalised log-probabilities of a categorical distribution. */
    private static Tensor[] probsAndLogProbs(Distribution d) {
        return switch (d) {
            case Categorical c -> new Tensor[] {c.probs(), c.logits()};
            case OneHotCategorical c -> new Tensor[] {c.probs(), c.logits()};
            case MaskedCategorical c -> new Tensor[] {c.probs(), c.logits()};
            case MaskedOneHotCategorical c -> new Tensor[] {c.probs(), c.logits()};
            default -> throw new IllegalArgumentException("DiscreteSACLoss: expected the actor's distribution to be categorical (Categorical, OneHotCategorical "
                    + "or a masked one), got " + d.getClass().getSimpleName());
        };
    }

    @Override
    public String toString() {
        return "DiscreteSACLoss(num_qvalue_nets=" + numQvalueNets + ", action_space=" + actionSpace + ", loss_function=" + lossFunction.alias()
                + ", target_entropy=" + targetEntropy + ", delay_qvalue=" + delayQvalue + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT)
                + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase qvalue;
        private final List<TensorDictModuleBase> qvalueMembers;
        private ActionSpace actionSpace;
        private Integer numActions;
        private Integer numQvalueNets;
        private Distance lossFunction = Distance.SMOOTH_L1;
        private double alphaInit = 1.0;
        private Double minAlpha;
        private Double maxAlpha;
        private boolean fixedAlpha;
        private double targetEntropyWeight = 0.98;
        private Double targetEntropy;
        private boolean delayQvalue = true;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private boolean skipDoneStates;
        private boolean deactivateVmap;
        private PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;
        private ScalarOutputMode scalarOutputMode;
        private Generator generator;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase qvalue, List<TensorDictModuleBase> members) {
            this.actor = Objects.requireNonNull(actor, "DiscreteSACLoss: the actor network is null");
            this.qvalue = qvalue;
            this.qvalueMembers = members;
        }

        /** How the data's action is encoded (null: one_hot, with a warning). */
        public Builder actionSpace(ActionSpace space) { this.actionSpace = space; return this; }

        public Builder actionSpace(String name) { return actionSpace(name == null ? null : ActionSpace.parse(name)); }

        /** The number of actions nA (needed by the "auto" target entropy). */
        public Builder numActions(Integer n) {
            if (n != null && n <= 0) throw new IllegalArgumentException("DiscreteSACLoss: num_actions must be positive, got " + n);
            this.numActions = n;
            return this;
        }

        public Builder numQvalueNets(int n) {
            if (n <= 0) throw new IllegalArgumentException("DiscreteSACLoss: num_qvalue_nets must be positive, got " + n);
            this.numQvalueNets = n;
            return this;
        }

        /** The distance of the critic loss (default smooth_l1). */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        public Builder alphaInit(double alpha) { this.alphaInit = alpha; return this; }

        public Builder minAlpha(Double min) { this.minAlpha = min; return this; }

        public Builder maxAlpha(Double max) { this.maxAlpha = max; return this; }

        public Builder fixedAlpha(boolean fixed) { this.fixedAlpha = fixed; return this; }

        /** w of the "auto" target entropy {@code w·ln(nA)} (default 0.98). */
        public Builder targetEntropyWeight(double w) { this.targetEntropyWeight = w; return this; }

        /** An explicit target entropy (default "auto"). */
        public Builder targetEntropy(double h) { this.targetEntropy = h; return this; }

        public Builder targetEntropyAuto() { this.targetEntropy = null; return this; }

        /** A delayed copy of the critics (default true). */
        public Builder delayQvalue(boolean delay) { this.delayQvalue = delay; return this; }

        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** Feed no network the next states whose done is true; they get v' = 0 (default false). */
        public Builder skipDoneStates(boolean skip) { this.skipDoneStates = skip; return this; }

        public Builder deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return this; }

        public Builder prioritizedWeights(PrioritizedWeights mode) { this.prioritizedWeights = Objects.requireNonNull(mode, "prioritizedWeights"); return this; }

        public Builder scalarOutputMode(ScalarOutputMode mode) { this.scalarOutputMode = mode; return this; }

        public Builder scalarOutputMode(String mode) { return scalarOutputMode(ScalarOutputMode.parse(mode)); }

        /** Where the re-drawn critic copies come from when one critic is given (default the global generator). */
        public Builder generator(Generator g) { this.generator = g; return this; }

        public DiscreteSACLoss build() { return new DiscreteSACLoss(this); }
    }
}
