package org.rlgrad.examples.cli;

import java.io.PrintStream;
import java.util.Locale;

import org.rlgrad.examples.training.Progress;
import org.rlgrad.examples.training.ProgressListener;

/**
 * A training run's progress on the terminal, one line:
 * <pre>
 *   [##########··············]  41% 41,216/100,352 steps | 6,120 steps/s | recent return 312.4 | 0:09 left
 * </pre>
 * On a terminal ({@code interactive}) the line is redrawn in place with a carriage return, at most
 * every {@code 0.1 s}, and ends with a newline when the run is done. Elsewhere (a CI log, a pipe)
 * a fresh line is printed every {@code logIntervalSeconds} (the first after one interval) and at
 * the end, so logs stay short and readable. Throttling runs on the progress's own clock ({@link Progress#elapsedSeconds()}), which
 * makes the output a function of the updates alone.
 */
public final class ProgressBar implements ProgressListener {
    /** Characters of the bar between its brackets. */
    public static final int BAR_WIDTH = 24;
    /** Seconds between redraws on a terminal. */
    public static final double REDRAW_SECONDS = 0.1;

    private final PrintStream out;
    private final boolean interactive;
    private final double logIntervalSeconds;
    /** When the last line was shown; a log's first line waits one interval, past the warm-up's misleading rate. */
    private double lastShown;
    private int lastLength;
    private boolean done;

    public ProgressBar(PrintStream out, boolean interactive, double logIntervalSeconds) {
        if (!(logIntervalSeconds > 0)) throw new IllegalArgumentException("ProgressBar: expected a positive log interval, got " + logIntervalSeconds);
        this.out = out;
        this.interactive = interactive;
        this.logIntervalSeconds = logIntervalSeconds;
        this.lastShown = interactive ? Double.NEGATIVE_INFINITY : 0;
    }

    /** A bar for standard output: redrawn in place when it is a terminal ({@code System.console() != null}), else a line every 5 s. */
    public static ProgressBar forStandardOutput() {
        return new ProgressBar(System.out, System.console() != null, 5.0);
    }

    @Override
    public void update(Progress p) {
        if (done) return;
        boolean last = p.frames() >= p.totalFrames();
        double interval = interactive ? REDRAW_SECONDS : logIntervalSeconds;
        if (!last && p.elapsedSeconds() - lastShown < interval) return;
        lastShown = p.elapsedSeconds();
        String line = render(p);
        if (interactive) {
            // Spaces wipe what a longer previous line left behind.
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            if (last) out.println();
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
        done = last;
    }

    /** The line for {@code p}. */
    public static String render(Progress p) {
        double fraction = p.totalFrames() > 0 ? Math.min(1.0, (double) p.frames() / p.totalFrames()) : 0;
        int filled = (int) Math.floor(fraction * BAR_WIDTH);
        String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
        String ret = Double.isNaN(p.recentReturn()) ? "--" : String.format(Locale.ROOT, "%.1f", p.recentReturn());
        return String.format(Locale.ROOT, "[%s] %3d%% %,d/%,d steps | %,.0f steps/s | recent return %s | %s left", bar, (int) Math.floor(fraction * 100),
                p.frames(), p.totalFrames(), p.framesPerSecond(), ret, duration(p.secondsLeft()));
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour; {@code --:--} when unknown. */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "--:--";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
