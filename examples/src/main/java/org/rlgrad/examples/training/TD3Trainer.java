package org.rlgrad.examples.training;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.training.replay.ReplayBuffer;
import org.rlgrad.losses.SoftUpdate;
import org.rlgrad.losses.TD3Loss;
import org.rlgrad.losses.TD3LossBase;

/**
 * Twin delayed DDPG (Fujimoto et al. 2018, "Addressing function approximation error in
 * actor-critic methods") for continuous actions.
 *
 * <p>A deterministic actor squashed into the action box and two critics
 * ({@link ContinuousNetworks}), {@link TD3Loss} (clipped double Q, target policy smoothing with
 * noise {@code σ̃·h} clipped to {@code c·h}, {@code h} the box's half-width), and the paper's
 * delayed policy updates: every update trains the critics ({@code qvalueLoss}), every
 * {@code policyDelay}-th also the actor ({@code actorLoss}) and moves the targets by Polyak
 * averaging ({@link SoftUpdate}, τ). The critics regress with the squared error, as in the paper
 * (TorchRL's default distance is smooth L1). Exploration {@code a = clip(μ(s) + σ·h·N(0, 1))} after
 * uniform warm-up actions; uniform replay.
 *
 * <p>Defaults ({@link Config#defaults()}): the paper's and CleanRL's TD3 (τ 0.005, policy delay 2,
 * target noise 0.2 clipped at 0.5, exploration noise 0.1, batch 256, lr 3e-4 in CleanRL) adapted as
 * rl-baselines3-zoo does for Pendulum-v1 (lr 1e-3, γ 0.98), with a 2x64 network instead of 400x300,
 * batch 128 and 1000 warm-up frames.
 */
public final class TD3Trainer extends OffPolicyTrainer {
    public record Config(int hidden, int depth, double actorLr, double criticLr, double gamma, double tau, double explorationNoise, double policyNoise,
                         double noiseClip, int policyDelay, int batchSize, int bufferCapacity, long warmupFrames, int updatesPerStep) {
        public static Config defaults() {
            return new Config(64, 2, 1e-3, 1e-3, 0.98, 0.005, 0.1, 0.2, 0.5, 2, 128, 100_000, 1000, 1);
        }
    }

    private final Config config;
    private final TensorDictModule actor;
    private final TD3Loss loss;
    private final SoftUpdate target;
    private final Adam actorOptimizer;
    private final Adam criticOptimizer;
    private final GaussianExploration exploration;
    private long criticUpdates;

    public TD3Trainer(String envId, long seed) {
        this(envId, seed, Config.defaults());
    }

    public TD3Trainer(String envId, long seed, Config config) {
        super(envId, seed, new LoopSettings(1, 1, config.updatesPerStep(), config.batchSize(), config.bufferCapacity(), config.warmupFrames()),
                new ReplayBuffer(config.bufferCapacity()));
        if (!(spec.actionSpace() instanceof ActionSpace.Box b)) {
            throw new IllegalArgumentException("TD3: expected an environment with continuous actions, got " + envId + " with " + spec.actionSpace());
        }
        this.config = config;
        Generator g = new Generator(seed);
        int obs = spec.observationDim(), act = b.dim();
        MLP actorNet = ContinuousNetworks.mlp(obs, act, config.hidden(), config.depth(), g);
        this.actor = ContinuousNetworks.deterministicActor(actorNet, b);
        List<TensorDictModule> critics = List.of(
                ContinuousNetworks.critic(ContinuousNetworks.mlp(obs + act, 1, config.hidden(), config.depth(), g)),
                ContinuousNetworks.critic(ContinuousNetworks.mlp(obs + act, 1, config.hidden(), config.depth(), g)));
        double h = ContinuousNetworks.halfWidth(b);
        this.loss = TD3Loss.builder(actor, critics).bounds(ContinuousNetworks.low(b), ContinuousNetworks.high(b)).policyNoise(config.policyNoise() * h)
                .noiseClip(config.noiseClip() * h).lossFunction("l2").build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", config.gamma()));
        loss.setRandomSource(new Generator(seed + 1));
        this.target = SoftUpdate.withTau(loss, config.tau());
        this.actorOptimizer = new Adam(List.copyOf(loss.namedParameters(TD3LossBase.ACTOR).values()), config.actorLr());
        this.criticOptimizer = new Adam(List.copyOf(loss.namedParameters(TD3LossBase.QVALUE).values()), config.criticLr());
        this.exploration = new GaussianExploration(b, config.explorationNoise());
    }

    /** {@code ./rlgrad train}'s default length: 15,000 frames (Pendulum-v1 is solved (return above -250) within 10,000). */
    @Override
    public long defaultFrames() { return 15_000; }

    @Override
    public String algorithm() { return "td3"; }

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
        criticOptimizer.zeroGrad();
        loss.qvalueLoss(sample).loss().backward();
        criticOptimizer.step();
        if (++criticUpdates % config.policyDelay() == 0) {
            actorOptimizer.zeroGrad();
            loss.actorLoss(sample).loss().backward();
            actorOptimizer.step();
            target.step();
        }
    }
}
