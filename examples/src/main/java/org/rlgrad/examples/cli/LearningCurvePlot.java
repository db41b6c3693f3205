package org.rlgrad.examples.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.rlgrad.examples.training.LearningCurve;

/**
 * The learning curve as a PNG, drawn with {@code java.awt} alone (headless): environment steps on
 * the x-axis, return on the y-axis, each finished episode's return as a faint line and the mean of
 * the recent episodes as a bold one, axes with "nice" ticks (1, 2 or 5 times a power of ten),
 * grid lines, axis labels, a legend and a title such as "PPO on CartPole-v1".
 */
public final class LearningCurvePlot {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;
    /** The bold line: the recent mean. */
    public static final Color MEAN_COLOR = new Color(31, 119, 180);
    /** The faint line: every episode's return. */
    public static final Color EPISODE_COLOR = new Color(31, 119, 180, 70);

    private static final int LEFT = 80, RIGHT = 30, TOP = 50, BOTTOM = 60;
    private static final Color GRID = new Color(225, 225, 225);
    private static final Color AXIS = new Color(60, 60, 60);

    static {
        // No display is needed or wanted: the plot is drawn into an image in memory.
        System.setProperty("java.awt.headless", "true");
    }

    private LearningCurvePlot() {}

    /**
     * The plot of {@code curve} for a run of {@code totalFrames} steps (the x-axis spans at least
     * that, so a curve that stops early shows it), titled {@code title}.
     */
    public static BufferedImage render(LearningCurve curve, long totalFrames, String title) {
        List<LearningCurve.Point> points = curve.points();
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);

            double xMax = Math.max(1, totalFrames);
            double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
            for (LearningCurve.Point p : points) {
                xMax = Math.max(xMax, p.frames());
                for (double y : new double[] {p.episodeReturn(), p.recentReturn()}) {
                    if (Double.isFinite(y)) {
                        yMin = Math.min(yMin, y);
                        yMax = Math.max(yMax, y);
                    }
                }
            }
            if (yMin > yMax) {
                yMin = 0;
                yMax = 1;
            } else if (yMin == yMax) {
                yMin -= 1;
                yMax += 1;
            }
            // The x-axis ends where the run ends; the y-axis is widened to the ticks around the data.
            Ticks xTicks = Ticks.within(0, xMax, 6), yTicks = Ticks.around(yMin, yMax, 6);
            Frame f = new Frame(xTicks.low(), xTicks.high(), yTicks.low(), yTicks.high());

            drawAxes(g, f, xTicks, yTicks);
            drawCurve(g, f, points, false);
            drawCurve(g, f, points, true);
            drawLegend(g);
            if (points.isEmpty()) centred(g, "no episode finished", LEFT + f.plotWidth() / 2, TOP + f.plotHeight() / 2, new Font(Font.SANS_SERIF, Font.ITALIC, 14));
            centred(g, title, WIDTH / 2, TOP / 2 + 6, new Font(Font.SANS_SERIF, Font.BOLD, 18));
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders and writes the plot to {@code file} as PNG (parent directories are made). */
    public static void write(LearningCurve curve, long totalFrames, String title, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(render(curve, totalFrames, title), "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the plot to " + file, e);
        }
    }

    /** Data coordinates to pixels inside the plot area. */
    private record Frame(double x0, double x1, double y0, double y1) {
        int plotWidth() { return WIDTH - LEFT - RIGHT; }

        int plotHeight() { return HEIGHT - TOP - BOTTOM; }

        double px(double x) { return LEFT + (x - x0) / (x1 - x0) * plotWidth(); }

        double py(double y) { return TOP + plotHeight() - (y - y0) / (y1 - y0) * plotHeight(); }
    }

    private static void drawAxes(Graphics2D g, Frame f, Ticks xTicks, Ticks yTicks) {
        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double x : xTicks.values()) {
            int px = (int) Math.round(f.px(x));
            g.setColor(GRID);
            g.drawLine(px, TOP, px, TOP + f.plotHeight());
            g.setColor(AXIS);
            g.drawLine(px, TOP + f.plotHeight(), px, TOP + f.plotHeight() + 5);
            String label = xTicks.label(x);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + f.plotHeight() + 8 + fm.getAscent());
        }
        for (double y : yTicks.values()) {
            int py = (int) Math.round(f.py(y));
            g.setColor(GRID);
            g.drawLine(LEFT, py, LEFT + f.plotWidth(), py);
            g.setColor(AXIS);
            g.drawLine(LEFT - 5, py, LEFT, py);
            String label = yTicks.label(y);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
        g.setColor(AXIS);
        g.drawRect(LEFT, TOP, f.plotWidth(), f.plotHeight());

        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        centred(g, "environment steps", LEFT + f.plotWidth() / 2, HEIGHT - 14, labelFont);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centred(g, "episode return", -(TOP + f.plotHeight() / 2), 22, labelFont);
        g.setTransform(saved);
    }

    private static void drawCurve(Graphics2D g, Frame f, List<LearningCurve.Point> points, boolean mean) {
        Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (LearningCurve.Point p : points) {
            double y = mean ? p.recentReturn() : p.episodeReturn();
            if (!Double.isFinite(y)) continue;
            double px = f.px(p.frames()), py = f.py(y);
            if (started) {
                path.lineTo(px, py);
            } else {
                path.moveTo(px, py);
                started = true;
            }
        }
        if (!started) return;
        g.setColor(mean ? MEAN_COLOR : EPISODE_COLOR);
        g.setStroke(new BasicStroke(mean ? 2.5f : 1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        if (points.size() == 1) {
            double px = f.px(points.getFirst().frames()), py = f.py(mean ? points.getFirst().recentReturn() : points.getFirst().episodeReturn());
            g.fill(new java.awt.geom.Ellipse2D.Double(px - 3, py - 3, 6, 6));
        } else {
            g.draw(path);
        }
    }

    /** In the lower right corner, where a rising curve rarely is. */
    private static void drawLegend(Graphics2D g) {
        String episodes = "return of each episode", mean = "mean return of the recent episodes";
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int width = 32 + Math.max(fm.stringWidth(episodes), fm.stringWidth(mean)) + 12;
        int x = WIDTH - RIGHT - width, y = HEIGHT - BOTTOM - 50;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x - 6, y - 6, width, 44);
        g.setStroke(new BasicStroke(1f));
        g.setColor(EPISODE_COLOR);
        g.drawLine(x, y + 6, x + 24, y + 6);
        g.setColor(AXIS);
        g.drawString(episodes, x + 32, y + 6 + fm.getAscent() / 2 - 1);
        g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.setColor(MEAN_COLOR);
        g.drawLine(x, y + 26, x + 24, y + 26);
        g.setColor(AXIS);
        g.drawString(mean, x + 32, y + 26 + fm.getAscent() / 2 - 1);
    }

    private static void centred(Graphics2D g, String text, int cx, int baseline, Font font) {
        g.setFont(font);
        g.setColor(AXIS);
        g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    /**
     * Axis ticks: the multiples of a "nice" step (1, 2, 2.5 or 5 × 10^k) that lie in the axis range
     * {@code [low, high]}, about {@code aboutCount} of them.
     */
    record Ticks(double low, double high, double step) {
        /** An axis exactly {@code [min, max]}. */
        static Ticks within(double min, double max, int aboutCount) {
            return new Ticks(min, max, niceStep(min, max, aboutCount));
        }

        /** An axis from the tick at or below {@code min} to the one at or above {@code max}. */
        static Ticks around(double min, double max, int aboutCount) {
            double step = niceStep(min, max, aboutCount);
            // "+ 0.0" turns a -0.0 (the ceiling of a small negative number times the step) into 0.
            return new Ticks(Math.floor(min / step + 1e-9) * step + 0.0, Math.ceil(max / step - 1e-9) * step + 0.0, step);
        }

        static double niceStep(double min, double max, int aboutCount) {
            double raw = (max - min) / Math.max(1, aboutCount - 1);
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double fraction = raw / magnitude;
            double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
            return nice * magnitude;
        }

        List<Double> values() {
            List<Double> out = new ArrayList<>();
            for (long i = (long) Math.ceil(low / step - 1e-9); i * step <= high + step * 1e-9; i++) out.add(i * step);
            return out;
        }

        /**
         * {@code v} with as many decimals as the step needs; on an axis reaching a million, in
         * millions ({@code 1.5M}), on one reaching ten thousand, in thousands ({@code 25k}).
         */
        String label(double v) {
            if (Math.abs(v) < step * 1e-9) return "0";
            double reach = Math.max(Math.abs(low), Math.abs(high));
            if (reach >= 1e6) return plain(v / 1e6, decimals(step / 1e6)) + "M";
            if (reach >= 1e4) return plain(v / 1e3, decimals(step / 1e3)) + "k";
            return plain(v, decimals(step));
        }

        /** The decimals {@code x} needs when written exactly (to 9 significant digits). */
        private static int decimals(double x) {
            return Math.max(0, new BigDecimal(String.format(Locale.ROOT, "%.9g", x)).stripTrailingZeros().scale());
        }

        private static String plain(double v, int decimals) {
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
