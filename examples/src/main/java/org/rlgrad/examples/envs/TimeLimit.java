package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * Gymnasium's {@code TimeLimit}: the step at which the episode reaches
 * {@code spec().maxEpisodeSteps()} is marked truncated (unless it terminated on that very step).
 */
public final class TimeLimit implements Environment {
    private final Environment inner;
    private final int maxSteps;
    private int elapsed = -1;

    public TimeLimit(Environment inner, int maxSteps) {
        if (maxSteps < 1) throw new IllegalArgumentException("TimeLimit: maxSteps must be positive, got " + maxSteps);
        this.inner = inner;
        this.maxSteps = maxSteps;
    }

    @Override
    public EnvSpec spec() { return inner.spec(); }

    @Override
    public Environment unwrapped() { return inner.unwrapped(); }

    /** The episode length at which steps are marked truncated. */
    public int maxSteps() { return maxSteps; }

    @Override
    public double[] reset(RandomGenerator rng) {
        elapsed = 0;
        return inner.reset(rng);
    }

    @Override
    public Step step(double[] action) {
        if (elapsed < 0) throw new IllegalStateException(spec().id() + ": step before reset");
        Step s = inner.step(action);
        elapsed++;
        if (elapsed >= maxSteps && !s.terminated()) return new Step(s.observation(), s.reward(), false, true);
        return s;
    }
}
