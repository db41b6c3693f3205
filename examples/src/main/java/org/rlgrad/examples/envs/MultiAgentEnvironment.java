package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * A cooperative multi-agent environment: every agent observes its own view and picks one of
 * {@code spec().actions()} discrete actions; the joint action earns one team reward. A global
 * state is given beside the observations, for methods that train with it (QMIX's mixer, a
 * centralised critic) and act without it. Unlike the single-agent {@link Environment}, the
 * episode's time limit is the environment's own ({@code spec().maxEpisodeSteps()}), marked
 * {@code truncated}. {@link MultiAgentVectorEnv} batches copies in TorchRL's multi-agent layout.
 */
public interface MultiAgentEnvironment {
    MultiAgentSpec spec();

    /** Starts an episode, drawing its initial state from {@code rng}. */
    MultiAgentObservation reset(RandomGenerator rng);

    /** One joint step: {@code actions[i]} is agent {@code i}'s action index. An error before reset or after the episode ended. */
    MultiAgentStep step(int[] actions);
}
