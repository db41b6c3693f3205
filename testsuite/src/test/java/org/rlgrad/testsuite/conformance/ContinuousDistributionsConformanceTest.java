package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.io.Json;

/**
 * The continuous distributions and NormalParamExtractor against the committed public
 * {@code distributions.json}: every one of their cases must pass, and the runner must really
 * check what the cases pin down (a doctored expected value fails).
 */
class ContinuousDistributionsConformanceTest {
    /** The ids of the cases this test holds to passing: the continuous classes and the parameter extractor. */
    static final Pattern CONTINUOUS = Pattern.compile("^distributions/(torch\\.Normal|torch\\.Independent\\(Normal\\)|torchrl\\.IndependentNormal"
            + "|torchrl\\.TanhNormal|torchrl\\.Delta|torchrl\\.TanhDelta|torchrl\\.TruncatedNormal|tensordict\\.NormalParamExtractor)/");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> file() throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(ConformanceRunnerTest.referenceDir().resolve("distributions.json")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> continuousCases(Map<String, Object> file) {
        return ((List<Map<String, Object>>) file.get("cases")).stream()
                .filter(c -> CONTINUOUS.matcher((String) c.get("id")).find()).toList();
    }

    @Test
    void everyContinuousCasePasses() throws Exception {
        Path dir = ConformanceRunnerTest.referenceDir();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Summary s = new ConformanceRunner().run(dir, CONTINUOUS, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Summary.FamilyResult r = s.family("distributions");
        assertEquals(0, r.failed(), () -> r.failures().stream().map(f -> f.id() + ": " + f.reason()).collect(Collectors.joining("\n")));
        int expected = continuousCases(file()).size();
        assertEquals(expected, r.passed());
        assertTrue(expected >= 36, "the public file holds 36 cases of these classes, found " + expected);
    }

    /** Each case, with one expected number nudged by far more than the tolerance, must fail. */
    @Test
    @SuppressWarnings("unchecked")
    void aDoctoredExpectedValueFails() throws Exception {
        Map<String, Object> file = file();
        Map<String, Object> header = new java.util.LinkedHashMap<>(file);
        header.remove("cases");
        DistributionsFamily family = new DistributionsFamily();
        int doctored = 0;
        for (Map<String, Object> c : continuousCases(file)) {
            Map<String, Object> copy = (Map<String, Object>) Json.parse(Json.write(c));
            Map<String, Object> expected = (Map<String, Object>) copy.get("expected");
            String key = expected.containsKey("log_prob") ? "log_prob" : expected.containsKey("loc") ? "scale" : "deterministic_sample";
            List<Object> data = (List<Object>) ((Map<String, Object>) expected.get(key)).get("data");
            int at = -1;
            for (int i = 0; i < data.size() && at < 0; i++) if (data.get(i) instanceof Double || data.get(i) instanceof Long) at = i;
            if (at < 0) continue; // every entry is an intended infinity
            data.set(at, ((Number) data.get(at)).doubleValue() + 1e-3);
            Optional<String> reason = family.run(header, copy);
            assertTrue(reason.isPresent() && reason.get().contains(key), c.get("id") + " passed with expected." + key + " doctored");
            doctored++;
        }
        assertTrue(doctored >= 30, "doctored only " + doctored + " cases");
    }

    /** A case whose distribution has no factory reports itself unsupported, as a missing op does. */
    @Test
    void anUnknownDistributionIsUnsupported() throws Exception {
        Map<String, Object> c = new java.util.LinkedHashMap<>(continuousCases(file()).get(0));
        c.put("distribution", "NoSuchDistribution");
        Optional<String> reason = new DistributionsFamily().run(Map.of(), c);
        assertTrue(reason.isPresent() && reason.get().startsWith("unsupported: distribution 'torch.NoSuchDistribution'"), reason.toString());
    }
}
