package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.engine.io.Json;

/** The estimators family against the committed public {@code estimators.json}, and doctored copies that must fail. */
class EstimatorsConformanceTest {
    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> file() throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(ConformanceRunnerTest.referenceDir().resolve("estimators.json")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cases(Map<String, Object> file) {
        return (List<Map<String, Object>>) file.get("cases");
    }

    private static Summary.FamilyResult run(Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Summary s = new ConformanceRunner().run(dir, Pattern.compile("^estimators/"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return s.family("estimators");
    }

    @Test
    void everyPublicEstimatorCasePasses() throws Exception {
        Summary.FamilyResult r = run(ConformanceRunnerTest.referenceDir());
        int cases = cases(file()).size();
        assertTrue(cases >= 400, "the public file holds over 400 cases, found " + cases);
        assertEquals(List.of(), r.failures().stream().map(f -> f.id() + ": " + f.reason()).toList());
        assertEquals(cases, r.passed());
    }

    /** One case each with a wrong output, a wrong gradient, and an error case turned into a valid-looking call. */
    @Test
    @SuppressWarnings("unchecked")
    void doctoredCasesFail() throws Exception {
        Map<String, Object> header = file();
        List<Map<String, Object>> all = cases(header);
        Map<String, Object> gae = copyOf(all.stream().filter(c -> c.get("id").toString().startsWith("estimators/generalized_advantage_estimate/")
                && c.get("id").toString().contains("BxTx1")).findFirst().orElseThrow());
        Map<String, Object> badOutput = copyOf(gae);
        badOutput.put("id", "estimators/bad/output");
        List<Object> adv = data(((Map<String, Object>) ((Map<String, Object>) badOutput.get("expected")).get("outputs")).get("advantage"));
        adv.set(2, (Double) adv.get(2) * (1 + 1e-7));
        Map<String, Object> badGrad = copyOf(gae);
        badGrad.put("id", "estimators/bad/grad");
        List<Object> g = data(((Map<String, Object>) ((Map<String, Object>) badGrad.get("expected")).get("grads")).get("reward"));
        g.set(0, (Double) g.get(0) + 1e-9);
        // An error case whose arguments are repaired must fail: the call then succeeds.
        Map<String, Object> badError = copyOf(all.stream().filter(c -> c.get("id").toString().contains("bad_shapeterminated")).findFirst().orElseThrow());
        badError.put("id", "estimators/bad/error");
        Map<String, Object> args = (Map<String, Object>) badError.get("args");
        args.put("terminated", args.get("reward") instanceof Map<?, ?> ? boolsLike((Map<String, Object>) args.get("reward")) : null);

        Map<String, Object> doctored = new LinkedHashMap<>(header);
        doctored.put("cases", List.of(gae, badOutput, badGrad, badError));
        Path dir = Files.createDirectories(tmp.resolve("doctored"));
        Files.writeString(dir.resolve("estimators.json"), Json.write(doctored));
        Summary.FamilyResult r = run(dir);
        assertEquals(1, r.passed(), () -> r.failures().toString());
        assertEquals(List.of("estimators/bad/output", "estimators/bad/grad", "estimators/bad/error"), r.failures().stream().map(Summary.Failure::id).toList());
        assertTrue(r.failures().get(0).reason().startsWith("advantage:"), r.failures().get(0).reason());
        assertTrue(r.failures().get(1).reason().startsWith("grad reward:"), r.failures().get(1).reason());
        assertTrue(r.failures().get(2).reason().startsWith("expected an error"), r.failures().get(2).reason());
    }

    private static Map<String, Object> boolsLike(Map<String, Object> tensor) {
        List<Object> zeros = data(tensor).stream().map(x -> (Object) 0L).toList();
        return new LinkedHashMap<>(Map.of("dtype", "bool", "shape", tensor.get("shape"), "data", zeros));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copyOf(Map<String, Object> c) {
        return (Map<String, Object>) Json.parse(Json.write(c));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> data(Object tensor) {
        return (List<Object>) ((Map<String, Object>) tensor).get("data");
    }
}
