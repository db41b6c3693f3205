package org.rlgrad.examples.training;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.optim.ClipGrad;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.examples.envs.Environments;
import org.rlgrad.losses.ClipPPOLoss;
import org.rlgrad.losses.LossOutputs;

/**
 * Proximal policy optimisation (Schulman et al. 2017) with the clipped surrogate
 * ({@link ClipPPOLoss}). After each rollout {@code [n_envs, T]}:
 * <ol>
 *   <li>GAE (Schulman et al. 2016) by the loss's value estimator on the whole rollout, with the
 *       critic as it is before the update: {@code advantage} and {@code value_target = A + V};</li>
 *   <li>{@code epochs} passes, each over the rollout flattened to {@code n_envs·T} frames,
 *       shuffled and cut into {@code minibatches}; per minibatch the loss
 *       {@code −min(r·Â, clip(r, 1−ε, 1+ε)·Â) + c_V·(V − V_target)² − c_H·H} with {@code Â} the
 *       advantage standardised within the minibatch, one Adam step after clipping the global
 *       gradient norm;</li>
 *   <li>optionally the learning rate falls linearly to zero over the run.</li>
 * </ol>
 * This is the recipe of CleanRL's {@code ppo.py} (Huang et al. 2022, "The 37 Implementation
 * Details of PPO"), minus value clipping. Each gradient step runs inside a {@link MemoryScope} so
 * its temporaries' buffers are reused by the next.
 */
public final class PPOTrainer extends OnPolicyTrainer {
    private final PPOConfig config;
    private final ClipPPOLoss loss;
    private final Adam optimizer;
    private final List<Tensor> parameters;
    private final Generator shuffle;

    public PPOTrainer(String envId, long seed, PPOConfig config) {
        super("ppo", envId, seed, config.numEnvs(), config.rolloutSteps(), config.hidden());
        this.config = config;
        this.loss = ClipPPOLoss.builder(networks.actor(), networks.critic()).clipEpsilon(config.clipEpsilon()).entropyBonus(config.entropyCoeff() > 0)
                .entropyCoeff(config.entropyCoeff()).criticCoeff(config.criticCoeff()).lossCriticType("l2").normalizeAdvantage(true)
                .logExplainedVariance(false).build();
        loss.makeValueEstimator(ValueEstimators.GAE, Map.of("gamma", config.gamma(), "lmbda", config.lambda()));
        this.parameters = networks.parameters();
        this.optimizer = new Adam(parameters, new Adam.Options(config.learningRate()).withEps(1e-5));
        this.shuffle = new Generator(seed ^ 0x5DEECE66DL);
    }

    /** PPO on {@code envId} with the defaults for its kind of actions ({@link PPOConfig#defaultsFor}). */
    public PPOTrainer(String envId, long seed) {
        this(envId, seed, PPOConfig.defaultsFor(Environments.make(envId).spec()));
    }

    public PPOConfig config() { return config; }

    @Override
    public long defaultFrames() { return config.defaultFrames(); }

    @Override
    protected void update(TensorDict rollout, double remaining) {
        if (config.annealLearningRate()) optimizer.paramGroups().getFirst().setLr(config.learningRate() * remaining);
        try (GradMode.Scope g = GradMode.noGrad()) {
            loss.valueEstimator().forward(rollout);
        }
        TensorDict data = rollout.select("observation", "action", "action_log_prob", "advantage", "value_target").reshape(-1);
        int n = data.batchSize()[0], size = n / config.minibatches();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Tensor order = shuffle.randperm(n);
            for (int b = 0; b < config.minibatches(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    TensorDict minibatch = data.index(order.narrow(0, b * size, size));
                    optimizer.zeroGrad();
                    LossOutputs.totalLoss(loss.forward(minibatch)).backward();
                    ClipGrad.clipGradNorm(parameters, config.maxGradNorm());
                    optimizer.step();
                }
            }
        }
    }
}
