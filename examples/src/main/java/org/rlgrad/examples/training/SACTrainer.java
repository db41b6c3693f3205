package org.rlgrad.examples.training;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.optim.ParamGroup;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.training.replay.ReplayBuffer;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SACLoss;
import org.rlgrad.losses.SoftUpdate;

/**
 * Soft actor-critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications": no
 * state-value network, two critics, a learned temperature α with target entropy {@code −dim(A)})
 * for continuous actions.
 *
 * <p>A tanh-Gaussian actor on the action box and two Q critics ({@link ContinuousNetworks}),
 * {@link SACLoss} version 2 with squared-error critic regression as in the paper and SB3 (its
 * actor, critic and α terms reach disjoint parameters, so one backward pass of their sum trains all
 * three), Adam with one learning rate per part, Polyak averaging of the target critics
 * ({@link SoftUpdate}, τ). Exploration is the policy's own
 * sampling (interaction type RANDOM); evaluation takes its deterministic action, the box-scaled
 * {@code tanh(loc)}. Uniform warm-up actions, uniform replay.
 *
 * <p>Defaults ({@link Config#defaults()}) adapt rl-baselines3-zoo's Pendulum-v1 SAC (lr 1e-3 for
 * every part, γ 0.99, τ 0.005, α learned from 1, one update per step) with a 2x64 network instead of
 * 2x256, batch 128 instead of 256, and 1000 warm-up frames (TorchRL's SAC example uses a comparable
 * random warm-up, SB3's default is 100).
 */
public final class SACTrainer extends OffPolicyTrainer {
    public record Config(int hidden, int depth, double actorLr, double criticLr, double alphaLr, double gamma, double tau, double alphaInit, int batchSize,
                         int bufferCapacity, long warmupFrames, int updatesPerStep) {
        public static Config defaults() {
            return new Config(64, 2, 1e-3, 1e-3, 1e-3, 0.99, 0.005, 1.0, 128, 100_000, 1000, 1);
        }
    }

    private final Config config;
    private final ProbabilisticActor actor;
    private final SACLoss loss;
    private final SoftUpdate target;
    private final Adam optimizer;

    public SACTrainer(String envId, long seed) {
        this(envId, seed, Config.defaults());
    }

    public SACTrainer(String envId, long seed, Config config) {
        super(envId, seed, new LoopSettings(1, 1, config.updatesPerStep(), config.batchSize(), config.bufferCapacity(), config.warmupFrames()),
                new ReplayBuffer(config.bufferCapacity()));
        if (!(spec.actionSpace() instanceof ActionSpace.Box b)) {
            throw new IllegalArgumentException("SAC: expected an environment with continuous actions, got " + envId + " with " + spec.actionSpace());
        }
        this.config = config;
        Generator g = new Generator(seed);
        int obs = spec.observationDim(), act = b.dim();
        this.actor = ContinuousNetworks.tanhNormalActor(ContinuousNetworks.mlp(obs, 2 * act, config.hidden(), config.depth(), g), b);
        actor.probabilisticModule().randomSource(new Generator(seed + 1));
        List<ValueOperator> critics = List.of(
                ContinuousNetworks.critic(ContinuousNetworks.mlp(obs + act, 1, config.hidden(), config.depth(), g)),
                ContinuousNetworks.critic(ContinuousNetworks.mlp(obs + act, 1, config.hidden(), config.depth(), g)));
        this.loss = SACLoss.builder(actor, critics).alphaInit(config.alphaInit()).actionShape(act).lossFunction("l2").build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", config.gamma()));
        loss.setRandomSource(new Generator(seed + 2));
        this.target = SoftUpdate.withTau(loss, config.tau());
        this.optimizer = new Adam(List.of(
                ParamGroup.of(List.copyOf(loss.namedParameters(SACLoss.ACTOR).values()), new Adam.Options(config.actorLr())),
                ParamGroup.of(List.copyOf(loss.namedParameters(SACLoss.QVALUE).values()), new Adam.Options(config.criticLr())),
                ParamGroup.of(List.of(loss.logAlpha()), new Adam.Options(config.alphaLr()))));
    }

    /** {@code ./rlgrad train}'s default length: 15,000 frames (Pendulum-v1 is solved (return above -250) within 10,000). */
    @Override
    public long defaultFrames() { return 15_000; }

    @Override
    public String algorithm() { return "sac"; }

    public Config config() { return config; }

    @Override
    protected TensorDict explore(TensorDict root, long frames) {
        try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope r = InteractionType.set(InteractionType.RANDOM)) {
            return actor.forward(root);
        }
    }

    @Override
    protected TensorDict act(TensorDict root) {
        try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope d = InteractionType.set(InteractionType.DETERMINISTIC)) {
            return actor.forward(root);
        }
    }

    @Override
    protected void update(TensorDict sample, long frames) {
        optimizer.zeroGrad();
        LossOutputs.totalLoss(loss.forward(sample)).backward();
        optimizer.step();
        target.step();
    }
}
