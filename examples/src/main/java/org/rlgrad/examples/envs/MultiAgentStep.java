package org.rlgrad.examples.envs;

/**
 * The outcome of one joint step of a cooperative multi-agent environment: what the agents see
 * next, the one team reward they share, and how the episode ended if it did ({@code terminated}:
 * the task's own end, after which the next state has no value; {@code truncated}: cut for time).
 */
public record MultiAgentStep(MultiAgentObservation observation, double reward, boolean terminated, boolean truncated) {
    public boolean done() { return terminated || truncated; }
}
