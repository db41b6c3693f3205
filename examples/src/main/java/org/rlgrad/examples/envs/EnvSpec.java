package org.rlgrad.examples.envs;

/**
 * What an environment is: its Gymnasium id, the length of its observation vector, its action
 * space, and the episode length at which {@link TimeLimit} truncates it ({@code 0}: none).
 */
public record EnvSpec(String id, int observationDim, ActionSpace actionSpace, int maxEpisodeSteps) {
    public EnvSpec {
        if (observationDim < 1) throw new IllegalArgumentException(id + ": observationDim must be positive, got " + observationDim);
        if (maxEpisodeSteps < 0) throw new IllegalArgumentException(id + ": maxEpisodeSteps must be >= 0, got " + maxEpisodeSteps);
    }

    public boolean discrete() { return actionSpace instanceof ActionSpace.Discrete; }
}
