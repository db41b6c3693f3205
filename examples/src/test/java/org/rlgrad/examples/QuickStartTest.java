package org.rlgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The README's "Quick start" snippet, run: {@link #quickStart()} holds the same lines as the
 * README (a second test compares the two texts), and the values it prints are asserted here.
 */
class QuickStartTest {
    private static final Path SOURCE = Path.of("src/test/java/org/rlgrad/examples/QuickStartTest.java");
    private static final Path README = Path.of("../README.md");

    /** The snippet, verbatim from the README between the markers. */
    @SuppressWarnings("unused")
    private static void quickStart() {
        // BEGIN QUICK START
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {2, 1, -1}, 3).requiresGrad(true);

        Tensor y = x.mul(w).sum().square();    // y = (x . w)^2 = (2 + 2 - 3)^2
        y.backward();                          // fills x.grad() and w.grad()
        System.out.println(y.item());          // 1.0
        System.out.println(x.grad());          // dy/dx = 2 (x . w) w = [4, 2, -2]
        System.out.println(w.grad());          // dy/dw = 2 (x . w) x = [2, 4, 6]

        // A second derivative: createGraph = true records the first derivative's own graph.
        Tensor z = Tensor.scalar(3, DType.FLOAT64).requiresGrad(true);
        Tensor dz = Autograd.grad(List.of(z.pow(3)), List.of(z), null, true, true, false).get(0);
        Tensor d2z = Autograd.grad(dz, z);
        System.out.println(dz.item() + " " + d2z.item());  // 3 z^2 = 27, 6 z = 18

        // No-grad scope: nothing is recorded, and leaves may be updated in place.
        try (var scope = GradMode.noGrad()) {
            x.addInPlace(x.grad(), -0.1);      // one gradient-descent step
        }
        System.out.println(x);                 // [0.6, 1.8, 3.2], still a leaf that requires grad
        // END QUICK START
    }

    @Test
    void theSnippetPrintsWhatItsCommentsSay() {
        List<String> lines = runCapturingStdout(QuickStartTest::quickStart);
        assertEquals(List.of(
                "1.0",
                "tensor([4.0, 2.0, -2.0], shape=[3], dtype=float64)",
                "tensor([2.0, 4.0, 6.0], shape=[3], dtype=float64)",
                "27.0 18.0",
                "tensor([0.6, 1.8, 3.2], shape=[3], dtype=float64, requires_grad=true)"), lines);
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        List<String> inTest = snippetFromTest();
        List<String> inReadme = snippetFromReadme();
        assertFalse(inTest.isEmpty(), "no snippet between the markers in " + SOURCE);
        assertEquals(String.join("\n", inTest), String.join("\n", inReadme),
                "README.md's Quick start code differs from QuickStartTest.quickStart(); keep them identical");
    }

    @Test
    void theReadmeImportsWhatTheSnippetUses() throws IOException {
        List<String> imports = new ArrayList<>();
        for (String line : readmeBlock()) if (line.startsWith("import ")) imports.add(line);
        String source = Files.readString(SOURCE);
        for (String imp : imports) assertTrue(source.contains(imp), "README imports '" + imp + "' but the test does not");
        for (String needed : List.of("Autograd", "GradMode", "DType", "Tensor", "List")) {
            assertTrue(imports.stream().anyMatch(i -> i.endsWith("." + needed + ";")), "README should import " + needed + ": " + imports);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> runCapturingStdout(Runnable body) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The lines between the markers, with the method's indentation removed. */
    private static List<String> snippetFromTest() throws IOException {
        List<String> out = new ArrayList<>();
        boolean inside = false;
        for (String line : Files.readAllLines(SOURCE)) {
            if (line.strip().equals("// BEGIN QUICK START")) inside = true;
            else if (line.strip().equals("// END QUICK START")) inside = false;
            else if (inside) out.add(line.isBlank() ? "" : line.substring(8));
        }
        return out;
    }

    /** The code of the README's Quick start block, after its imports. */
    private static List<String> snippetFromReadme() throws IOException {
        List<String> block = readmeBlock();
        int start = 0;
        while (start < block.size() && (block.get(start).startsWith("import ") || block.get(start).isBlank())) start++;
        return block.subList(start, block.size());
    }

    /** The first ```java block after the "## Quick start" heading. */
    private static List<String> readmeBlock() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int i = lines.indexOf("## Quick start");
        assertTrue(i >= 0, "README.md has no '## Quick start' section");
        while (i < lines.size() && !lines.get(i).equals("```java")) i++;
        assertTrue(i < lines.size(), "no ```java block in the Quick start section");
        List<String> block = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) block.add(lines.get(i));
        return block;
    }
}
