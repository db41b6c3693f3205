package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.modules.InteractionSampling;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The V-trace estimator module (Espeholt et al. 2018, IMPALA; spec estimators.md §6.1, §6.10;
 * TorchRL's {@code VTrace}): {@code value_target = vs}, {@code advantage} the V-trace
 * policy-gradient advantage, from the behaviour log-probability {@code log μ} stored at
 * {@code sample_log_prob} ({@code "action_log_prob"} by default; a dict of per-head
 * log-probabilities is summed) and the current actor's {@code log π}.
 *
 * <p>{@code log π} scores the stored action under the actor's current distribution, as the
 * algorithm defines it (DECISIONS.md rule 3). {@code referenceCompat(true)} reproduces TorchRL,
 * which scores a fresh action instead: a draw under the RANDOM interaction type, otherwise the
 * actor's deterministic / mode / mean output, the type being the one in force, else the actor's
 * default.
 *
 * <p>γ must be a single value ("Per-value gamma is not supported yet"); the value network is held
 * out even when parameters are passed; {@code averageAdv} standardises the advantage with the
 * floor 1e−5. Terminated has no fallback here: when absent the functional uses done.
 *
 * <p>With {@code shifted}, {@code vs} at the kept transitions is that of the plain mode on the
 * marked rollout (spec §6.9); the advantage of a series' last kept transition is not, since the
 * advantage reads {@code vs_{t+1}} across truncations (spec §8 item 6) and there that is the
 * {@code vs} of a dropped transition, whose value the fused call does not compute.
 */
public final class VTrace extends ValueEstimatorBase {
    private final TensorDictModuleBase actor;
    private final Coefficient rhoThresh;
    private final Coefficient cThresh;
    private final boolean averageAdv;
    private final boolean referenceCompat;

    private VTrace(Builder b) {
        super(b, EstimatorKeys.withSampleLogProb());
        if (gamma() instanceof Coefficient.OfTensor t && t.tensor().numel() != 1) {
            throw new IllegalArgumentException("Per-value gamma is not supported yet. Gamma must be a scalar. Got a tensor of "
                    + t.tensor().numel() + " elements.");
        }
        if (b.actor == null) throw new IllegalArgumentException("VTrace: actor_network is required (it gives log π), got none");
        if (!(b.actor instanceof ProbabilisticTensorDictSequential || b.actor instanceof ProbabilisticTensorDictModule)) {
            throw new IllegalArgumentException("VTrace: expected an actor_network that builds a distribution (a ProbabilisticTensorDictSequential, "
                    + "e.g. a ProbabilisticActor, or a ProbabilisticTensorDictModule), got " + b.actor.getClass().getSimpleName());
        }
        this.actor = b.actor;
        this.rhoThresh = b.rhoThresh;
        this.cThresh = b.cThresh;
        this.averageAdv = b.averageAdv;
        this.referenceCompat = b.referenceCompat;
    }

    public static Builder builder() {
        return new Builder();
    }

    public TensorDictModuleBase actorNetwork() { return actor; }

    public Coefficient rhoThresh() { return rhoThresh; }

    public Coefficient cThresh() { return cThresh; }

    public boolean averageAdv() { return averageAdv; }

    public boolean referenceCompat() { return referenceCompat; }

    @Override
    protected boolean alwaysHoldOut() {
        return true;
    }

    @Override
    protected List<Key> extraInKeys() {
        return List.of(tensorKeys().get(EstimatorKeys.SAMPLE_LOG_PROB));
    }

    @Override
    protected List<Module> heldModules() {
        List<Module> all = new ArrayList<>(super.heldModules());
        all.addAll(actor.modules());
        return all;
    }

    /** {@code vs}; {@code V} from the network on the current state (held out) or from {@code value}. */
    @Override
    public Tensor valueEstimate(TensorDict td, TensorDict targetParams, Tensor nextValue, Integer timeDim) {
        int t = resolveTimeDim(td, timeDim);
        return vtrace(td, currentValue(td), nextValue(td, targetParams, nextValue), t).vs();
    }

    @Override
    protected AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim) {
        VTraceResult out = vtrace(td, value, nextValue, timeDim);
        Tensor advantage = averageAdv ? Standardise.all(out.advantage(), 1e-5) : out.advantage();
        return new AdvantageAndTarget(advantage, out.vs());
    }

    private VTraceResult vtrace(TensorDict td, Tensor value, Tensor nextValue, int timeDim) {
        Tensor r = reward(td);
        Tensor d = done(td);
        Tensor tau = terminated(td, null);
        Tensor logMu = behaviourLogProb(td).reshape(value.shape());
        Tensor logPi = actorLogProb(td).reshape(value.shape());
        EstimatorOptions options = EstimatorOptions.defaults().withTimeDim(timeDim).withRhoThresh(onDeviceOf(rhoThresh, r))
                .withCThresh(onDeviceOf(cThresh, r));
        if (tau != null) options = options.withTerminated(tau);
        return Estimates.vtraceAdvantage(discount(td, r), logPi, logMu, value, nextValue, r, d, options.withReferenceCompat(referenceCompat));
    }

    private Tensor behaviourLogProb(TensorDict td) {
        Key key = tensorKeys().get(EstimatorKeys.SAMPLE_LOG_PROB);
        if (td.find(key) instanceof TensorDict perHead) return perHead.sumFeaturesReduced();
        return td.get(key);
    }

    private Tensor actorLogProb(TensorDict td) {
        TensorDict input = td.copy();
        if (!referenceCompat) {
            return actor instanceof ProbabilisticTensorDictSequential seq ? seq.logProb(input) : ((ProbabilisticTensorDictModule) actor).logProb(input);
        }
        ProbabilisticTensorDictModule head = actor instanceof ProbabilisticTensorDictSequential seq ? seq.probabilisticModule()
                : (ProbabilisticTensorDictModule) actor;
        Distribution dist = actor instanceof ProbabilisticTensorDictSequential seq ? seq.getDist(input) : head.getDist(input);
        InteractionType type = InteractionType.currentOr(head.defaultInteractionType());
        Tensor action = InteractionSampling.sample(dist, type, new int[0], head.randomSource(), ProbabilisticTensorDictModule.DEFAULT_N_EMPIRICAL_ESTIMATE);
        return dist.logProb(action);
    }

    public static final class Builder extends ValueEstimatorBase.Builder<Builder> {
        private TensorDictModuleBase actor;
        private Coefficient rhoThresh = Coefficient.of(1.0);
        private Coefficient cThresh = Coefficient.of(1.0);
        private boolean averageAdv;
        private boolean referenceCompat;

        private Builder() {}

        @Override
        protected Builder self() { return this; }

        /** The learned policy π (required): a module that builds a distribution from the dict. */
        public Builder actorNetwork(TensorDictModuleBase actor) { this.actor = actor; return this; }

        /** ρ̄, the clip of the importance ratio in δ (default 1). */
        public Builder rhoThresh(double rho) { this.rhoThresh = Coefficient.of(rho); return this; }

        public Builder rhoThresh(Tensor rho) { this.rhoThresh = Coefficient.of(Objects.requireNonNull(rho, "rhoThresh")); return this; }

        /** c̄, the clip of the trace coefficients (default 1). */
        public Builder cThresh(double c) { this.cThresh = Coefficient.of(c); return this; }

        public Builder cThresh(Tensor c) { this.cThresh = Coefficient.of(Objects.requireNonNull(c, "cThresh")); return this; }

        /** Standardise the advantage (default false). */
        public Builder averageAdv(boolean averageAdv) { this.averageAdv = averageAdv; return this; }

        /** Score a fresh action as TorchRL does instead of the stored one (default false; see the class comment). */
        public Builder referenceCompat(boolean referenceCompat) { this.referenceCompat = referenceCompat; return this; }

        /** The time axis as a batch dim of the input (default: the dim named "time", else the last). */
        public Builder timeDim(Integer timeDim) { this.timeDim = timeDim; return this; }

        /** V-trace has no loop form of its value call (spec §6.2): refused. */
        @Override
        public Builder deactivateVmap(boolean deactivateVmap) {
            if (deactivateVmap) throw new IllegalArgumentException("VTrace does not accept deactivate_vmap (spec estimators.md §6.2)");
            return this;
        }

        public VTrace build() { return new VTrace(this); }
    }
}
