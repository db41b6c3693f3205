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

    /** Episodes averaged in the recent mean return of {@link #record}. */
    public static final int RECENT_EPISODES = 20;

    private final List<Point> points = new ArrayList<>();

    /** Adds a finished episode at {@code frames}, with the mean of the last {@link #RECENT_EPISODES} returns, this one included. */
    public void record(long frames, double episodeReturn) {
        int from = Math.max(0, points.size() + 1 - RECENT_EPISODES);
        double sum = 0;
        for (int i = from; i < points.size(); i++) sum += points.get(i).episodeReturn();
        add(frames, episodeReturn, (sum + episodeReturn) / (points.size() + 1 - from));
    }

    public void add(long frames, double episodeReturn, double recentReturn) {
        points.add(new Point(frames, episodeReturn, recentReturn));
    }

    public List<Point> points() { return List.copyOf(points); }

    public boolean isEmpty() { return points.isEmpty(); }

    /** The number of episodes on the curve. */
    public int episodes() { return points.size(); }

    /** The recent mean at the last point (NaN when no episode finished). */
    public double lastRecentReturn() {
        return points.isEmpty() ? Double.NaN : points.getLast().recentReturn();
    }
}
