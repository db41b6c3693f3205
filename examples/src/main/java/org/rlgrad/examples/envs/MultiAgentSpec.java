package org.rlgrad.examples.envs;

/**
 * What a cooperative multi-agent environment is: its id, the number of agents, the length of each
 * agent's observation, the length of the global state (what a centralised critic or a QMIX mixer
 * reads in training), the number of discrete actions each agent has, and the episode length at
 * which it is truncated.
 */
public record MultiAgentSpec(String id, int agents, int observationDim, int stateDim, int actions, int maxEpisodeSteps) {
    public MultiAgentSpec {
        if (agents < 1) throw new IllegalArgumentException(id + ": expected at least one agent, got " + agents);
        if (observationDim < 1 || stateDim < 1) throw new IllegalArgumentException(id + ": observationDim and stateDim must be positive, got " + observationDim + " and " + stateDim);
        if (actions < 2) throw new IllegalArgumentException(id + ": expected at least 2 actions per agent, got " + actions);
        if (maxEpisodeSteps < 1) throw new IllegalArgumentException(id + ": maxEpisodeSteps must be positive, got " + maxEpisodeSteps);
    }
}
