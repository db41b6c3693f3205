package org.rlgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.examples.training.LearningCurve;

/** curve.png: a PNG of the expected size with the curves, the axes and the text drawn on it; and the axis ticks. */
class LearningCurvePlotTest {

    private static LearningCurve risingCurve() {
        LearningCurve c = new LearningCurve();
        double mean = 0;
        for (int i = 0; i < 200; i++) {
            double r = 10 + 2.4 * i + (i % 7) * 15;
            mean = i == 0 ? r : 0.9 * mean + 0.1 * r;
            c.add(250L * (i + 1), r, mean);
        }
        return c;
    }

    @Test
    void thePngHasTheSizeAndIsNotBlank(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out/curve.png");
        LearningCurvePlot.write(risingCurve(), 50_000, "PPO on CartPole-v1", file);
        assertTrue(Files.size(file) > 1000, "a PNG of " + Files.size(file) + " bytes");
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(LearningCurvePlot.WIDTH, image.getWidth());
        assertEquals(LearningCurvePlot.HEIGHT, image.getHeight());

        Set<Integer> colours = new HashSet<>();
        int bold = 0, dark = 0, white = 0;
        Color mean = LearningCurvePlot.MEAN_COLOR;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (rgb == 0xFFFFFF) white++;
                if (rgb == (mean.getRGB() & 0xFFFFFF)) bold++;
                int r = rgb >> 16 & 0xFF, g = rgb >> 8 & 0xFF, b = rgb & 0xFF;
                if (r < 100 && g < 100 && b < 100) dark++;
            }
        }
        int pixels = image.getWidth() * image.getHeight();
        assertTrue(white > pixels / 2, "mostly white background: " + white + " of " + pixels);
        // The bold mean line runs across the plot, 2.5 px wide: several hundred pixels of its exact colour.
        assertTrue(bold > 500, "pixels of the mean line's colour: " + bold);
        // The axes, ticks and text are dark grey.
        assertTrue(dark > 2000, "dark pixels (axes and text): " + dark);
        // Antialiased lines and text, the faint line and the grid give many shades.
        assertTrue(colours.size() > 50, "distinct colours: " + colours.size());
        // The title sits in the top band, centred: dark pixels there.
        assertTrue(darkIn(image, 250, 0, 550, 45) > 100, "title pixels");
    }

    @Test
    void anEmptyCurveStillGivesAPlotWithAxes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("curve.png");
        LearningCurvePlot.write(new LearningCurve(), 1000, "A2C on Pendulum-v1", file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(LearningCurvePlot.WIDTH, image.getWidth());
        assertTrue(darkIn(image, 0, 0, image.getWidth(), image.getHeight()) > 1000, "axes and text");
    }

    @Test
    void ticksAreNiceNumbersInsideTheAxis() {
        // 0..100,352 in about 6 ticks: the raw step 20,070 rounds up to 2.5 x 10^4.
        LearningCurvePlot.Ticks x = LearningCurvePlot.Ticks.within(0, 100_352, 6);
        assertEquals(25_000, x.step());
        assertEquals(List.of(0.0, 25_000.0, 50_000.0, 75_000.0, 100_000.0), x.values());
        assertEquals(List.of("0", "25k", "50k", "75k", "100k"), x.values().stream().map(x::label).toList());

        // Returns of Pendulum: -1,612..-120 widened to the ticks around them, step 500 (raw 298).
        LearningCurvePlot.Ticks y = LearningCurvePlot.Ticks.around(-1612, -120, 6);
        assertEquals(500, y.step());
        assertEquals(-2000, y.low());
        assertEquals(0, y.high());
        assertEquals(List.of("-2000", "-1500", "-1000", "-500", "0"), y.values().stream().map(y::label).toList());

        // Small ranges keep the decimals the step needs.
        LearningCurvePlot.Ticks small = LearningCurvePlot.Ticks.around(0, 1, 6);
        assertEquals(0.2, small.step(), 1e-12);
        assertEquals("0.4", small.label(small.values().get(2)));
        LearningCurvePlot.Ticks quarter = LearningCurvePlot.Ticks.within(0, 10, 5);
        assertEquals(2.5, quarter.step());
        assertEquals("7.5", quarter.label(7.5));
        assertEquals("1.5M", LearningCurvePlot.Ticks.within(0, 3e6, 7).label(1.5e6));
    }

    private static int darkIn(BufferedImage image, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = image.getRGB(x, y);
                if ((rgb >> 16 & 0xFF) < 100 && (rgb >> 8 & 0xFF) < 100 && (rgb & 0xFF) < 100) n++;
            }
        }
        return n;
    }
}
