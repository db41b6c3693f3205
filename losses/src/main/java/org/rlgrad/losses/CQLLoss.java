package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * Continuous conservative Q-learning, CQL(H) with a SAC-style actor (spec losses.md §2.10; Kumar,
 * Zhou, Tucker and Levine, "Conservative Q-Learning for Offline Reinforcement Learning", NeurIPS
 * 2020, arXiv:2006.04779).
 *
 * <p>Networks: a stochastic actor π_θ (a {@link ProbabilisticTensorDictSequential}, e.g. a
 * TanhNormal policy) and exactly two critics {@code Q_1, Q_2} ({@code state_action_value}) held as
 * one ensemble and evaluated in one vmap, with delayed target copies {@code Q̄_i} by default.
 * Actor parameters shared with the critics are always detached inside the critics. α is the
 * entropy temperature of spec §1.10 ({@link EntropyTemperature}: reading it clamps
 * {@code log_alpha} in place when bounds are given). Notation: {@code w} = {@code min_q_weight},
 * {@code T} = {@code temperature}, {@code R} = {@code num_random}, {@code d_a} = the action's last
 * dim, {@code κ} = {@code lagrange_thresh}, {@code red} = the reduction of spec §1.8.
 *
 * <p>{@code P(states)} ("R policy samples"): every row of the inputs repeated R times consecutively,
 * actions drawn with {@code rsample} from π with detached parameters, no gradient, with their
 * log-probabilities {@code ℓ}.
 *
 * <ol>
 *   <li><b>Q loss.</b> No gradient reaches any parameter through the target. Default:
 *       {@code a' ~ π_sg(θ)(·|s')}, {@code v' = min_i Q̄_i(s', a')}, minus {@code α·ℓ'} only when
 *       {@code deterministic_backup = false} (by default there is <em>no entropy term</em> in the
 *       target). With {@code max_q_backup}: {@code v' = min_i max_R Q̄_i} over {@code P(s')} (never an
 *       entropy term; the first draw is still made, and unused). {@code y = value_estimate(v')} (TD(0):
 *       {@code r + γⁿ(1 − term) v'}); {@code q_i = Q_i(s, a)} are written as {@code pred_q1}, {@code pred_q2}
 *       {@code [*B, 1]} (with history); {@code loss_qvalue = red(Σ_i d(q_i, y))}; the priority
 *       {@code max_i (q_i − y)²} {@code [*B]} is written, detached.</li>
 *   <li><b>Conservative term</b> (CQL(H) with importance sampling, Kumar et al. §3.2 and appendix F).
 *       For each state {@code s}, {@code log Σ_a exp Q(s, a)} is estimated from 3R sampled actions,
 *       each corrected by the log-density of the distribution that proposed it: R uniform actions in
 *       {@code [−1, 1]^{d_a}} (density {@code 0.5^{d_a}}, so {@code ρ = d_a·ln 0.5}), R actions of
 *       {@code π(·|s)} and R actions of {@code π(·|s')} (log-probabilities {@code ℓ_c}, {@code ℓ_n}, detached),
 *       <em>all scored at the state s</em>:
 *       <pre>
 *   lse_i(s) = T · w · logsumexp_{3R}( [Q_i(s, u_r) − ρ, Q_i(s, c_r) − ℓ_c,r, Q_i(s, x_r) − ℓ_n,r] / T )
 *   gap_i(s) = lse_i(s) − w · Q_i(s, a_data)</pre>
 *       {@code cql_q1_loss}, {@code cql_q2_loss} = {@code gap_1}, {@code gap_2}, shape {@code [*B]} (one gap per
 *       state, with history); {@code loss_cql = red(gap_1 + gap_2)}. As in the authors' code, the sum
 *       is not divided by 3R (a constant {@code T·w·ln 3R} that moves no gradient).</li>
 *   <li><b>Lagrange</b> ({@code with_lagrange}, the paper's CQL-Lagrange): a trainable
 *       {@code log_alpha_prime = 0}, {@code α′ = min(exp(log_alpha_prime), 1e6)}. The critics minimise
 *       {@code α′·(gap − κ)} with α′ held fixed: {@code loss_cql = red(sg(α′)·(gap_1 + gap_2 − 2κ))}; α′
 *       maximises it: {@code loss_alpha_prime = −½·α′·((sg(c_1) − κ) + (sg(c_2) − κ))}, {@code c_i} the
 *       mask-aware mean of {@code gap_i}. So {@code loss_alpha_prime} trains {@code log_alpha_prime} only and
 *       sends no gradient into the critics.</li>
 *   <li><b>BC actor loss</b>: {@code (ã, ℓ̃) ~ π_θ(·|s)} (rsample), {@code loss_actor_bc = red(α·ℓ̃ − log π_θ(a_data|s))}.</li>
 *   <li><b>Actor loss</b>: a fresh {@code (ã, ℓ)}; {@code loss_actor = red(α·ℓ − min_i Q_sg(i)(s, ã))} (critic
 *       parameters detached).</li>
 *   <li><b>Alpha loss</b>: {@code loss_alpha = red(−log_alpha·(sg(ℓ) + H̄))}; metrics {@code alpha} and
 *       {@code entropy = −mean(sg ℓ)}.</li>
 * </ol>
 * Gradients: {@code loss_actor}, {@code loss_actor_bc} → actor only; {@code loss_qvalue},
 * {@code loss_cql} → critics only; {@code loss_alpha} → {@code log_alpha}; {@code loss_alpha_prime}
 * → {@code log_alpha_prime}.
 *
 * <p><b>{@link Builder#referenceCompat(boolean) referenceCompat(true)}</b> reproduces TorchRL's
 * numbers, including its known deviation (DECISIONS.md rule 3): the next-state policy actions are
 * scored at {@code s'}; the log-sum-exp runs over the 3 candidates of each <em>repeated row</em>
 * ({@code lse_i} of shape {@code [B·R]}), and {@code cql_i = lse_i[None, :] − w·q_i} broadcasts to
 * {@code [B, B·R]} (stored so, as {@code cql_q1_loss}/{@code cql_q2_loss});
 * {@code loss_cql = red(mean_last(cql_1 + cql_2))} is never multiplied by α′; and
 * {@code loss_alpha_prime = −½·α′·((c_1 − κ) + (c_2 − κ))} is not detached, so it also sends
 * (negative) gradient into the critics.
 *
 * <p>Randomness, in order, all from {@link #randomSource()}: the target next-action draw
 * {@code [*B, d_a]}; with {@code max_q_backup} the {@code [B·R, d_a]} draw of {@code P(s')}; the
 * uniform actions {@code [B·R, d_a]} ({@code Tensor.uniform_}); the current-state draws of
 * {@code P(s)} {@code [B·R, d_a]}; the next-state draws of {@code P(s')}; the BC draw; the actor draw.
 *
 * <p>Options (defaults): {@code loss_function = smooth_l1}, {@code alpha_init = 1}, {@code min_alpha},
 * {@code max_alpha} (none), {@code fixed_alpha = false}, {@code target_entropy = auto} ({@code −Π}
 * of the action shape given by {@link Builder#actionShape}, else read off the first batch's action,
 * rlgrad's choice where the reference asks for a spec), {@code delay_actor = false} (the copy is
 * kept but, as in the reference, CQL always samples with the online actor),
 * {@code delay_qvalue = true}, {@code temperature = 1}, {@code min_q_weight = 1},
 * {@code max_q_backup = false}, {@code deterministic_backup = true}, {@code num_random = 10},
 * {@code with_lagrange = false}, {@code lagrange_thresh = 0}, {@code reduction = mean},
 * {@code deactivate_vmap = false}, {@code scalar_output_mode} (with {@code reduction = none}:
 * {@code exclude}, the default after a warning, drops {@code alpha} and {@code entropy};
 * {@code non_tensor} keeps them as 0-d entries). Estimators: TD0 (default), TD1, TDLambda; no
 * value network (the loss supplies {@code v'}).
 */
public final class CQLLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(CQLLoss.class.getName());
    private static final List<String> SCALAR_METRICS = List.of("alpha", "entropy");

    /** The actor's parameter tree ({@code actor_network_params} in TorchRL). */
    public static final String ACTOR = "actor";
    /** The critic ensemble's parameter tree ({@code qvalue_network_params}). */
    public static final String QVALUE = "qvalue";
    /** CQL's critics come in a pair. */
    public static final int NUM_QVALUE_NETS = 2;
    /** The cap on α′ = exp(log_alpha_prime). */
    public static final double MAX_ALPHA_PRIME = 1e6;

    private final ProbabilisticTensorDictSequential actor;
    private final Distance lossFunction;
    private final EntropyTemperature alpha;
    private final Tensor logAlphaPrime;
    private final double temperature;
    private final double minQWeight;
    private final boolean maxQBackup;
    private final boolean deterministicBackup;
    private final int numRandom;
    private final boolean withLagrange;
    private final double lagrangeThresh;
    private final boolean referenceCompat;
    private final boolean delayActor;
    private final boolean delayQvalue;
    private final ScalarOutputMode scalarOutputMode;
    private final TargetEntropy targetEntropy;

    private CQLLoss(Builder b) {
        super("CQLLoss", keyDefaults());
        if (b.numRandom <= 0) throw new IllegalArgumentException("CQLLoss: num_random must be positive, got " + b.numRandom);
        if (!(b.temperature > 0)) throw new IllegalArgumentException("CQLLoss: temperature must be positive, got " + b.temperature);
        this.actor = b.actor;
        this.lossFunction = b.lossFunction;
        this.temperature = b.temperature;
        this.minQWeight = b.minQWeight;
        this.maxQBackup = b.maxQBackup;
        this.deterministicBackup = b.deterministicBackup;
        this.numRandom = b.numRandom;
        this.withLagrange = b.withLagrange;
        this.lagrangeThresh = b.lagrangeThresh;
        this.referenceCompat = b.referenceCompat;
        this.delayActor = b.delayActor;
        this.delayQvalue = b.delayQvalue;
        setReduction(b.reduction);
        setDeactivateVmap(b.deactivateVmap);
        if (b.reduction == Reduction.NONE && b.scalarOutputMode == null) {
            LOG.log(System.Logger.Level.WARNING, "CQLLoss: reduction=none cannot hold the scalar metrics alpha and entropy in a per-sample output; "
                    + "they are excluded (pass scalarOutputMode EXCLUDE to silence this, or NON_TENSOR to keep them)");
        }
        this.scalarOutputMode = b.scalarOutputMode == null ? ScalarOutputMode.EXCLUDE : b.scalarOutputMode;

        registerNetwork(ACTOR, actor, delayActor);
        if (b.critics != null) {
            if (b.critics.size() != NUM_QVALUE_NETS) {
                throw new IllegalArgumentException("CQLLoss: expected exactly " + NUM_QVALUE_NETS + " critics, got " + b.critics.size());
            }
            // Stacking copies the members' tensors, so a tensor shared with the actor is not trained through the critics.
            registerEnsemble(QVALUE, b.critics, delayQvalue);
        } else {
            registerEnsemble(QVALUE, b.critic, NUM_QVALUE_NETS, delayQvalue, trainableTensors(ACTOR), b.generator != null ? b.generator : Generator.global());
        }
        var dtype = params(ACTOR).leaves().values().iterator().next().dtype();
        this.alpha = new EntropyTemperature(b.alphaInit, b.minAlpha, b.maxAlpha, b.fixedAlpha, dtype);
        this.logAlphaPrime = withLagrange ? Tensor.scalar(0.0, dtype).requiresGrad(true) : null;
        this.targetEntropy = new TargetEntropy(b.targetEntropy, b.actionShape);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action", "action");
        k.put("value", "state_value");
        k.put("state_action_value", "state_action_value");
        k.put("log_prob", "_log_prob");
        k.put("pred_q1", "pred_q1");
        k.put("pred_q2", "pred_q2");
        k.put("priority", "td_error");
        k.put("cql_q1_loss", "cql_q1_loss");
        k.put("cql_q2_loss", "cql_q2_loss");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        return k;
    }

    /** A loss whose two critics are grown from {@code critic} (spec §1.3: each parameter re-drawn twice in its own [min, max]). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(Objects.requireNonNull(actor, "CQLLoss: the actor is null"), Objects.requireNonNull(critic, "CQLLoss: the critic is null"), null);
    }

    /** A loss over the given two critics (their current parameters stacked, member k = {@code critics.get(k)}). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> critics) {
        return new Builder(Objects.requireNonNull(actor, "CQLLoss: the actor is null"), null, List.copyOf(Objects.requireNonNull(critics, "CQLLoss: the critics are null")));
    }

    // ------------------------------------------------------------------ accessors

    public Distance lossFunction() { return lossFunction; }

    public double temperature() { return temperature; }

    public double minQWeight() { return minQWeight; }

    public boolean maxQBackup() { return maxQBackup; }

    public boolean deterministicBackup() { return deterministicBackup; }

    public int numRandom() { return numRandom; }

    public boolean withLagrange() { return withLagrange; }

    public double lagrangeThresh() { return lagrangeThresh; }

    /** Whether the loss reproduces TorchRL's conservative term and α′ gradient (DECISIONS.md rule 3). */
    public boolean referenceCompat() { return referenceCompat; }

    public ScalarOutputMode scalarOutputMode() { return scalarOutputMode; }

    /** The entropy temperature: {@code log_alpha}, its bounds and the in-place clamp. */
    public EntropyTemperature entropyTemperature() { return alpha; }

    /** The trainable {@code log_alpha}. */
    public Tensor logAlpha() { return alpha.logAlpha(); }

    /** The trainable {@code log_alpha_prime} (only {@link #withLagrange()}; else an error). */
    public Tensor logAlphaPrime() {
        if (logAlphaPrime == null) throw new IllegalStateException("CQLLoss: log_alpha_prime exists only with with_lagrange=true");
        return logAlphaPrime;
    }

    /** H̄, or null while {@code auto} waits for the first batch's action. */
    public Double targetEntropy() { return targetEntropy.value(); }

    /** The actor the loss samples from. */
    public ProbabilisticTensorDictSequential actor() { return actor; }

    /** {@code log_alpha} (unless fixed), then {@code log_alpha_prime} (with Lagrange). */
    @Override
    protected List<Tensor> ownParameters() {
        List<Tensor> out = new ArrayList<>(alpha.trainableTensors());
        if (logAlphaPrime != null) out.add(logAlphaPrime);
        return out;
    }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    // ------------------------------------------------------------------ the loss

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        LossTerm q = qTerm(td);
        LossTerm cql = cqlTerm(td);
        LossTerm alphaPrimeTerm = withLagrange ? alphaPrimeTerm(td) : null;
        LossTerm bc = actorBcTerm(td);
        LossTerm actorTerm = actorTerm(td);
        LossTerm alphaTerm = alphaTerm(td, actorTerm.metric("log_prob"));

        TensorDict out = new TensorDict();
        out.set("loss_actor", actorTerm.loss());
        out.set("loss_actor_bc", bc.loss());
        out.set("loss_qvalue", q.loss());
        out.set("loss_cql", cql.loss());
        out.set("loss_alpha", alphaTerm.loss());
        if (withLagrange) out.set("loss_alpha_prime", alphaPrimeTerm.loss());
        out.set("alpha", alphaTerm.metric("alpha"));
        out.set("entropy", alphaTerm.metric("entropy"));
        // Never null here: the constructor warned once and chose EXCLUDE.
        ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, true);
        return out;
    }

    // ------------------------------------------------------------------ components (spec §1.1), in forward's order

    /**
     * {@code loss_qvalue} (step 1): draws the target's next action (and with max-Q backup the R
     * actions per next state); writes {@code pred_q1}, {@code pred_q2} (with history) and the
     * priority into {@code td}. Metadata: {@code td_error} {@code [*B]}.
     */
    public LossTerm qvalueLoss(TensorDict td) { return inSamplingMode(() -> qTerm(td)); }

    /**
     * {@code loss_cql} (step 2) from the {@code pred_q1}/{@code pred_q2} that {@link #qvalueLoss}
     * wrote: draws the uniform actions, then the current- and next-state policy actions; writes the
     * gaps {@code cql_q1_loss}, {@code cql_q2_loss} into {@code td}. No metadata.
     */
    public LossTerm cqlLoss(TensorDict td) { return inSamplingMode(() -> cqlTerm(td)); }

    /** {@code loss_alpha_prime} (step 3, Lagrange variant only) from the gaps that {@link #cqlLoss} wrote. No metadata. */
    public LossTerm alphaPrimeLoss(TensorDict td) {
        if (!withLagrange) throw new IllegalStateException("CQLLoss.alphaPrimeLoss: the loss was built without withLagrange, so it has no α′");
        return inSamplingMode(() -> alphaPrimeTerm(td));
    }

    /** {@code loss_actor_bc} (step 4): one draw at the current state. No metadata. */
    public LossTerm actorBcLoss(TensorDict td) { return inSamplingMode(() -> actorBcTerm(td)); }

    /** {@code loss_actor} (step 5): one draw at the current state. Metadata: {@code log_prob}, detached {@code [*B]}. */
    public LossTerm actorLoss(TensorDict td) { return inSamplingMode(() -> actorTerm(td)); }

    /** {@code loss_alpha} (step 6) for the actor's detached {@code logProb}. Metadata: {@code alpha}, {@code entropy}. */
    public LossTerm alphaLoss(TensorDict td, Tensor logProb) { return inSamplingMode(() -> alphaTerm(td, logProb)); }

    private LossTerm qTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        Tensor y = target(td, alpha.alpha());
        Tensor q = criticValues(params(QVALUE), criticInputs(td, action));
        td.set(key("pred_q1"), q.select(0, 0));
        td.set(key("pred_q2"), q.select(0, 1));
        Tensor qs = q.squeeze(-1);
        Tensor loss = reduce(lossFunction.apply(qs, y.unsqueeze(0).expandAs(qs)).sum(0), td);
        Tensor priority;
        try (GradMode.Scope g = GradMode.noGrad()) {
            priority = qs.detach().sub(y).square().amax(0);
        }
        td.set(key("priority"), priority);
        return new LossTerm(loss, Map.of("td_error", priority));
    }

    private LossTerm cqlTerm(TensorDict td) {
        Conservative c = conservative(td, require(td, key("action")), require(td, key("pred_q1")), require(td, key("pred_q2")));
        td.set(key("cql_q1_loss"), c.gap1());
        td.set(key("cql_q2_loss"), c.gap2());
        return new LossTerm(c.loss(), Map.of());
    }

    private LossTerm alphaPrimeTerm(TensorDict td) {
        return new LossTerm(alphaPrimeLoss(td, require(td, key("cql_q1_loss")), require(td, key("cql_q2_loss"))), Map.of());
    }

    private LossTerm actorBcTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        Distribution dist = PolicyDistribution.of(actor, params(ACTOR), td);
        SampleAndLogProb bc = dist.rsampleAndLogProb(randomSource());
        return new LossTerm(reduce(bc.logProb().mul(alpha.alpha()).sub(dist.logProb(action)), td), Map.of());
    }

    private LossTerm actorTerm(TensorDict td) {
        SampleAndLogProb pi = PolicyDistribution.of(actor, params(ACTOR), td).rsampleAndLogProb(randomSource());
        Tensor minQ = criticValues(params(QVALUE).detach(), criticInputs(td, pi.sample())).amin(0).squeeze(-1);
        Tensor loss = reduce(pi.logProb().mul(alpha.alpha()).sub(minQ), td);
        return new LossTerm(loss, Map.of("log_prob", pi.logProb().detach()));
    }

    private LossTerm alphaTerm(TensorDict td, Tensor logProb) {
        double entropyTarget = targetEntropy.resolve(require(td, key("action")), td.batchDims());
        Tensor logPi = logProb.detach();
        Tensor loss = reduce(alpha.lossElements(logPi, entropyTarget), td);
        Map<String, Tensor> metrics = new LinkedHashMap<>();
        metrics.put("alpha", alpha.alpha());
        metrics.put("entropy", logPi.mean().neg());
        return new LossTerm(loss, metrics);
    }

    /** {@code y = value_estimate(v')} {@code [*B]}, without gradient (step 1). */
    private Tensor target(TensorDict td, Tensor a) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            TensorDict actorParams = params(ACTOR).detach();
            TensorDict next = td.nextView();
            SampleAndLogProb s = PolicyDistribution.of(actor, actorParams, next).rsampleAndLogProb(randomSource());
            Tensor nextValue;
            if (!maxQBackup) {
                nextValue = criticValues(targetParams(QVALUE), criticInputs(next, s.sample())).amin(0);
                if (!deterministicBackup) nextValue = nextValue.sub(s.logProb().unsqueeze(-1).mul(a));
            } else {
                PolicySamples p = policySamples(next, actorParams);
                Tensor qn = criticValues(targetParams(QVALUE), p.states());
                int[] perState = concat(new int[] {NUM_QVALUE_NETS}, td.batchSize(), new int[] {numRandom, qn.size(-1)});
                nextValue = qn.reshape(perState).amax(-2).amin(0);
            }
            return valueEstimator().valueEstimate(td.copy(), null, nextValue, null).squeeze(-1);
        }
    }

    /** The conservative gaps of both critics and {@code loss_cql} (step 2). */
    private record Conservative(Tensor gap1, Tensor gap2, Tensor loss) {}

    private Conservative conservative(TensorDict td, Tensor action, Tensor q1, Tensor q2) {
        int last = td.batchDims() - 1;
        int[] repeated = td.batchSize();
        repeated[last] *= numRandom;
        int actionDim = action.size(-1);
        Tensor uniform = randomSource().uniform("Tensor.uniform_", concat(repeated, new int[] {actionDim}), q1.dtype(), -1.0, 1.0);
        TensorDict actorParams = params(ACTOR).detach();
        PolicySamples current = policySamples(td, actorParams);
        PolicySamples nextActions = policySamples(td.nextView(), actorParams);

        // Q_i on [uniform, current, next] candidates in one ensemble call; rows keep that order along the last batch dim.
        TensorDict randomTd = repeatRows(td);
        randomTd.set(key("action"), uniform);
        TensorDict nextTd;
        if (referenceCompat) {
            nextTd = nextActions.states();
        } else {
            nextTd = repeatRows(td);
            nextTd.set(key("action"), nextActions.states().get(key("action")));
        }
        TensorDict all = TensorDict.cat(List.of(randomTd, current.states(), nextTd), last);
        Tensor qAll = criticValues(params(QVALUE), all);
        int n = repeated[last];
        List<Tensor> parts = qAll.split(new int[] {n, n, n}, last + 1);
        Tensor qRand = parts.get(0), qCurr = parts.get(1), qNext = parts.get(2);
        double rho = actionDim * Math.log(0.5);
        Tensor lc = current.logProb().detach().unsqueeze(-1), ln = nextActions.logProb().detach().unsqueeze(-1);

        Tensor[] gaps = new Tensor[NUM_QVALUE_NETS];
        Tensor[] pred = {q1, q2};
        for (int i = 0; i < NUM_QVALUE_NETS; i++) {
            Tensor rand = qRand.select(0, i).sub(rho), nxt = qNext.select(0, i).sub(ln), cur = qCurr.select(0, i).sub(lc);
            if (referenceCompat) {
                // [B·R, 3] → [B·R], broadcast against q_i [B, 1] to [B, B·R].
                Tensor lse = Tensor.cat(List.of(rand, nxt, cur), -1).div(temperature).logsumexp(-1).mul(minQWeight * temperature);
                gaps[i] = lse.flatten().sub(pred[i].mul(minQWeight));
            } else {
                // [*B, R] per candidate kind → [*B, 3R] per state → [*B].
                Tensor candidates = Tensor.cat(List.of(perState(rand, td), perState(cur, td), perState(nxt, td)), -1);
                Tensor lse = candidates.div(temperature).logsumexp(-1).mul(minQWeight * temperature);
                gaps[i] = lse.sub(pred[i].squeeze(-1).mul(minQWeight));
            }
        }
        Tensor perSample = referenceCompat ? gaps[0].add(gaps[1]).mean(-1) : gaps[0].add(gaps[1]);
        if (withLagrange && !referenceCompat) perSample = perSample.sub(2 * lagrangeThresh).mul(alphaPrime().detach());
        return new Conservative(gaps[0], gaps[1], reduce(perSample, td));
    }

    /** {@code [*B', B·R, 1]} candidate values viewed per state: {@code [*B, R]}. */
    private Tensor perState(Tensor rows, TensorDict td) {
        return rows.squeeze(-1).unflatten(td.batchDims() - 1, td.batchSize()[td.batchDims() - 1], numRandom);
    }

    /** {@code α′ = min(exp(log_alpha_prime), 1e6)}. */
    private Tensor alphaPrime() {
        return logAlphaPrime.exp().clampMax(MAX_ALPHA_PRIME);
    }

    /** {@code loss_alpha_prime} (step 3); the gaps are detached unless {@link #referenceCompat()}. */
    private Tensor alphaPrimeLoss(TensorDict td, Tensor gap1, Tensor gap2) {
        Tensor mask = lossMask(td);
        Tensor c1 = MaskedReduction.reduce(gap1, Reduction.MEAN, mask, null), c2 = MaskedReduction.reduce(gap2, Reduction.MEAN, mask, null);
        if (!referenceCompat) {
            c1 = c1.detach();
            c2 = c2.detach();
        }
        return alphaPrime().mul(c1.sub(lagrangeThresh).add(c2.sub(lagrangeThresh))).mul(-0.5);
    }

    // ------------------------------------------------------------------ helpers

    /** The R policy samples of spec §2.10: repeated rows of {@code states} with actions from π_sg(θ), and their log-probabilities. */
    private record PolicySamples(TensorDict states, Tensor logProb) {}

    private PolicySamples policySamples(TensorDict states, TensorDict actorParams) {
        TensorDict rows = repeatRows(states);
        SampleAndLogProb s;
        try (GradMode.Scope g = GradMode.noGrad()) {
            s = PolicyDistribution.of(actor, actorParams, rows).rsampleAndLogProb(randomSource());
        }
        rows.set(key("action"), s.sample());
        return new PolicySamples(rows, s.logProb());
    }

    /** The actor's and critics' inputs of {@code td} (the action excepted), every row repeated R times consecutively along the last batch dim. */
    private TensorDict repeatRows(TensorDict td) {
        int last = td.batchDims() - 1;
        int[] repeated = td.batchSize();
        repeated[last] *= numRandom;
        return td.select(stateKeys(), false).apply(t -> t.repeatInterleave(numRandom, last), repeated);
    }

    private List<Key> stateKeys() {
        LinkedHashSet<Key> keys = new LinkedHashSet<>(actor.inKeys());
        keys.addAll(ensemble(QVALUE).inKeys());
        keys.remove(key("action"));
        return new ArrayList<>(keys);
    }

    /** The critics' inputs: the state entries of {@code td} and {@code action}. */
    private TensorDict criticInputs(TensorDict td, Tensor action) {
        TensorDict in = td.select(stateKeys(), false);
        in.set(key("action"), action);
        return in;
    }

    /** Both critics on {@code in} with {@code params}: {@code [2, *B, 1]}. */
    private Tensor criticValues(TensorDict params, TensorDict in) {
        return callEnsemble(QVALUE, params, in, EnsembleModule.Layout.SHARED).get(key("state_action_value"));
    }

    private static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    // ------------------------------------------------------------------ builder

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase critic;
        private final List<TensorDictModuleBase> critics;
        private Distance lossFunction = Distance.SMOOTH_L1;
        private double alphaInit = 1.0;
        private Double minAlpha;
        private Double maxAlpha;
        private boolean fixedAlpha;
        private Double targetEntropy;
        private int[] actionShape;
        private boolean delayActor;
        private boolean delayQvalue = true;
        private double temperature = 1.0;
        private double minQWeight = 1.0;
        private boolean maxQBackup;
        private boolean deterministicBackup = true;
        private int numRandom = 10;
        private boolean withLagrange;
        private double lagrangeThresh;
        private Reduction reduction = Reduction.MEAN;
        private boolean deactivateVmap;
        private ScalarOutputMode scalarOutputMode;
        private boolean referenceCompat;
        private Generator generator;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, List<? extends TensorDictModuleBase> critics) {
            this.actor = actor;
            this.critic = critic;
            this.critics = critics == null ? null : new ArrayList<>(critics);
        }

        /** The distance between q_i and y (default smooth_l1). */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        public Builder alphaInit(double alphaInit) { this.alphaInit = alphaInit; return this; }

        /** Lower bound on α (null or 0: none). */
        public Builder minAlpha(Double minAlpha) { this.minAlpha = minAlpha; return this; }

        /** Upper bound on α (null: none). */
        public Builder maxAlpha(Double maxAlpha) { this.maxAlpha = maxAlpha; return this; }

        /** α stays constant; the alpha loss is still reported (default false). */
        public Builder fixedAlpha(boolean fixed) { this.fixedAlpha = fixed; return this; }

        /** An explicit H̄ (null: auto). */
        public Builder targetEntropy(Double targetEntropy) { this.targetEntropy = targetEntropy; return this; }

        /** The action's shape without batch dims (the action spec), for {@code target_entropy = auto}. */
        public Builder actionShape(int... shape) { this.actionShape = shape.clone(); return this; }

        /** Keep a delayed copy of the actor (default false; CQL samples with the online actor either way). */
        public Builder delayActor(boolean delay) { this.delayActor = delay; return this; }

        /** Bootstrap from delayed copies of the critics (default true). */
        public Builder delayQvalue(boolean delay) { this.delayQvalue = delay; return this; }

        /** T of the log-sum-exp (default 1). */
        public Builder temperature(double t) { this.temperature = t; return this; }

        /** w, the weight of the conservative term (default 1). */
        public Builder minQWeight(double w) { this.minQWeight = w; return this; }

        /** Bootstrap from {@code min_i max_R Q̄_i} over R policy actions at s' (default false). */
        public Builder maxQBackup(boolean on) { this.maxQBackup = on; return this; }

        /** No entropy term in the target (default true); false subtracts α·ℓ' (not with max_q_backup). */
        public Builder deterministicBackup(boolean on) { this.deterministicBackup = on; return this; }

        /** R, the sampled actions per state and proposal (default 10). */
        public Builder numRandom(int r) { this.numRandom = r; return this; }

        /** The Lagrange form with a trainable α′ (default false). */
        public Builder withLagrange(boolean on) { this.withLagrange = on; return this; }

        /** κ, the target action gap of the Lagrange form (default 0). */
        public Builder lagrangeThresh(double thresh) { this.lagrangeThresh = thresh; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** Evaluate the critics in a loop instead of vmap (default false). */
        public Builder deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return this; }

        public Builder scalarOutputMode(ScalarOutputMode mode) { this.scalarOutputMode = mode; return this; }

        /** {@code null}, {@code "exclude"} or {@code "non_tensor"}. */
        public Builder scalarOutputMode(String mode) { return scalarOutputMode(ScalarOutputMode.parse(mode)); }

        /** Reproduce TorchRL's numbers, including its known deviation from the paper (DECISIONS.md rule 3; default false). */
        public Builder referenceCompat(boolean on) { this.referenceCompat = on; return this; }

        /** Where the single-critic form re-draws its two copies (default the global generator). */
        public Builder generator(Generator g) { this.generator = g; return this; }

        public CQLLoss build() { return new CQLLoss(this); }
    }

    @Override
    public String toString() {
        return "CQLLoss(loss_function=" + lossFunction.alias() + ", temperature=" + temperature + ", min_q_weight=" + minQWeight + ", num_random="
                + numRandom + ", max_q_backup=" + maxQBackup + ", deterministic_backup=" + deterministicBackup + ", with_lagrange=" + withLagrange
                + ", lagrange_thresh=" + lagrangeThresh + ", reference_compat=" + referenceCompat + ", delay_actor=" + delayActor + ", delay_qvalue="
                + delayQvalue + ", reduction=" + reduction().name().toLowerCase(Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
