package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.engine.io.Json;

/** The runner over the committed public vectors, and over doctored copies that must fail. */
class ConformanceRunnerTest {
    @TempDir
    Path tmp;

    /** The committed copy of the public vectors (src/test/resources/reference). */
    static Path referenceDir() {
        URL url = ConformanceRunnerTest.class.getResource("/reference/ops.json");
        assertNotNull(url, "the public vectors are missing from the test resources (run testsuite/refresh-reference.sh)");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Run(Summary summary, String output) {}

    private static Run run(Path dir, String filter) throws ConformanceException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Summary s = new ConformanceRunner().run(dir, filter == null ? null : Pattern.compile(filter), out);
        return new Run(s, bytes.toString(StandardCharsets.UTF_8));
    }

    private static String failures(Summary.FamilyResult r) {
        return r.failures().stream().map(f -> f.id() + ": " + f.reason()).collect(Collectors.joining("\n"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases(Path file) throws IOException {
        return (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(Files.readString(file))).get("cases");
    }

    @Test
    void everyPublicOpsCasePasses() throws Exception {
        Path dir = referenceDir();
        Summary.FamilyResult ops = run(dir, "^ops/").summary().family("ops");
        assertEquals(0, ops.failed(), () -> "failing ops cases:\n" + failures(ops));
        assertEquals(cases(dir.resolve("ops.json")).size(), ops.passed());
        assertTrue(ops.passed() > 200, "the public ops file has over 200 cases");
    }

    @Test
    void everyPublicLossCasePasses() throws Exception {
        Path dir = referenceDir();
        Summary s = run(dir, "Loss/").summary();
        Summary.FamilyResult r = s.family("losses");
        assertNotNull(r);
        assertEquals(0, r.failed(), () -> "failing loss cases:\n" + failures(r));
        assertEquals(cases(dir.resolve("losses.json")).size(), r.passed());
        assertEquals(0, s.family("ops").passed() + s.family("ops").failed(), "the filter leaves no ops case");
    }

    @Test
    void aLossWithoutAnAdapterIsUnsupportedNamingIt() throws Exception {
        Map<String, Object> unknown = cases(referenceDir().resolve("losses.json")).getFirst();
        unknown.put("loss", "NoSuchLoss");
        unknown.put("id", "NoSuchLoss/case/0");
        Summary.FamilyResult r = run(casesDir("no-adapter", "losses.json", "rlgrad-loss-vectors", List.of(unknown)), null).summary().family("losses");
        assertEquals(0, r.passed());
        assertEquals("unsupported: no conformance adapter for NoSuchLoss", r.failures().getFirst().reason());
    }

    @Test
    void reportHasOneLinePerFamilyAndEndsWithTheTotal() throws Exception {
        Run r = run(referenceDir(), null);
        List<String> lines = r.output().lines().toList();
        assertEquals("conformance: " + r.summary().passed() + " passed, " + r.summary().failed() + " failed", lines.getLast());
        List<String> familyLines = lines.stream().filter(l -> !l.startsWith("  ")).toList();
        assertEquals(List.of("ops", "estimators", "losses", "distributions", "conformance"),
                familyLines.stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
        for (String l : familyLines) assertTrue(l.matches("[a-z]+: \\d+ passed, \\d+ failed"), l);
        assertEquals("estimators: " + r.summary().family("estimators").passed() + " passed, 0 failed", familyLines.get(1));
    }

    @Test
    void theReportListsAtMostTwentyFailuresPerFamily() throws Exception {
        Map<String, Object> template = publicCase("ops/neg/random/0");
        List<Map<String, Object>> unknown = new java.util.ArrayList<>();
        int n = ConformanceRunner.MAX_LISTED_FAILURES + 5;
        for (int i = 0; i < n; i++) {
            Map<String, Object> c = new java.util.LinkedHashMap<>(template);
            c.put("id", "bad/unknown/" + i);
            c.put("op", "no_such_op");
            unknown.add(c);
        }
        List<String> lines = run(opsDir("many-failures", unknown), null).output().lines().toList();
        assertEquals("ops: 0 passed, " + n + " failed", lines.getFirst());
        for (int i = 1; i <= ConformanceRunner.MAX_LISTED_FAILURES; i++) {
            assertTrue(lines.get(i).matches("  bad/unknown/\\d+: unsupported: .+"), lines.get(i));
        }
        assertEquals("  ... and 5 more", lines.get(ConformanceRunner.MAX_LISTED_FAILURES + 1));
    }

    @Test
    void filterFindsAnywhereInTheId() throws Exception {
        Path dir = referenceDir();
        long relu = cases(dir.resolve("ops.json")).stream().filter(c -> ((String) c.get("id")).contains("relu")).count();
        Summary s = run(dir, "relu").summary();
        assertTrue(relu >= 2);
        assertEquals(relu, s.family("ops").passed() + s.family("ops").failed(), "leaky_relu and relu cases");
        assertEquals(0, s.family("estimators").passed() + s.family("estimators").failed());
        Summary exact = run(dir, "^ops/relu/").summary();
        assertTrue(exact.family("ops").passed() < relu && exact.family("ops").passed() > 0);
    }

    /** Writes ops.json into a fresh folder with the given cases (taken from the public file, maybe doctored). */
    private Path opsDir(String name, List<Map<String, Object>> cases) throws IOException {
        return casesDir(name, "ops.json", "rlgrad-op-vectors", cases);
    }

    /** Writes {@code file} of the given format into a fresh folder with the given cases. */
    private Path casesDir(String name, String file, String format, List<Map<String, Object>> cases) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        StringBuilder sb = new StringBuilder("{\"format\": \"" + format + "\", \"version\": 1, \"cases\": [\n");
        for (int i = 0; i < cases.size(); i++) sb.append(i == 0 ? "" : ",\n").append(Json.write(cases.get(i)));
        Files.writeString(dir.resolve(file), sb.append("\n]}\n"));
        return dir;
    }

    private static Map<String, Object> publicCase(String id) throws IOException {
        return cases(referenceDir().resolve("ops.json")).stream().filter(c -> c.get("id").equals(id)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> data(Object tensor) {
        return (List<Object>) ((Map<String, Object>) tensor).get("data");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWrongOutputGradientOrSecondOrderValueFailsTheCase() throws Exception {
        String id = "ops/exp/random/0"; // has outputs, grads and double_backward
        Map<String, Object> good = publicCase(id);
        assertNotNull(((Map<String, Object>) good.get("expected")).get("double_backward"));

        Map<String, Object> badOutput = publicCase(id);
        List<Object> out = data(((List<Object>) ((Map<String, Object>) badOutput.get("expected")).get("outputs")).get(0));
        out.set(3, (Double) out.get(3) * (1 + 1e-8));
        badOutput.put("id", "bad/output");

        Map<String, Object> badGrad = publicCase(id);
        List<Object> g = data(((Map<String, Object>) ((Map<String, Object>) badGrad.get("expected")).get("grads")).get("input"));
        g.set(0, -(Double) g.get(0));
        badGrad.put("id", "bad/grad");

        Map<String, Object> badSecond = publicCase(id);
        Map<String, Object> db = (Map<String, Object>) ((Map<String, Object>) badSecond.get("expected")).get("double_backward");
        List<Object> h = data(((Map<String, Object>) db.get("grads")).get("input"));
        h.set(h.size() - 1, (Double) h.getLast() + 1e-6);
        badSecond.put("id", "bad/second");

        Summary s = run(opsDir("doctored", List.of(good, badOutput, badGrad, badSecond)), null).summary();
        Summary.FamilyResult ops = s.family("ops");
        assertEquals(1, ops.passed(), () -> failures(ops));
        assertEquals(List.of("bad/output", "bad/grad", "bad/second"), ops.failures().stream().map(Summary.Failure::id).toList());
        assertTrue(ops.failures().get(0).reason().startsWith("output 0: 1 of"), ops.failures().get(0).reason());
        assertTrue(ops.failures().get(1).reason().startsWith("grad input: 1 of"), ops.failures().get(1).reason());
        assertTrue(ops.failures().get(2).reason().startsWith("double_backward grad input: 1 of"), ops.failures().get(2).reason());
        assertNull(s.family("estimators"), "a missing file is skipped");
    }

    @Test
    @SuppressWarnings("unchecked")
    void anEngineExceptionFailsTheCaseAndTheRunGoesOn() throws Exception {
        Map<String, Object> bad = publicCase("ops/matmul/mm/0");
        bad.put("id", "bad/matmul");
        Map<String, Object> input0 = (Map<String, Object>) ((List<Object>) bad.get("inputs")).get(0);
        input0.put("shape", List.of(4L, 3L)); // 12 values still, but [4, 3] @ [4, 5] does not align
        Map<String, Object> unknown = publicCase("ops/neg/random/0");
        unknown.put("id", "bad/unknown");
        unknown.put("op", "no_such_op");
        Summary.FamilyResult ops = run(opsDir("exceptions", List.of(bad, unknown, publicCase("ops/neg/random/0"))), null)
                .summary().family("ops");
        assertEquals(1, ops.passed(), () -> failures(ops));
        assertTrue(ops.failures().get(0).reason().startsWith("IllegalArgumentException: matmul"), ops.failures().get(0).reason());
        assertTrue(ops.failures().get(1).reason().startsWith("unsupported: op 'no_such_op'"), ops.failures().get(1).reason());
    }

    @Test
    void aMalformedFileIsAnErrorThatNamesIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("malformed"));
        Files.copy(referenceDir().resolve("ops.json"), dir.resolve("ops.json"));
        Files.writeString(dir.resolve("losses.json"), "{\"format\": \"rlgrad-loss-vectors\",\n \"cases\": [{\"id\": \"a\"},]}\n");
        ConformanceException e = assertThrows(ConformanceException.class, () -> run(dir, null));
        assertTrue(e.getMessage().contains(dir.resolve("losses.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 2, column"), e.getMessage());
    }

    @Test
    void aFileWithTheWrongFormatOrNoCasesIsAnError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("format"));
        Files.writeString(dir.resolve("ops.json"), "{\"format\": \"rlgrad-loss-vectors\", \"cases\": []}");
        ConformanceException e = assertThrows(ConformanceException.class, () -> run(dir, null));
        assertTrue(e.getMessage().contains("ops.json") && e.getMessage().contains("rlgrad-op-vectors"), e.getMessage());
        Files.writeString(dir.resolve("ops.json"), "{\"format\": \"rlgrad-op-vectors\"}");
        e = assertThrows(ConformanceException.class, () -> run(dir, null));
        assertTrue(e.getMessage().contains("ops.json") && e.getMessage().contains("cases"), e.getMessage());
        Files.writeString(dir.resolve("ops.json"), "{\"format\": \"rlgrad-op-vectors\", \"cases\": [{\"op\": \"neg\"}]}");
        e = assertThrows(ConformanceException.class, () -> run(dir, null));
        assertTrue(e.getMessage().contains("cases[0]") && e.getMessage().contains("id"), e.getMessage());
    }

    @Test
    void aFolderWithoutVectorsIsAnErrorThatNamesIt() {
        ConformanceException e = assertThrows(ConformanceException.class, () -> run(tmp, null));
        assertTrue(e.getMessage().startsWith(tmp.toString()) && e.getMessage().contains("ops.json"), e.getMessage());
        e = assertThrows(ConformanceException.class, () -> run(tmp.resolve("absent"), null));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());
    }

    @Test
    void mainReturnsZeroOnlyWhenNothingFailed() throws Exception {
        Path onlyOps = opsDir("only-ops", List.of(publicCase("ops/neg/random/0"), publicCase("ops/gradient_penalty_mlp/random/0")));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8), e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, ConformanceMain.run(new String[] {onlyOps.toString()}, o, e));
        assertEquals("ops: 2 passed, 0 failed\nconformance: 2 passed, 0 failed\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(0, ConformanceMain.run(new String[] {referenceDir().toString(), "--filter", "^estimators/"}, o, e));
        Map<String, Object> unknown = publicCase("ops/neg/random/0");
        unknown.put("op", "no_such_op");
        assertEquals(1, ConformanceMain.run(new String[] {opsDir("one-failing", List.of(unknown)).toString()}, o, e), "one case fails");
        assertEquals(2, ConformanceMain.run(new String[] {}, o, e));
        assertEquals(2, ConformanceMain.run(new String[] {onlyOps.toString(), "--filter"}, o, e));
        assertEquals(2, ConformanceMain.run(new String[] {onlyOps.toString(), "--filter", "("}, o, e));
        assertEquals(2, ConformanceMain.run(new String[] {tmp.resolve("nothing").toString()}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: conformance DIR [--filter REGEX]"));
    }
}
