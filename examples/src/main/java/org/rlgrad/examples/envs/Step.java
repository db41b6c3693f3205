package org.rlgrad.examples.envs;

/**
 * The outcome of one step: the next observation, the reward, and how the episode ended if it did.
 * {@code terminated}: the task's own end (the pole fell, the goal was reached), after which the
 * value of the next state is zero. {@code truncated}: the episode was cut for time, and the next
 * state still has a value (estimators bootstrap from it).
 */
public record Step(double[] observation, double reward, boolean terminated, boolean truncated) {
    /** The episode is over, for either reason. */
    public boolean done() { return terminated || truncated; }
}
