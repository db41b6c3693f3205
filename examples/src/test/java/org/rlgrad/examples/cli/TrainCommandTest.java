package org.rlgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.examples.envs.Environments;
import org.rlgrad.examples.training.Algorithms;
import org.rlgrad.examples.training.LearningCurve;
import org.rlgrad.examples.training.Progress;

/** {@code ./rlgrad train} and {@code demo} end to end: the usage on bad arguments (exit 2), and a short run's outputs. */
class TrainCommandTest {
    private final ByteArrayOutputStream outBuffer = new ByteArrayOutputStream(), errBuffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBuffer, true, StandardCharsets.UTF_8), err = new PrintStream(errBuffer, true, StandardCharsets.UTF_8);

    private String out() { return outBuffer.toString(StandardCharsets.UTF_8); }

    private String err() { return errBuffer.toString(StandardCharsets.UTF_8); }

    @Test
    void theUsageListsEveryAlgorithmAndEnvironment() {
        String usage = TrainCommand.usage();
        assertTrue(usage.startsWith("usage: ./rlgrad train --algo ALGO --env ENV [--steps N] [--seed S] [--out DIR]"), usage);
        assertTrue(!Algorithms.names().isEmpty());
        for (String a : Algorithms.names()) assertTrue(usage.contains("\n  " + a + " "), a + " in\n" + usage);
        for (String e : Environments.ids()) assertTrue(usage.contains("\n  " + e + " "), e + " in\n" + usage);
        assertTrue(usage.contains("CartPole-v1                  discrete, 2 actions"), usage);
        assertTrue(usage.contains("Pendulum-v1                  continuous, 1 dim"), usage);
    }

    @Test
    void badArgumentsPrintTheReasonAndTheUsageAndExitWith2() {
        assertEquals(2, TrainCommand.run(new String[] {"--algo", "nope", "--env", "CartPole-v1"}, out, err, null));
        assertTrue(err().startsWith("train: unknown algorithm 'nope'\n"), err());
        assertTrue(err().contains(TrainCommand.usage()), err());
        assertEquals("", out(), "nothing on standard output");
    }

    @Test
    void anAlgorithmThatCannotTakeTheEnvironmentsActionsIsRefused() {
        // Any registered algorithm that takes only one kind of actions, against an environment of the other kind.
        Optional<String[]> mismatch = Optional.empty();
        for (String a : Algorithms.names()) {
            for (String e : Environments.ids()) {
                if (!Algorithms.get(a).supports(Environments.make(e).spec())) mismatch = Optional.of(new String[] {a, e});
            }
        }
        Assumptions.assumeTrue(mismatch.isPresent(), "every registered algorithm takes both kinds of actions");
        String[] pair = mismatch.get();
        assertEquals(2, TrainCommand.run(new String[] {"--algo", pair[0], "--env", pair[1]}, out, err, null));
        assertTrue(err().startsWith("train: " + pair[0] + " cannot train on " + pair[1]), err());
        assertTrue(err().contains(TrainCommand.usage()));
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() {
        assertEquals(0, TrainCommand.run(new String[] {"--help"}, out, err, null));
        assertEquals(TrainCommand.usage(), out());
    }

    @Test
    void theDemoTakesNoOtherAlgorithm() {
        assertEquals(2, TrainCommand.demo(new String[] {"--algo=a2c"}, out, err, null));
        assertTrue(err().startsWith("demo: trains ppo on CartPole-v1"), err());
    }

    @Test
    void aShortRunReportsItsScoreAndWritesTheCurveAndThePlot(@TempDir Path dir) throws IOException {
        List<Progress> updates = new ArrayList<>();
        Path runDir = dir.resolve("run");
        int status = TrainCommand.demo(new String[] {"--steps", "3000", "--seed", "5", "--out", runDir.toString()}, out, err, updates::add);
        assertEquals(0, status, err());

        // Progress: every rollout, steps rising to the total.
        assertTrue(updates.size() > 5, "updates: " + updates.size());
        for (int i = 1; i < updates.size(); i++) assertTrue(updates.get(i).frames() > updates.get(i - 1).frames());
        Progress last = updates.getLast();
        assertEquals(last.totalFrames(), last.frames());
        assertTrue(last.frames() >= 3000);

        Path csv = runDir.resolve("curve.csv"), png = runDir.resolve("curve.png");
        LearningCurve curve = LearningCurveCsv.read(csv);
        // A random CartPole policy's episodes last about 20 steps: 3000 steps make well over 30 of them.
        assertTrue(curve.points().size() > 30, "episodes: " + curve.points().size());
        assertTrue(curve.points().getLast().frames() <= last.frames());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(LearningCurvePlot.WIDTH, image.getWidth());

        List<String> lines = out().lines().toList();
        assertEquals("ppo on CartPole-v1: 3,000 steps, seed 5", lines.getFirst());
        assertTrue(lines.stream().anyMatch(l -> l.matches("final score: \\d+\\.\\d \\(mean return of 10 deterministic evaluation episodes\\)")), out());
        assertEquals("learning curve: " + csv, lines.get(lines.size() - 2));
        assertEquals("plot: " + png, lines.getLast());
        assertEquals("", err());
        assertTrue(Files.size(csv) > 0);
    }
}
