package org.rlgrad.examples.training;

/**
 * A value moving linearly from {@code start} to {@code end} over {@code duration} steps and
 * staying at {@code end} after: the ε of ε-greedy exploration (Mnih et al. 2015; SB3's
 * {@code exploration_fraction}) and the β of prioritized replay (Schaul et al. 2016).
 */
public record LinearSchedule(double start, double end, long duration) {
    public LinearSchedule {
        if (duration < 0) throw new IllegalArgumentException("LinearSchedule: expected a duration >= 0, got " + duration);
    }

    /** The value after {@code step} steps. */
    public double at(long step) {
        if (duration == 0 || step >= duration) return end;
        return start + (end - start) * Math.max(0, step) / duration;
    }
}
