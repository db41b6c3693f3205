package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.engine.io.Json;

/** The losses family against the committed public {@code losses.json}, and doctored DQN cases that must fail. */
class LossesConformanceTest {
    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> file() throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(ConformanceRunnerTest.referenceDir().resolve("losses.json")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases(Map<String, Object> file, String loss) {
        return ((List<Map<String, Object>>) file.get("cases")).stream().filter(c -> loss.equals(c.get("loss"))).toList();
    }

    private static Summary.FamilyResult run(Path dir, String filter) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            return new ConformanceRunner().run(dir, Pattern.compile(filter), new PrintStream(bytes, true, StandardCharsets.UTF_8)).family("losses");
        } catch (ConformanceException e) {
            throw new AssertionError(e);
        }
    }

    /** Every loss with an adapter passes every one of its public cases (FORMAT-losses.md section 7 lists the variants). */
    @TestFactory
    Stream<DynamicTest> everyPublicCaseOfEverySupportedLossPasses() throws Exception {
        Map<String, Object> file = file();
        return LossAdapters.supported().stream().sorted().map(loss -> DynamicTest.dynamicTest(loss, () -> {
            int n = cases(file, loss).size();
            assertTrue(n > 0, "the public file holds cases of " + loss);
            Summary.FamilyResult r = run(ConformanceRunnerTest.referenceDir(), "^" + loss + "/");
            assertEquals(List.of(), r.failures().stream().map(f -> f.id() + ": " + f.reason()).toList());
            assertEquals(n, r.passed());
        }));
    }

    @Test
    void thePublicFileHoldsTheEightDqnVariants() throws Exception {
        assertEquals(8, cases(file(), "DQNLoss").size(), "the public file holds the 8 DQNLoss variants of FORMAT-losses.md section 7");
    }

    /** A wrong output, a wrong gradient and a wrong td_error, each in a copy of a DQN case, must each fail naming what differs. */
    @Test
    @SuppressWarnings("unchecked")
    void doctoredDqnCasesFail() throws Exception {
        Map<String, Object> header = file();
        Map<String, Object> base = cases(header, "DQNLoss").stream().filter(c -> c.get("id").toString().startsWith("DQNLoss/double_l2/")).findFirst().orElseThrow();

        Map<String, Object> badOutput = copyOf(base, "DQNLoss/bad/output");
        nudge(((Map<String, Object>) expected(badOutput).get("outputs")).get("loss"), 0);

        Map<String, Object> badGrad = copyOf(base, "DQNLoss/bad/grad");
        Map<String, Object> layer0 = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) ((Map<String, Object>) expected(badGrad).get("grads"))
                .get("value")).get("layers")).get(0);
        nudge(layer0.get("weight"), 3);

        Map<String, Object> badTdError = copyOf(base, "DQNLoss/bad/td_error");
        nudge(((Map<String, Object>) expected(badTdError).get("written_to_batch")).get("td_error"), 2);

        Map<String, Object> doctored = new LinkedHashMap<>(header);
        doctored.put("cases", List.of(base, badOutput, badGrad, badTdError));
        Path dir = Files.createDirectories(tmp.resolve("doctored"));
        Files.writeString(dir.resolve("losses.json"), Json.write(doctored));

        Summary.FamilyResult r = run(dir, "^DQNLoss/");
        assertEquals(1, r.passed(), "the untouched case still passes");
        Map<String, String> why = new LinkedHashMap<>();
        for (Summary.Failure f : r.failures()) why.put(f.id(), f.reason());
        assertEquals(List.of("DQNLoss/bad/output", "DQNLoss/bad/grad", "DQNLoss/bad/td_error"), new ArrayList<>(why.keySet()));
        assertTrue(why.get("DQNLoss/bad/output").contains("output loss"), why.get("DQNLoss/bad/output"));
        assertTrue(why.get("DQNLoss/bad/grad").contains("grad value.layers[0].weight"), why.get("DQNLoss/bad/grad"));
        assertTrue(why.get("DQNLoss/bad/td_error").contains("written td_error"), why.get("DQNLoss/bad/td_error"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copyOf(Map<String, Object> c, String id) {
        Map<String, Object> copy = (Map<String, Object>) Json.parse(Json.write(c));
        copy.put("id", id);
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> expected(Map<String, Object> c) {
        return (Map<String, Object>) c.get("expected");
    }

    /** Moves one value of a tensor object by a relative 1e-6, far beyond the 1e-9 tolerance. */
    @SuppressWarnings("unchecked")
    private static void nudge(Object tensor, int index) {
        List<Object> data = (List<Object>) ((Map<String, Object>) tensor).get("data");
        double v = ((Number) data.get(index)).doubleValue();
        data.set(index, v + 1e-6 * (1 + Math.abs(v)));
    }
}
