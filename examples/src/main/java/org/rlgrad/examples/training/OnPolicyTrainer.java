package org.rlgrad.examples.training;


import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.examples.envs.VectorEnv;

/**
 * The loop shared by the on-policy trainers (PPO, A2C): collect a rollout of {@code rolloutSteps}
 * steps from each of {@code numEnvs} environment copies with the current stochastic policy
 * (batch {@code [n_envs, T]}, TorchRL's layout), hand it to {@link #update} once, throw it away,
 * repeat. Every finished episode becomes a point of the {@link LearningCurve}; the listener hears
 * after each rollout.
 *
 * <p>The estimators work on the rollout as collected: time is its last batch dim, episodes that
 * end inside it are cut by {@code next/done}, and a step truncated by the time limit keeps its
 * true next observation, so GAE bootstraps from {@code V(s')} there and only a terminated step
 * counts as the end of the return.
 */
public abstract class OnPolicyTrainer implements Trainer {

    private final String algorithm;
    private final String envId;
    protected final ActorCritic networks;
    private final Collector collector;
    private final int rolloutSteps;
    private final LearningCurve curve = new LearningCurve();

    protected OnPolicyTrainer(String algorithm, String envId, long seed, int numEnvs, int rolloutSteps, int[] hidden) {
        this.algorithm = algorithm;
        this.envId = envId;
        VectorEnv env = VectorEnv.of(envId, numEnvs, seed);
        this.networks = ActorCritic.create(env.spec(), hidden, seed);
        this.rolloutSteps = rolloutSteps;
        this.collector = new Collector(env, td -> {
            try (GradMode.Scope s = InteractionType.set(InteractionType.RANDOM)) {
                return networks.actor().forward(td);
            }
        });
    }

    @Override
    public final String algorithm() { return algorithm; }

    @Override
    public final String envId() { return envId; }

    /** The actor and critic being trained. */
    public final ActorCritic networks() { return networks; }

    /** Environment steps per rollout, over all copies. */
    public final int framesPerRollout() { return rolloutSteps * collector.env().size(); }

    /**
     * Learns from one rollout {@code [n_envs, T]}. {@code remaining} is the fraction of this
     * {@link #train} call still ahead before the rollout's update (1 at the first, {@code 1/n} at
     * the last), for linear annealing as CleanRL does it.
     */
    protected abstract void update(TensorDict rollout, double remaining);

    @Override
    public final LearningCurve train(long frames, ProgressListener listener) {
        if (frames < 1) throw new IllegalArgumentException(algorithm + ": expected a positive number of frames, got " + frames);
        long rollouts = Math.max(1, (frames + framesPerRollout() - 1) / framesPerRollout());
        long start = System.nanoTime(), startFrames = collector.frames(), total = rollouts * framesPerRollout();
        for (long i = 0; i < rollouts; i++) {
            TensorDict rollout = collector.rollout(rolloutSteps);
            for (VectorEnv.Episode e : collector.env().drainFinishedEpisodes()) curve.record(collector.frames(), e.episodeReturn());
            update(rollout, 1.0 - (double) i / rollouts);
            double seconds = (System.nanoTime() - start) * 1e-9;
            listener.update(new Progress(collector.frames() - startFrames, total, curve.episodes(), curve.lastRecentReturn(), seconds));
        }
        return curve;
    }

    /** The curve so far, over every {@link #train} call. */
    public final LearningCurve curve() { return curve; }

    /** Scores the actor in {@link InteractionType#MODE} (the argmax action; the Normal's mean) by {@link Evaluation#meanReturn}. */
    @Override
    public double evaluate(int episodes, long seed) {
        try (GradMode.Scope m = InteractionType.set(InteractionType.MODE)) {
            return Evaluation.meanReturn(algorithm, envId, episodes, seed, root -> networks.actor().forward(root));
        }
    }
}
