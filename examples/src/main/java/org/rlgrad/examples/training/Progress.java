package org.rlgrad.examples.training;

/**
 * Where a training run stands: environment steps done out of the total, episodes finished, the
 * mean return of the recent episodes (NaN before the first one ends) and the seconds since it began.
 */
public record Progress(long frames, long totalFrames, int episodes, double recentReturn, double elapsedSeconds) {
    /** Environment steps per second so far. */
    public double framesPerSecond() {
        return elapsedSeconds > 0 ? frames / elapsedSeconds : 0;
    }

    /** Estimated seconds left at the rate so far (NaN before any step). */
    public double secondsLeft() {
        double rate = framesPerSecond();
        return rate > 0 ? (totalFrames - frames) / rate : Double.NaN;
    }
}
