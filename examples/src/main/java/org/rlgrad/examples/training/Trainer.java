package org.rlgrad.examples.training;

/**
 * An agent and the loop that trains it on one environment, built only from the public API of the
 * engine, the estimators and the losses. {@link Algorithms} makes one by name.
 */
public interface Trainer {
    /** The algorithm's name as the command line takes it ({@code ppo}, {@code dqn}, ...). */
    String algorithm();

    /** The environment's Gymnasium id. */
    String envId();

    /**
     * The environment steps {@code ./rlgrad train} runs when no {@code --steps} is given: enough for
     * this trainer's defaults to learn its environment. Trainers that name none get 100 000, the
     * order of what the classic-control tasks take with the usual baselines' defaults.
     */
    default long defaultFrames() { return 100_000; }

    /** Trains for {@code frames} environment steps (over all parallel copies), telling {@code listener} as it goes. */
    LearningCurve train(long frames, ProgressListener listener);

    /**
     * The mean undiscounted return of {@code episodes} fresh episodes of the current policy acting
     * deterministically (greedy, or the distribution's mode), seeded by {@code seed}; no learning.
     */
    double evaluate(int episodes, long seed);
}
