package org.rlgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.Progress;

/** The progress line's content, and how it is redrawn on a terminal or logged elsewhere. */
class ProgressBarTest {

    @Test
    void theLineShowsStepsRateReturnAndTimeLeft() {
        // 25,000 of 100,000 steps in 5 s: 5,000 steps/s, 75,000 left -> 15 s.
        String line = ProgressBar.render(new Progress(25_000, 100_000, 40, 123.456, 5.0));
        assertEquals("[######------------------]  25% 25,000/100,000 steps | 5,000 steps/s | recent return 123.5 | 0:15 left", line);
    }

    @Test
    void beforeTheFirstEpisodeAndStepThereIsNoReturnNorEstimate() {
        String line = ProgressBar.render(new Progress(0, 1000, 0, Double.NaN, 0));
        assertEquals("[------------------------]   0% 0/1,000 steps | 0 steps/s | recent return -- | --:-- left", line);
    }

    @Test
    void aFinishedRunFillsTheBar() {
        String line = ProgressBar.render(new Progress(1024, 1024, 3, -150.25, 2.0));
        assertTrue(line.startsWith("[" + "#".repeat(ProgressBar.BAR_WIDTH) + "] 100% 1,024/1,024 steps | 512 steps/s | recent return -150.3 |"), line);
    }

    @Test
    void durationsReadAsMinutesOrHours() {
        assertEquals("0:00", ProgressBar.duration(0.2));
        assertEquals("1:05", ProgressBar.duration(65));
        assertEquals("59:59", ProgressBar.duration(3599));
        assertEquals("1:00:01", ProgressBar.duration(3601));
        assertEquals("--:--", ProgressBar.duration(Double.NaN));
        assertEquals("--:--", ProgressBar.duration(Double.POSITIVE_INFINITY));
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndEndsWithANewline() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buffer, true, StandardCharsets.UTF_8), true, 5.0);
        bar.update(new Progress(100, 1000, 5, 12345.6, 1.0));
        bar.update(new Progress(150, 1000, 6, 12345.6, 1.05)); // within 0.1 s of the last redraw: skipped
        bar.update(new Progress(500, 1000, 10, 2.0, 2.0));
        bar.update(new Progress(1000, 1000, 30, 40.0, 3.0));
        bar.update(new Progress(1000, 1000, 30, 40.0, 9.0)); // after the end: ignored
        String out = buffer.toString(StandardCharsets.UTF_8);
        String first = ProgressBar.render(new Progress(100, 1000, 5, 12345.6, 1.0));
        String second = ProgressBar.render(new Progress(500, 1000, 10, 2.0, 2.0));
        String last = ProgressBar.render(new Progress(1000, 1000, 30, 40.0, 3.0));
        // The second line is shorter than the first: spaces wipe the rest of the first.
        assertTrue(second.length() < first.length());
        String expected = "\r" + first + "\r" + second + " ".repeat(first.length() - second.length())
                + "\r" + last + " ".repeat(Math.max(0, second.length() - last.length())) + System.lineSeparator();
        assertEquals(expected, out);
    }

    @Test
    void elsewhereALineIsLoggedEveryIntervalAndAtTheEnd() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buffer, true, StandardCharsets.UTF_8), false, 5.0);
        for (int s = 0; s <= 12; s++) bar.update(new Progress(s * 100L, 1300, s, s, s));
        bar.update(new Progress(1300, 1300, 13, 13, 12.5));
        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), "at 5 s, 10 s and the end: " + lines);
        assertEquals(ProgressBar.render(new Progress(500, 1300, 5, 5, 5)), lines.get(0));
        assertEquals(ProgressBar.render(new Progress(1000, 1300, 10, 10, 10)), lines.get(1));
        assertEquals(ProgressBar.render(new Progress(1300, 1300, 13, 13, 12.5)), lines.get(2));
        assertTrue(lines.stream().noneMatch(l -> l.contains("\r")), "no carriage returns in a log");
    }
}
