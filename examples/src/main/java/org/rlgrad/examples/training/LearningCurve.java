package org.rlgrad.examples.training;

import java.util.ArrayList;
import java.util.List;

/**
 * The learning curve of a run: after every finished episode, the environment steps so far and the
 * mean return of the recent episodes (the window a trainer reports with).
 */
public final class LearningCurve {
    /** One point: steps so far, the episode's own return, and the recent mean. */
    public record Point(long frames, double episodeReturn, double recentReturn) {}

    private final List<Point> points = new ArrayList<>();

    public void add(long frames, double episodeReturn, double recentReturn) {
        points.add(new Point(frames, episodeReturn, recentReturn));
    }

    public List<Point> points() { return List.copyOf(points); }

    public boolean isEmpty() { return points.isEmpty(); }

    /** The recent mean at the last point (NaN when no episode finished). */
    public double lastRecentReturn() {
        return points.isEmpty() ? Double.NaN : points.getLast().recentReturn();
    }
}
