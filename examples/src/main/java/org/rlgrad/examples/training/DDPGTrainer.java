package org.rlgrad.examples.training;

import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.optim.ParamGroup;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.training.replay.ReplayBuffer;
import org.rlgrad.losses.DDPGLoss;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SoftUpdate;

/**
 * Deep deterministic policy gradient (Lillicrap et al. 2016) for continuous actions.
 *
 * <p>A deterministic actor {@code μ(s)} squashed into the action box and a critic {@code Q(s, a)}
 * ({@link ContinuousNetworks}), {@link DDPGLoss} with delayed copies of both (the paper's target
 * networks) moved by Polyak averaging ({@link SoftUpdate}, τ), Adam for each, exploration
 * {@code a = clip(μ(s) + σ·h·N(0, 1))} with {@code h} the box's half-width (Gaussian noise as in
 * TD3 and SB3, rather than the paper's Ornstein-Uhlenbeck process), uniform warm-up actions and a
 * uniform replay buffer. The actor and critic losses reach disjoint parameters, so one backward
 * pass of their sum trains both.
 *
 * <p>Defaults ({@link Config#defaults()}) adapt rl-baselines3-zoo's Pendulum-v1 DDPG (lr 1e-3,
 * γ 0.98, Gaussian noise 0.1, τ 0.005, one update per step) with a 2x64 network instead of
 * 400x300, batch 128, and 1000 warm-up frames instead of 10000.
 */
public final class DDPGTrainer extends OffPolicyTrainer {
    public record Config(int hidden, int depth, double actorLr, double criticLr, double gamma, double tau, double explorationNoise, int batchSize,
                         int bufferCapacity, long warmupFrames, int updatesPerStep) {
        public static Config defaults() {
            return new Config(64, 2, 1e-3, 1e-3, 0.98, 0.005, 0.1, 128, 100_000, 1000, 1);
        }
    }

    private final Config config;
    private final TensorDictModule actor;
    private final DDPGLoss loss;
    private final SoftUpdate target;
    private final Adam optimizer;
    private final GaussianExploration exploration;

    public DDPGTrainer(String envId, long seed) {
        this(envId, seed, Config.defaults());
    }

    public DDPGTrainer(String envId, long seed, Config config) {
        super(envId, seed, new LoopSettings(1, 1, config.updatesPerStep(), config.batchSize(), config.bufferCapacity(), config.warmupFrames()),
                new ReplayBuffer(config.bufferCapacity()));
        if (!(spec.actionSpace() instanceof ActionSpace.Box b)) {
            throw new IllegalArgumentException("DDPG: expected an environment with continuous actions, got " + envId + " with " + spec.actionSpace());
        }
        this.config = config;
        Generator g = new Generator(seed);
        int obs = spec.observationDim(), act = b.dim();
        MLP actorNet = ContinuousNetworks.mlp(obs, act, config.hidden(), config.depth(), g);
        MLP criticNet = ContinuousNetworks.mlp(obs + act, 1, config.hidden(), config.depth(), g);
        this.actor = ContinuousNetworks.deterministicActor(actorNet, b);
        this.loss = DDPGLoss.builder(actor, ContinuousNetworks.critic(criticNet)).delayActor(true).delayValue(true).build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", config.gamma()));
        this.target = SoftUpdate.withTau(loss, config.tau());
        this.optimizer = new Adam(java.util.List.of(
                ParamGroup.of(actorNet.parameters(), new Adam.Options(config.actorLr())),
                ParamGroup.of(criticNet.parameters(), new Adam.Options(config.criticLr()))));
        this.exploration = new GaussianExploration(b, config.explorationNoise());
    }

    /** {@code ./rlgrad train}'s default length: 15,000 frames (Pendulum-v1 reaches about -230 within 5,000). */
    @Override
    public long defaultFrames() { return 15_000; }

    @Override
    public String algorithm() { return "ddpg"; }

    public Config config() { return config; }

    @Override
    protected TensorDict explore(TensorDict root, long frames) {
        return exploration.perturb(act(root), rng);
    }

    @Override
    protected TensorDict act(TensorDict root) {
        try (GradMode.Scope g = GradMode.noGrad()) {
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
