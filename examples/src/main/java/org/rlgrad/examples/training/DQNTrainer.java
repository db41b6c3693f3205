package org.rlgrad.examples.training;

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

/**
 * Deep Q-learning (Mnih et al. 2015), optionally double (van Hasselt et al. 2016) and with
 * prioritized replay (Schaul et al. 2016), for discrete actions.
 *
 * <p>A Q network {@code observation → Q(s, ·)} (an {@link MLP}, ReLU), {@link DQNLoss} (Huber
 * distance, TD(0) target from a delayed copy moved by {@link HardUpdate}), Adam with the gradient
 * norm clipped, ε-greedy exploration with ε annealed linearly by a {@link LinearSchedule}, and a
 * uniform or {@link PrioritizedReplayBuffer prioritized} replay buffer. With prioritized replay the
 * loss weighs its mean by the sample's {@code priority_weight} and the buffer takes
 * {@code |δ| = sqrt(td_error)} as the new priorities (DQNLoss writes the squared TD error).
 *
 * <p>Default hyperparameters ({@link Config#defaults()}) follow the rl-baselines3-zoo settings for
 * CartPole-v1 (lr 2.3e-3, batch 64, learning starts 1000, γ 0.99, ε from 1 to 0.04 over 16 % of
 * 50k steps, 128 gradient steps every 256 steps, target copied after each such round, Huber loss,
 * gradient norm 10), with a 2x128 network instead of 2x256 to halve the cost of an update here.
 */
public final class DQNTrainer extends OffPolicyTrainer {
    /**
     * The hyperparameters. {@code targetUpdateInterval}: gradient updates between copies of the Q
     * network into its target; {@code explorationFrames}: frames over which ε goes from
     * {@code epsilonStart} to {@code epsilonEnd}; prioritized replay: {@code alpha}, β from
     * {@code beta0} to 1 over {@code betaFrames}.
     */
    public record Config(int hidden, int depth, double lr, double gamma, double maxGradNorm, int batchSize, int bufferCapacity, long warmupFrames,
                         int stepsPerRollout, int updatesPerRollout, int targetUpdateInterval, double epsilonStart, double epsilonEnd,
                         long explorationFrames, boolean lrAnneal, boolean doubleDqn, boolean prioritized, double alpha, double beta0, long betaFrames) {
        public static Config defaults() {
            return new Config(128, 2, 2.3e-3, 0.99, 10.0, 64, 100_000, 1000, 256, 128, 128, 1.0, 0.04, 8000, false, false, false, 0.6, 0.4, 50_000);
        }

        public Config withPrioritized(boolean on) {
            return new Config(hidden, depth, lr, gamma, maxGradNorm, batchSize, bufferCapacity, warmupFrames, stepsPerRollout, updatesPerRollout,
                    targetUpdateInterval, epsilonStart, epsilonEnd, explorationFrames, lrAnneal, doubleDqn, on, alpha, beta0, betaFrames);
        }

        public Config withDoubleDqn(boolean on) {
            return new Config(hidden, depth, lr, gamma, maxGradNorm, batchSize, bufferCapacity, warmupFrames, stepsPerRollout, updatesPerRollout,
                    targetUpdateInterval, epsilonStart, epsilonEnd, explorationFrames, lrAnneal, on, prioritized, alpha, beta0, betaFrames);
        }
    }

    private final Config config;
    private final int actions;
    private final MLP qNetwork;
    private final DQNLoss loss;
    private final HardUpdate target;
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
        this.target = new HardUpdate(loss, Math.max(0, config.targetUpdateInterval() - 1));
        this.optimizer = new Adam(loss.parameters(), config.lr());
        this.epsilon = new LinearSchedule(config.epsilonStart(), config.epsilonEnd(), config.explorationFrames());
        this.beta = new LinearSchedule(config.beta0(), 1.0, config.betaFrames());
    }

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
        if (config.lrAnneal()) for (var g : optimizer.paramGroups()) g.setLr(config.lr() * remaining(frames));
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
