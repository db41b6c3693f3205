package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * A single-agent environment in the Gymnasium style, on plain arrays: {@link #reset} starts an
 * episode, {@link #step} advances it. A discrete action is passed as {@code action[0]} (its index);
 * a continuous one as the vector. Episodes are truncated by {@link TimeLimit}, which
 * {@link Environments#make} wraps every built-in environment in, not by the environment itself.
 */
public interface Environment {
    EnvSpec spec();

    /** Starts an episode, drawing its initial state from {@code rng}; returns the first observation. */
    double[] reset(RandomGenerator rng);

    /** One step with {@code action}; an error before {@link #reset} or after a terminated step. */
    Step step(double[] action);

    /**
     * The innermost environment under any wrappers (Gymnasium's {@code env.unwrapped}): the
     * environment itself unless this is a wrapper such as {@link TimeLimit}.
     */
    default Environment unwrapped() { return this; }
}
