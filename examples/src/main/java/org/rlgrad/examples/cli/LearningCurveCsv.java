package org.rlgrad.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlgrad.examples.training.LearningCurve;

/**
 * A learning curve as CSV, one row per finished episode:
 * <pre>
 *   frames,episode_return,recent_mean_return
 *   1024,23.0,23.0
 * </pre>
 * Numbers are written as Java prints them ({@link Double#toString}), which reads back to the same
 * double, so {@link #read} returns exactly what {@link #write} was given. A recent mean that is
 * not a number is written {@code NaN}.
 */
public final class LearningCurveCsv {
    public static final String HEADER = "frames,episode_return,recent_mean_return";

    private LearningCurveCsv() {}

    /** Writes {@code curve} to {@code file} (its parent directories are made). */
    public static void write(LearningCurve curve, Path file) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (LearningCurve.Point p : curve.points()) lines.add(p.frames() + "," + p.episodeReturn() + "," + p.recentReturn());
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the learning curve to " + file, e);
        }
    }

    /** Reads a file written by {@link #write}; a wrong header or a malformed row is an error naming its line. */
    public static LearningCurve read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
            throw new IOException(file + ": expected the header '" + HEADER + "', got " + (lines.isEmpty() ? "an empty file" : "'" + lines.getFirst() + "'"));
        }
        LearningCurve curve = new LearningCurve();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) continue;
            String[] cells = line.split(",", -1);
            try {
                if (cells.length != 3) throw new NumberFormatException("expected 3 cells, got " + cells.length);
                curve.add(Long.parseLong(cells[0]), Double.parseDouble(cells[1]), Double.parseDouble(cells[2]));
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + (i + 1) + ": expected frames,episode_return,recent_mean_return, got '" + line + "' (" + e.getMessage() + ")", e);
            }
        }
        return curve;
    }
}
