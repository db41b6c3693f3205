package org.rlgrad.examples.envs;

/**
 * An environment whose physical state can be read and set: Gymnasium's
 * {@code env.unwrapped.state}. It exists for tests that replay a reference trajectory recorded
 * by Gymnasium from a known state, and for replays of recorded episodes; training never needs it.
 *
 * <p>{@link #setState} restarts the episode from the given state as if {@code reset} had drawn
 * it (a wrapper's step count, such as {@link TimeLimit}'s, is not touched: set the state right
 * after {@code reset}, as one does in Gymnasium).
 */
public interface SettableState {
    /** A copy of the state, in the order {@link #setState} takes it. */
    double[] state();

    /** Replaces the state (the environment's documented order); an error if the length is wrong. */
    void setState(double... state);

    /** {@code state} checked to have {@code n} finite numbers. */
    static double[] checked(double[] state, int n, String id) {
        if (state == null || state.length != n) {
            throw new IllegalArgumentException(id + ": expected a state of " + n + " numbers, got " + (state == null ? "null" : state.length));
        }
        for (double v : state) if (!Double.isFinite(v)) throw new IllegalArgumentException(id + ": the state holds a non-finite number " + v);
        return state.clone();
    }
}
