package org.rlgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./rlgrad autograd-demo}: gradients agree with the hand formula, the graph prints, the loss falls, every run is the same. */
class AutogradDemoTest {
    private static final Pattern LOSS = Pattern.compile("^step +(\\d+) +loss (\\d+\\.\\d+)$");

    @Test
    void theDemoTeachesWhatItSays(@TempDir Path dir) throws IOException {
        Path dot = dir.resolve("graph.dot");
        String first = run("--dot", dot.toString());

        // 1. autograd and the chain rule by hand agree, for both parameters.
        assertTrue(first.contains("dy/dw: autograd 1.046333606260, by hand 1.046333606260  -> agree"), first);
        assertTrue(first.contains("dy/db: autograd 0.697555737507, by hand 0.697555737507  -> agree"), first);

        // 2. the graph: printed, and written to the file when asked.
        String graph = Files.readString(dot);
        assertTrue(graph.startsWith("digraph") && first.contains(graph), "the printed DOT is the written DOT");
        for (String op : List.of("mul", "add", "tanh", "square")) assertTrue(graph.contains("label=\"" + op + "\\n[]\""), op + " in " + graph);
        for (String leaf : List.of("w", "x", "b")) assertTrue(graph.contains("label=\"" + leaf + "\\n[] float64\""), leaf + " in " + graph);

        // 3. the loss falls from about the variance of sin to well under 0.01.
        List<double[]> losses = first.lines().map(LOSS::matcher).filter(Matcher::matches)
                .map(m -> new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))}).toList();
        assertTrue(losses.size() >= 10, "loss lines: " + losses.size());
        assertEquals(1, losses.get(0)[0], 0);
        assertTrue(losses.get(0)[1] > 0.3, "first loss " + losses.get(0)[1]);
        double last = losses.get(losses.size() - 1)[1];
        assertTrue(last < 0.01, "last loss " + last);
        assertTrue(last < losses.get(0)[1] / 100, "the loss falls a hundredfold");

        // Same seed, same numbers: a second run prints exactly the same text.
        assertEquals(first, run("--dot", dot.toString()));
    }

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            AutogradDemo.main(args);
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
