package org.rlgrad.examples.training;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.optim.ClipGrad;
import org.rlgrad.engine.optim.RMSprop;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.examples.envs.Environments;
import org.rlgrad.losses.A2CLoss;
import org.rlgrad.losses.LossOutputs;

/**
 * Synchronous advantage actor-critic (A2C; Mnih et al. 2016, the synchronous variant of A3C)
 * with {@link A2CLoss}: after each short rollout {@code [n_envs, T]} the advantage is estimated by
 * the loss's GAE (λ = 1 gives the n-step return minus {@code V(s)}), and one RMSprop step is taken
 * on {@code −log π(a|s)·A + c_V·(V − V_target)² − c_H·H} over the whole rollout, after clipping
 * the global gradient norm. No importance ratio, no epochs: each rollout is used once.
 */
public final class A2CTrainer extends OnPolicyTrainer {
    private final A2CConfig config;
    private final A2CLoss loss;
    private final RMSprop optimizer;
    private final List<Tensor> parameters;

    public A2CTrainer(String envId, long seed, A2CConfig config) {
        super("a2c", envId, seed, config.numEnvs(), config.rolloutSteps(), config.hidden());
        this.config = config;
        this.loss = A2CLoss.builder(networks.actor(), networks.critic()).entropyBonus(config.entropyCoeff() > 0).entropyCoeff(config.entropyCoeff())
                .criticCoeff(config.criticCoeff()).lossCriticType("l2").build();
        loss.makeValueEstimator(ValueEstimators.GAE, Map.of("gamma", config.gamma(), "lmbda", config.lambda()));
        this.parameters = networks.parameters();
        this.optimizer = new RMSprop(parameters, new RMSprop.Options(config.learningRate(), config.rmsAlpha(), config.rmsEps(), 0, 0, false, false));
    }

    /** A2C on {@code envId} with the defaults for its kind of actions ({@link A2CConfig#defaultsFor}). */
    public A2CTrainer(String envId, long seed) {
        this(envId, seed, A2CConfig.defaultsFor(Environments.make(envId).spec()));
    }

    public A2CConfig config() { return config; }

    @Override
    public long defaultFrames() { return config.defaultFrames(); }

    @Override
    protected void update(TensorDict rollout, double remaining) {
        try (MemoryScope scope = MemoryScope.open()) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                loss.valueEstimator().forward(rollout);
            }
            TensorDict data = rollout.select("observation", "action", "advantage", "value_target").reshape(-1);
            optimizer.zeroGrad();
            LossOutputs.totalLoss(loss.forward(data)).backward();
            ClipGrad.clipGradNorm(parameters, config.maxGradNorm());
            optimizer.step();
        }
    }
}
