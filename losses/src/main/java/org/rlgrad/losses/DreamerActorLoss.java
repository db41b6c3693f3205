package org.rlgrad.losses;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.modules.InteractionSampling;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.nn.ParameterHold;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The Dreamer actor loss (spec losses.md §2.22; Hafner et al. 2020, "Dream to Control", eq. 6 to
 * 7): the actor maximises the λ-returns of trajectories it imagines in the learned model,
 * back-propagating through the model's dynamics.
 *
 * <p>From the posterior latent states of a flat batch {@code [B']} (the root {@code "state"} and
 * {@code belief} entries, detached):
 * <ol>
 *   <li>imagination: with the environment's parameters held out (gradients flow through its
 *       computations, not into it) and the interaction type RANDOM, {@link ModelBasedEnv#reset}
 *       and then {@code H} steps of {@code a_t ~ π(s_t)}, {@code (s_{t+1}, r_t) = env(s_t, a_t)}.
 *       A probabilistic actor draws its reparameterised sample from the loss's
 *       {@link #randomSource()}; any other actor module just runs. The result {@code fake} has batch
 *       {@code [B', H]};</li>
 *   <li>{@code v_{t+1} = V(s_{t+1})} {@code [B', H, 1]} with the value model's parameters held out;</li>
 *   <li>{@code G = value_estimate(r, v, done = terminated = false)} with the loss's estimator
 *       (default TD(λ), γ = 0.99, λ = 0.95, vectorised) along the horizon:
 *       {@code G_t = r_t + γ((1 − λ) v_{t+1} + λ G_{t+1})}, {@code G_{H−1} = r_{H−1} + γ v_H},
 *       written to {@code fake[lambda_target]};</li>
 *   <li>{@code loss_actor = −mean_{B'} Σ_{t, last} w_t G_t} with {@code w_t = Π_{i<t} γ_i = γ^t}
 *       (the estimator's γ) when {@code discountLoss}, else {@code w_t = 1}; a scalar.</li>
 * </ol>
 * {@link #forwardWithData} also returns {@code fake}, detached, for {@link DreamerValueLoss}.
 *
 * <p><b>referenceCompat.</b> The reference hands the estimator a dict of batch {@code []} holding
 * {@code [B', H, 1]} tensors, so its time axis falls on the trailing singleton (estimators.md §8
 * item 12) and every step becomes its own one-step series: its "λ-return" is
 * {@code G_t = r_t + γ v_{t+1}}. rlgrad computes the true λ-return along the horizon by default
 * (DECISIONS.md rule 3); {@code referenceCompat(true)} reproduces TorchRL's numbers, including its
 * known deviation, by making the same call. The value loss trains on whichever target this loss wrote.
 *
 * <p>Gradient reaches the actor only (through the actions, the model's predictions and the value
 * model's outputs); {@link #parameters()} are the actor's. The environment and the value model are
 * collaborators, not trained here. The loss is not functional (spec §2.22); the
 * {@link #setReduction reduction} and masks of §1.8 do not apply. Estimators: TD0, TD1, TDLambda
 * (default), reading the values from the dict (no value network); set γ and λ with
 * {@link #makeValueEstimator(Object, Map)}. Keys: {@code belief}, {@code reward}, {@code value}
 * (default {@code state_value}), {@code done}, {@code terminated}, and {@code lambda_target}
 * (rlgrad names the reference's fixed output entry); the latent state is the root entry
 * {@code "state"}, as in the reference.
 */
public final class DreamerActorLoss extends LossModule {
    /** The name of the actor's parameter tree. */
    public static final String ACTOR = "actor";
    /** The root entry holding the latent state (fixed, as in the reference). */
    public static final Key STATE = Key.of("state");
    private static final Key NEXT = Key.of("next");

    private final TensorDictModuleBase actor;
    private final TensorDictModuleBase valueModel;
    private final ModelBasedEnv env;
    private final int imaginationHorizon;
    private final boolean discountLoss;
    private final boolean referenceCompat;

    private DreamerActorLoss(Builder b) {
        super("DreamerActorLoss", keyDefaults());
        if (b.imaginationHorizon < 1) {
            throw new IllegalArgumentException("DreamerActorLoss: imagination_horizon must be at least 1, got " + b.imaginationHorizon);
        }
        this.actor = b.actor;
        this.valueModel = b.valueModel;
        this.env = b.env;
        this.imaginationHorizon = b.imaginationHorizon;
        this.discountLoss = b.discountLoss;
        this.referenceCompat = b.referenceCompat;
        registerNetwork(ACTOR, actor, false);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("belief", "belief");
        k.put("reward", "reward");
        k.put("value", "state_value");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("lambda_target", "lambda_target");
        return k;
    }

    /** A loss training {@code actor} by imagining in {@code env} and bootstrapping from {@code valueModel}. */
    public static Builder builder(TensorDictModuleBase actor, TensorDictModuleBase valueModel, ModelBasedEnv env) {
        return new Builder(Objects.requireNonNull(actor, "DreamerActorLoss: the actor is null"),
                Objects.requireNonNull(valueModel, "DreamerActorLoss: the value model is null"),
                Objects.requireNonNull(env, "DreamerActorLoss: the model-based environment is null"));
    }

    public TensorDictModuleBase actor() { return actor; }

    public TensorDictModuleBase valueModel() { return valueModel; }

    public ModelBasedEnv env() { return env; }

    public int imaginationHorizon() { return imaginationHorizon; }

    public boolean discountLoss() { return discountLoss; }

    public boolean referenceCompat() { return referenceCompat; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        return lossAndData(td).losses();
    }

    /** The loss and the imagined trajectories {@code [B', H]} with their {@code lambda_target}, detached (the reference's pair). */
    public LossAndData forwardWithData(TensorDict td) {
        Objects.requireNonNull(td, "DreamerActorLoss.forwardWithData: expected a TensorDict, got null");
        return inSamplingMode(() -> lossAndData(td));
    }

    private LossAndData lossAndData(TensorDict td) {
        require(td, STATE);
        require(td, key("belief"));
        TensorDict start = td.select(STATE, key("belief")).detach();

        TensorDict fake;
        Tensor nextValue;
        try (HeldOut held = HeldOut.of(env.modules()); GradMode.Scope random = InteractionType.set(InteractionType.RANDOM)) {
            fake = imagine(start);
            try (ParameterHold v = valueModel.holdOutParameters()) {
                TensorDict next = fake.getTensorDict(NEXT).copy();
                valueModel.forward(next);
                nextValue = require(next, key("value"));
            }
        }
        Tensor reward = require(fake, key("reward").prepend("next"));
        Tensor target = lambdaTarget(reward, nextValue, fake.batchSize());
        fake.set(key("lambda_target"), target);

        Tensor weighted = discountLoss ? target.mul(ImaginationDiscount.weights(valueEstimator().gamma(), target)) : target;
        TensorDict out = new TensorDict();
        out.set("loss_actor", weighted.sum(new int[] {-2, -1}, false).mean().neg());
        return new LossAndData(out, fake.detach());
    }

    /**
     * The rollout: {@code H} (actor, environment) steps from {@code start}, stacked on a new time
     * axis after the batch dims. Each step's latent state is the previous step's next latent state,
     * restricted to the keys {@link ModelBasedEnv#reset} returned.
     */
    private TensorDict imagine(TensorDict start) {
        TensorDict current = env.reset(start);
        List<Key> latentKeys = current.keys(true, true);
        List<TensorDict> steps = new ArrayList<>(imaginationHorizon);
        for (int t = 0; t < imaginationHorizon; t++) {
            TensorDict step = current.copy();
            act(step);
            TensorDict next = env.step(step, randomSource());
            for (Key k : latentKeys) {
                if (!next.contains(k)) {
                    throw new IllegalArgumentException(lossName() + ": the environment's step returned no next " + k + " (a latent key of its reset state); it holds "
                            + next.keys(true, true));
                }
            }
            step.set(NEXT, next);
            steps.add(step);
            current = next.select(latentKeys, true);
        }
        return TensorDict.stack(steps, start.batchDims());
    }

    /**
     * The actor's action on {@code td}: a probabilistic actor's reparameterised draw (a plain draw
     * where the distribution has none) comes from the loss's source and is written at its sample
     * key (its log-probability is not needed and not written); any other module runs as it is.
     */
    private void act(TensorDict td) {
        if (actor instanceof ProbabilisticTensorDictSequential p && !p.probabilisticModule().isComposite()) {
            Distribution d = p.getDist(td);
            td.set(p.distSampleKeys().get(0), InteractionSampling.sample(d, InteractionType.RANDOM, new int[0], randomSource(), 0));
        } else {
            actor.forward(td);
        }
    }

    /**
     * The estimator's target on a synthetic dict with the imagined rewards, the next values and
     * no done flags; the time axis is the horizon (last batch dim), or, with referenceCompat, the
     * reference's batch {@code []} dict whose time axis is the trailing singleton.
     */
    private Tensor lambdaTarget(Tensor reward, Tensor nextValue, int[] batch) {
        TensorDict in = referenceCompat ? new TensorDict() : new TensorDict(batch);
        Tensor never = reward.newZeros(DType.BOOL, reward.shape());
        in.set(key("reward").prepend("next"), reward);
        in.set(key("value").prepend("next"), nextValue);
        in.set(key("done").prepend("next"), never);
        in.set(key("terminated").prepend("next"), never);
        return valueEstimator().valueEstimate(in, null, null, referenceCompat ? null : batch.length - 1);
    }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TDLambda; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() { return TD_ESTIMATORS; }

    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "DreamerActorLoss(imagination_horizon=" + imaginationHorizon + ", discount_loss=" + discountLoss + ", reference_compat=" + referenceCompat
                + ", env=" + env + ", keys=" + tensorKeys() + ")";
    }

    /** The environment's parameters held out for a scope; closed in reverse order. */
    private static final class HeldOut implements AutoCloseable {
        private final Deque<ParameterHold> holds = new ArrayDeque<>();

        static HeldOut of(List<? extends Module> modules) {
            HeldOut h = new HeldOut();
            for (Module m : modules) h.holds.push(m.holdOutParameters());
            return h;
        }

        @Override
        public void close() {
            while (!holds.isEmpty()) holds.pop().close();
        }
    }

    public static final class Builder {
        private final TensorDictModuleBase actor;
        private final TensorDictModuleBase valueModel;
        private final ModelBasedEnv env;
        private int imaginationHorizon = 15;
        private boolean discountLoss = true;
        private boolean referenceCompat;

        private Builder(TensorDictModuleBase actor, TensorDictModuleBase valueModel, ModelBasedEnv env) {
            this.actor = actor;
            this.valueModel = valueModel;
            this.env = env;
        }

        /** The number of imagined steps H (default 15). */
        public Builder imaginationHorizon(int h) { this.imaginationHorizon = h; return this; }

        /** Weigh step t by γ^t (default true). */
        public Builder discountLoss(boolean discount) { this.discountLoss = discount; return this; }

        /**
         * Reproduces TorchRL's numbers, including its known deviation: the estimator runs on a
         * batch-{@code []} dict, so the target degenerates to the one-step {@code r_t + γ v_{t+1}}
         * (default false: the λ-return along the horizon, DECISIONS.md rule 3).
         */
        public Builder referenceCompat(boolean compat) { this.referenceCompat = compat; return this; }

        public DreamerActorLoss build() { return new DreamerActorLoss(this); }
    }
}
