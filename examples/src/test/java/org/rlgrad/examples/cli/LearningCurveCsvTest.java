package org.rlgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.examples.training.LearningCurve;

/** curve.csv: the header, one row per episode, and numbers that read back exactly. */
class LearningCurveCsvTest {

    @Test
    void aCurveRoundTripsExactly(@TempDir Path dir) throws IOException {
        LearningCurve curve = new LearningCurve();
        curve.add(128, 12.0, 12.0);
        curve.add(256, 0.1 + 0.2, Double.NaN);
        curve.add(4_000_000_000L, -1234.5678901234567, 1.0 / 3.0);
        curve.add(4_000_000_001L, 1e-300, -0.0);
        Path file = dir.resolve("sub/dir/curve.csv");
        LearningCurveCsv.write(curve, file);

        List<String> lines = Files.readAllLines(file);
        assertEquals("frames,episode_return,recent_mean_return", lines.get(0));
        assertEquals("128,12.0,12.0", lines.get(1));
        assertEquals(5, lines.size());

        List<LearningCurve.Point> back = LearningCurveCsv.read(file).points();
        assertEquals(curve.points().size(), back.size());
        for (int i = 0; i < back.size(); i++) {
            LearningCurve.Point want = curve.points().get(i), got = back.get(i);
            assertEquals(want.frames(), got.frames());
            // Bit for bit (NaN and -0.0 included).
            assertEquals(Double.doubleToRawLongBits(want.episodeReturn()), Double.doubleToRawLongBits(got.episodeReturn()), "row " + i);
            assertEquals(Double.doubleToLongBits(want.recentReturn()), Double.doubleToLongBits(got.recentReturn()), "row " + i);
        }
    }

    @Test
    void anEmptyCurveIsJustTheHeader(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("curve.csv");
        LearningCurveCsv.write(new LearningCurve(), file);
        assertEquals(List.of(LearningCurveCsv.HEADER), Files.readAllLines(file));
        assertTrue(LearningCurveCsv.read(file).isEmpty());
    }

    @Test
    void aWrongHeaderOrRowIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "step,return\n1,2\n");
        IOException header = assertThrows(IOException.class, () -> LearningCurveCsv.read(file));
        assertTrue(header.getMessage().contains("expected the header") && header.getMessage().contains("'step,return'"), header.getMessage());

        Files.writeString(file, LearningCurveCsv.HEADER + "\n1,2,3\n4,five,6\n");
        IOException row = assertThrows(IOException.class, () -> LearningCurveCsv.read(file));
        assertTrue(row.getMessage().contains(":3:") && row.getMessage().contains("'4,five,6'"), row.getMessage());
    }
}
