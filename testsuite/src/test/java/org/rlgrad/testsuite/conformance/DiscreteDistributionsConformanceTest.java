package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.distributions.CategoricalKL;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.io.Json;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The categorical family and the other PyTorch distributions ({@link DiscreteFactories}) against
 * the committed public {@code distributions.json}.
 *
 * <p>Beta's and Dirichlet's entropy gradients go through trigamma, which follows PyTorch's
 * algorithm so that they match the recorded numbers (an exact trigamma differed by about 1e-8
 * relative, beyond the case tolerance).
 * {@link #categoricalKlMatchesTheVectors()} checks {@link CategoricalKL} on its own,
 * beside the runner, which reaches it through {@code KL.divergence}.
 */
class DiscreteDistributionsConformanceTest {
    static final Pattern DISCRETE = Pattern.compile("^distributions/(torch\\.Categorical|torch\\.OneHotCategorical|torch\\.Bernoulli|torch\\.Beta"
            + "|torch\\.Gamma|torch\\.Dirichlet|torch\\.MultivariateNormal|torchrl\\.OneHotCategorical|torchrl\\.MaskedCategorical"
            + "|torchrl\\.MaskedOneHotCategorical)/");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> file() throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(ConformanceRunnerTest.referenceDir().resolve("distributions.json")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> discreteCases(Map<String, Object> file) {
        return ((List<Map<String, Object>>) file.get("cases")).stream().filter(c -> DISCRETE.matcher((String) c.get("id")).find()).toList();
    }

    @Test
    void everyDiscreteCasePasses() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Summary s = new ConformanceRunner().run(ConformanceRunnerTest.referenceDir(), DISCRETE, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Summary.FamilyResult r = s.family("distributions");
        int cases = discreteCases(file()).size();
        assertTrue(cases >= 20, "the public file holds 20 cases of these classes, found " + cases);
        assertEquals(List.of(), r.failures().stream().map(f -> f.id() + ": " + f.reason()).toList());
        assertEquals(cases, r.passed());
    }

    /** Every case with {@code expected.kl}: CategoricalKL's value and gradients, as the runner would check them. */
    @Test
    @SuppressWarnings("unchecked")
    void categoricalKlMatchesTheVectors() throws Exception {
        Map<String, Object> file = file();
        int checked = 0;
        for (Map<String, Object> c : discreteCases(file)) {
            Map<String, Object> expected = (Map<String, Object>) c.get("expected");
            if (!expected.containsKey("kl")) continue;
            DistributionFactory factory = DiscreteFactories.table().get(c.get("library") + "." + c.get("distribution"));
            Map<String, Object> options = options(c.get("options"));
            Map<String, Tensor> pParams = leaves((Map<String, Object>) c.get("params"));
            Map<String, Tensor> qParams = leaves((Map<String, Object>) c.get("kl_q_params"));
            Distribution p = factory.make(pParams, options);
            Distribution q = factory.make(qParams, options);
            Tolerance tolerance = Tolerance.forCase(file, c);
            Tensor kl = CategoricalKL.divergence(p, q);
            String id = (String) c.get("id");
            Comparison.compare("kl", kl, VectorTensors.decode(expected.get("kl"), "kl"), tolerance).ifPresent(m -> fail(id, m));
            Map<String, Object> grads = (Map<String, Object>) expected.get("kl_grads");
            List<Tensor> leaves = new ArrayList<>();
            List<String> names = new ArrayList<>(grads.keySet());
            for (String name : names) leaves.add((name.startsWith("p.") ? pParams : qParams).get(name.substring(2)));
            Tensor upstream = VectorTensors.decode(((Map<String, Object>) c.get("upstream")).get("kl"), "upstream.kl");
            List<Tensor> got = Autograd.grad(List.of(kl), leaves, List.of(upstream), false, false, true);
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Comparison.compare("kl_grads." + name, got.get(i), VectorTensors.decode(grads.get(name), name), tolerance).ifPresent(m -> fail(id, m));
            }
            checked++;
        }
        assertEquals(9, checked, "the categorical cases that record a KL");
    }

    /** Each case, with one expected log-probability nudged by far more than the tolerance, must fail. */
    @Test
    @SuppressWarnings("unchecked")
    void aDoctoredLogProbFails() throws Exception {
        Map<String, Object> file = file();
        Map<String, Object> header = new LinkedHashMap<>(file);
        header.remove("cases");
        DistributionsFamily family = new DistributionsFamily();
        int doctored = 0;
        for (Map<String, Object> c : discreteCases(file)) {
            Map<String, Object> copy = (Map<String, Object>) Json.parse(Json.write(c));
            List<Object> data = (List<Object>) ((Map<String, Object>) ((Map<String, Object>) copy.get("expected")).get("log_prob")).get("data");
            int at = -1;
            for (int i = 0; i < data.size() && at < 0; i++) if (data.get(i) instanceof Double || data.get(i) instanceof Long) at = i;
            if (at < 0) continue;
            double v = ((Number) data.get(at)).doubleValue();
            data.set(at, v + 1e-3 * Math.max(1, Math.abs(v)));
            Optional<String> reason = family.run(header, copy);
            assertTrue(reason.isPresent() && reason.get().contains("log_prob"), c.get("id") + " passed with expected.log_prob doctored");
            doctored++;
        }
        assertEquals(20, doctored);
    }

    private static void fail(String id, String message) {
        throw new AssertionError(id + ": " + message);
    }

    private static Map<String, Tensor> leaves(Map<String, Object> specs) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        specs.forEach((k, v) -> out.put(k, VectorTensors.decode(v, k).requiresGrad(true)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> options(Object json) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (json != null) ((Map<String, Object>) json).forEach((k, v) -> out.put(k, VectorTensors.isTensor(v) ? VectorTensors.decode(v, k) : v));
        return out;
    }
}
