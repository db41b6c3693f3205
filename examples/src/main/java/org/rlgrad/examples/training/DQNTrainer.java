package org.rlgrad.examples.training;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.optim.ClipGrad;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.training.replay.PrioritizedReplayBuffer;
import org.rlgrad.examples.training.replay.ReplayBuffer;
import org.rlgrad.losses.DQNLoss;
import org.rlgrad.losses.HardUpdate;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SoftUpdate;
import org.rlgrad.losses.TargetNetUpdater;

/**
 * Deep Q-learning (Mnih et al. 2015), optionally double (van Hasselt et al. 2016) and with
 * prioritized replay (Schaul et al. 2016), for discrete actions.
 *
 * <p>A Q network {@code observation → Q(s, ·)} (an {@link MLP}, ReLU), {@link DQNLoss} (Huber
 * distance, TD(0) target from a delayed copy moved by {@link SoftUpdate} or {@link HardUpdate}), Adam with the gradient
 * norm clipped, ε-greedy exploration with ε annealed linearly by a {@link LinearSchedule}, and a
 * uniform or {@link PrioritizedReplayBuffer prioritized} replay buffer. With prioritized replay the
 * loss weighs its mean by the sample's {@code priority_weight} and the buffer takes
 * {@code |δ| = sqrt(td_error)} as the new priorities (DQNLoss writes the squared TD error).
 *
 * <p>Default hyperparameters ({@link Config#defaults()}), tuned on CartPole-v1 from the
 * rl-baselines3-zoo settings for it (ε from 1 to 0.04 over the first 8,000 frames, 1,000 random
 * frames first, Huber loss, gradient norm 10, buffer 100k): a 2x128 network instead of 2x256, Adam
 * lr 1e-3 instead of 2.3e-3, batch 128, 2 updates every 4 frames (SB3's default train_freq 4)
 * instead of 128 every 256, double DQN, and the target moved by Polyak averaging with τ = 0.005 at
 * every update instead of a hard copy. γ is 0.995, not 0.99: with 0.99 the greedy policies of only
 * 3 seeds of 6 reached a mean return of 300 after 60,000 frames (the others failed after 50-250
 * steps), against 6 of 7 with 0.995 (measured here); a horizon 1/(1 − γ) longer than 100 steps
 * plausibly lets the values see slow failures coming. Hard target copies every
 * {@code targetUpdateInterval} updates are used when {@code targetTau} is 0. Even so the greedy
 * policy can collapse late (seed 1 scored 288 after 60,000 frames and 17 after 80,000), so the
 * trainer keeps the best policy of 5-episode validations every 5,000 frames
 * ({@link OffPolicyTrainer#keepBestPolicy}).
 */
public final class DQNTrainer extends OffPolicyTrainer {
    /**
     * The hyperparameters. {@code targetUpdateInterval}: gradient updates between copies of the Q
     * network into its target when {@code targetTau} is 0 (else the target moves by
     * {@code θ̄ ← (1 − τ)θ̄ + τθ} at every update); {@code explorationFrames}: frames over which ε goes from
     * {@code epsilonStart} to {@code epsilonEnd}; prioritized replay: {@code alpha}, β from
     * {@code beta0} to 1 over {@code betaFrames}.
     */
    public record Config(int hidden, int depth, double lr, double gamma, double maxGradNorm, int batchSize, int bufferCapacity, long warmupFrames,
                         int stepsPerRollout, int updatesPerRollout, int targetUpdateInterval, double targetTau, double epsilonStart, double epsilonEnd,
                         long explorationFrames, boolean doubleDqn, boolean prioritized, double alpha, double beta0, long betaFrames) {
        public static Config defaults() {
            return new Config(128, 2, 1e-3, 0.995, 10.0, 128, 100_000, 1000, 4, 2, 500, 0.005, 1.0, 0.04, 8000, true, false, 0.6, 0.4, 60_000);
        }

        public Config withPrioritized(boolean on) {
            return new Config(hidden, depth, lr, gamma, maxGradNorm, batchSize, bufferCapacity, warmupFrames, stepsPerRollout, updatesPerRollout,
                    targetUpdateInterval, targetTau, epsilonStart, epsilonEnd, explorationFrames, doubleDqn, on, alpha, beta0, betaFrames);
        }

        public Config withDoubleDqn(boolean on) {
            return new Config(hidden, depth, lr, gamma, maxGradNorm, batchSize, bufferCapacity, warmupFrames, stepsPerRollout, updatesPerRollout,
                    targetUpdateInterval, targetTau, epsilonStart, epsilonEnd, explorationFrames, on, prioritized, alpha, beta0, betaFrames);
        }
    }

    private final Config config;
    private final int actions;
    private final MLP qNetwork;
    private final DQNLoss loss;
    private final TargetNetUpdater target;
    private final Adam optimizer;
    private final LinearSchedule epsilon;
    private final LinearSchedule beta;

    public DQNTrainer(String envId, long seed) {
        this(envId, seed, Config.defaults());
    }

    public DQNTrainer(String envId, long seed, Config config) {
        super(envId, seed, new LoopSettings(1, config.stepsPerRollout(), config.updatesPerRollout(), config.batchSize(), config.bufferCapacity(),
                config.warmupFrames()), buffer(config));
        if (!(spec.actionSpace() instanceof ActionSpace.Discrete d)) {
            throw new IllegalArgumentException("DQN: expected an environment with discrete actions, got " + envId + " with " + spec.actionSpace());
        }
        this.config = config;
        this.actions = d.n();
        this.qNetwork = MLP.builder(spec.observationDim(), actions).numCells(config.hidden()).depth(config.depth()).activation(ReLU::new)
                .dtype(DType.FLOAT32).generator(new Generator(seed)).build();
        this.loss = DQNLoss.builder(qNetwork).actionSpace("categorical").doubleDqn(config.doubleDqn()).lossFunction("smooth_l1").build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", config.gamma()));
        // HardUpdate copies on its (interval + 1)-th step: interval - 1 gives a copy every targetUpdateInterval updates.
        this.target = config.targetTau() > 0 ? SoftUpdate.withTau(loss, config.targetTau())
                : new HardUpdate(loss, Math.max(0, config.targetUpdateInterval() - 1));
        this.optimizer = new Adam(loss.parameters(), config.lr());
        this.epsilon = new LinearSchedule(config.epsilonStart(), config.epsilonEnd(), config.explorationFrames());
        this.beta = new LinearSchedule(config.beta0(), 1.0, config.betaFrames());
        // DQN's greedy policy on CartPole can collapse late in training (see above): keep the best one.
        keepBestPolicy(5_000, 5);
    }

    @Override
    protected List<Tensor> policyParameters() { return qNetwork.parameters(); }

    /** {@code ./rlgrad train}'s default length: 60,000 frames (the frames the CartPole-v1 learning test trains for). */
    @Override
    public long defaultFrames() { return 60_000; }

    private static ReplayBuffer buffer(Config c) {
        return c.prioritized() ? new PrioritizedReplayBuffer(c.bufferCapacity(), c.alpha(), c.beta0(), 1e-6) : new ReplayBuffer(c.bufferCapacity());
    }

    @Override
    public String algorithm() { return "dqn"; }

    public Config config() { return config; }

    @Override
    protected TensorDict explore(TensorDict root, long frames) {
        long[] greedy = greedy(root);
        double eps = epsilon.at(frames);
        for (int i = 0; i < greedy.length; i++) if (rng.nextDouble() < eps) greedy[i] = rng.nextInt(actions);
        root.set("action", Tensor.of(greedy, greedy.length));
        return root;
    }

    @Override
    protected TensorDict act(TensorDict root) {
        long[] greedy = greedy(root);
        root.set("action", Tensor.of(greedy, greedy.length));
        return root;
    }

    /** argmax_a Q(s, a) per row, ties to the lowest index. */
    private long[] greedy(TensorDict root) {
        float[] q;
        try (GradMode.Scope g = GradMode.noGrad()) {
            q = qNetwork.forward(root.get("observation")).toFloatArray();
        }
        int n = q.length / actions;
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int a = 1; a < actions; a++) if (q[i * actions + a] > q[i * actions + best]) best = a;
            out[i] = best;
        }
        return out;
    }

    @Override
    protected void update(TensorDict sample, long frames) {
        if (buffer() instanceof PrioritizedReplayBuffer per) per.setBeta(beta.at(frames));
        optimizer.zeroGrad();
        TensorDict out = loss.forward(sample);
        LossOutputs.totalLoss(out).backward();
        ClipGrad.clipGradNorm(optimizer.params(), config.maxGradNorm());
        optimizer.step();
        target.step();
        if (buffer() instanceof PrioritizedReplayBuffer per) {
            double[] squared = sample.get(loss.key("priority")).toDoubleArray();
            double[] delta = new double[squared.length];
            for (int i = 0; i < delta.length; i++) delta[i] = Math.sqrt(squared[i]);
            int[] slots = new int[delta.length];
            long[] index = sample.get(ReplayBuffer.INDEX_KEY).toLongArray();
            for (int i = 0; i < slots.length; i++) slots[i] = (int) index[i];
            per.update(slots, delta);
        }
    }
}
