package org.rlgrad.examples.training;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.envs.EnvSpec;
import org.rlgrad.examples.envs.Environments;
import org.rlgrad.examples.envs.VectorEnv;
import org.rlgrad.examples.training.replay.ReplayBuffer;

/**
 * The loop every off-policy trainer here shares (DQN, DDPG, TD3, SAC; the shape of SB3's
 * {@code OffPolicyAlgorithm} and TorchRL's off-policy examples):
 * <ol>
 *   <li>the {@link Collector} takes {@code stepsPerRollout} steps of every environment copy with
 *       the trainer's exploration, or uniformly random actions during the first
 *       {@code warmupFrames} frames;</li>
 *   <li>the transitions ({@code observation}, {@code action} and {@code next}'s
 *       {@code observation}, {@code reward}, {@code done}, {@code terminated}) go into the replay
 *       buffer;</li>
 *   <li>once the warm-up is over, {@code updatesPerRollout} gradient updates, each on a fresh
 *       sample of {@code batchSize} transitions ({@link #update});</li>
 *   <li>finished episodes extend the {@link LearningCurve} (return, and the mean of the last
 *       {@value LearningCurve#RECENT_EPISODES}); the listener hears about progress every few thousand frames.</li>
 * </ol>
 * Updates run in a {@link MemoryScope}, so each one reuses the previous one's buffers.
 * {@link #evaluate} runs fresh copies of the environment with {@link #act}, the deterministic policy.
 */
public abstract class OffPolicyTrainer implements Trainer {
    private static final long REPORT_EVERY_FRAMES = 1000;
    private static final List<Key> STORED_KEYS = List.of(Key.of("observation"), Key.of("action"), Key.of("next", "observation"), Key.of("next", "reward"),
            Key.of("next", "done"), Key.of("next", "terminated"));

    /** What the loop needs besides the algorithm itself. */
    public record LoopSettings(int numEnvs, int stepsPerRollout, int updatesPerRollout, int batchSize, int bufferCapacity, long warmupFrames) {
        public LoopSettings {
            if (numEnvs < 1 || stepsPerRollout < 1 || updatesPerRollout < 0 || batchSize < 1 || bufferCapacity < 1 || warmupFrames < 0) {
                throw new IllegalArgumentException("LoopSettings: expected positive counts (updatesPerRollout and warmupFrames >= 0), got " + this);
            }
        }
    }

    protected final String envId;
    protected final long seed;
    protected final EnvSpec spec;
    /** Exploration, warm-up actions and replay sampling draw from it. */
    protected final RandomGenerator rng;
    private final LoopSettings loop;
    private final ReplayBuffer buffer;
    private final LearningCurve curve = new LearningCurve();
    private VectorEnv env;
    private Collector collector;
    private long updates;
    private long checkEveryFrames;
    private int checkEpisodes;
    private double bestScore = Double.NEGATIVE_INFINITY;
    private List<Tensor> bestPolicy;

    protected OffPolicyTrainer(String envId, long seed, LoopSettings loop, ReplayBuffer buffer) {
        this.envId = envId;
        this.seed = seed;
        this.spec = Environments.make(envId).spec();
        this.rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed ^ 0x5DEECE66DL);
        this.loop = loop;
        this.buffer = buffer;
    }

    @Override
    public final String envId() { return envId; }

    /** The replay buffer (for tests and inspection). */
    public final ReplayBuffer buffer() { return buffer; }

    /** Gradient updates done so far. */
    public final long updates() { return updates; }

    /** Environment frames taken so far. */
    public final long frames() { return collector == null ? 0 : collector.frames(); }

    /** Writes an exploring {@code action} into {@code root} (after the warm-up); no gradient is recorded. */
    protected abstract TensorDict explore(TensorDict root, long frames);

    /** Writes the deterministic {@code action} into {@code root} (greedy, or the policy's mode). */
    protected abstract TensorDict act(TensorDict root);

    /** One gradient update on {@code sample} (batch {@code [batchSize]}); {@code frames} tells schedules where training stands. */
    protected abstract void update(TensorDict sample, long frames);

    /** The parameters {@link #act} reads, which {@link #keepBestPolicy} saves and puts back; none by default. */
    protected List<Tensor> policyParameters() {
        return List.of();
    }

    /**
     * Keeps the best policy seen, as Stable-Baselines3's {@code EvalCallback} keeps its best model:
     * every {@code everyFrames} frames after the warm-up the policy plays {@code episodes}
     * deterministic validation episodes (seeds derived from the trainer's, never the caller's
     * evaluation seeds), and when {@link #train} ends the {@link #policyParameters} of the best
     * validation score are put back if the final policy validates worse. For algorithms whose
     * greedy policy can collapse late in training (DQN on CartPole).
     */
    protected final void keepBestPolicy(long everyFrames, int episodes) {
        if (everyFrames < 1 || episodes < 1) {
            throw new IllegalArgumentException(algorithm() + ": keepBestPolicy needs positive frames and episodes, got " + everyFrames + " and " + episodes);
        }
        if (policyParameters().isEmpty()) throw new IllegalStateException(algorithm() + ": keepBestPolicy needs policyParameters()");
        this.checkEveryFrames = everyFrames;
        this.checkEpisodes = episodes;
    }

    /** The best validation score {@link #keepBestPolicy} has seen (negative infinity before the first check). */
    public final double bestValidationScore() { return bestScore; }

    @Override
    public final LearningCurve train(long frames, ProgressListener listener) {
        if (frames < 1) throw new IllegalArgumentException(algorithm() + ".train: expected a positive number of frames, got " + frames);
        if (env == null) {
            env = VectorEnv.of(envId, loop.numEnvs(), seed);
            collector = new Collector(env, root -> collector.frames() < loop.warmupFrames() ? randomAction(root) : explore(root, collector.frames()));
        }
        long start = collector.frames(), end = start + frames, nextReport = start;
        long nextCheck = Math.max(start, loop.warmupFrames()) + checkEveryFrames;
        long began = System.nanoTime();
        while (collector.frames() < end) {
            TensorDict batch = collector.rollout(loop.stepsPerRollout());
            buffer.extend(batch.select(STORED_KEYS, true));
            for (VectorEnv.Episode e : env.drainFinishedEpisodes()) curve.record(collector.frames(), e.episodeReturn());
            if (collector.frames() >= loop.warmupFrames()) {
                for (int u = 0; u < loop.updatesPerRollout(); u++) {
                    try (MemoryScope scope = MemoryScope.open()) {
                        update(buffer.sample(loop.batchSize(), rng), collector.frames());
                    }
                    updates++;
                }
            }
            if (checkEveryFrames > 0 && collector.frames() >= nextCheck) {
                validate();
                nextCheck += checkEveryFrames;
            }
            if (collector.frames() >= nextReport || collector.frames() >= end) {
                listener.update(new Progress(collector.frames() - start, frames, curve.episodes(), curve.lastRecentReturn(), (System.nanoTime() - began) / 1e9));
                nextReport = collector.frames() + REPORT_EVERY_FRAMES;
            }
        }
        if (checkEveryFrames > 0 && bestPolicy != null && validationScore() < bestScore) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                List<Tensor> params = policyParameters();
                for (int i = 0; i < params.size(); i++) params.get(i).copy_(bestPolicy.get(i));
            }
        }
        return curve;
    }

    /** Scores the current policy on the validation episodes and saves it when it is the best so far. */
    private void validate() {
        double score = validationScore();
        if (score >= bestScore) {
            bestScore = score;
            try (GradMode.Scope g = GradMode.noGrad()) {
                bestPolicy = policyParameters().stream().map(t -> t.detach().clone()).toList();
            }
        }
    }

    private double validationScore() {
        return evaluate(checkEpisodes, seed * 1_000_003L + 17);
    }

    /** Uniform random actions: an index for a discrete space, a point of the box for a continuous one. */
    private TensorDict randomAction(TensorDict root) {
        int n = root.batchSize()[0];
        if (spec.actionSpace() instanceof ActionSpace.Discrete d) {
            long[] a = new long[n];
            for (int i = 0; i < n; i++) a[i] = rng.nextInt(d.n());
            root.set("action", Tensor.of(a, n));
        } else {
            ActionSpace.Box box = (ActionSpace.Box) spec.actionSpace();
            double[] low = box.low(), high = box.high();
            int dim = low.length;
            float[] a = new float[n * dim];
            for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) a[i * dim + j] = (float) (low[j] + (high[j] - low[j]) * rng.nextDouble());
            root.set("action", Tensor.of(a, n, dim));
        }
        return root;
    }

    /** Scores {@link #act} by {@link Evaluation#meanReturn}: one episode per copy of a fresh {@link VectorEnv} seeded by {@code seed}. */
    @Override
    public final double evaluate(int episodes, long seed) {
        return Evaluation.meanReturn(algorithm(), envId, episodes, seed, this::act);
    }

    /** A float32 {@code [n, dim]} tensor of {@code values}. */
    protected static Tensor float32(double[] values, int n, int dim) {
        return Tensor.of(DType.FLOAT32, values, n, dim);
    }
}
