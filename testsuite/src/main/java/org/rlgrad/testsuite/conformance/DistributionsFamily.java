package org.rlgrad.testsuite.conformance;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.KL;
import org.rlgrad.engine.distributions.NormalParamExtractor;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code distributions.json}: one distribution with fixed parameters per case (FORMAT section 4).
 * The distribution is built by the factory {@link DistributionFactories#all()} holds under
 * {@code "<library>.<distribution>"}; a case without one fails as {@code unsupported: ...}, so that
 * the report shows what is left. A case passes when, in float64,
 * <ol>
 *   <li>the batch and event shapes are the reference's;</li>
 *   <li>every quantity in {@code expected} matches: {@code log_prob} of {@code value},
 *       {@code entropy}, {@code mean}, {@code mode}, {@code deterministic_sample}, the extra
 *       properties ({@code stddev}, {@code probs}, {@code covariance_matrix}, ...: the public
 *       no-argument method of the same name in camelCase, {@code stddev()},
 *       {@code covarianceMatrix()}), {@code kl} against a second distribution built from
 *       {@code kl_q_params} with the same options, and {@code rsample}: the draw from the recorded
 *       standard-normal noise, replayed at the site {@code "Normal.rsample"} (with its log-probability
 *       from {@code rsampleAndLogProb} where the case records one);</li>
 *   <li>each {@code <quantity>_grads} (and {@code kl_grads}, {@code rsample.grads}) matches the
 *       vector-Jacobian product with the recorded upstream, with respect to the {@code params}
 *       (FORMAT section 1, "Gradients and upstreams");</li>
 *   <li>each quantity under {@code expected.errors} is refused instead of answered: an
 *       {@link UnsupportedOperationException}, {@link IllegalStateException} or
 *       {@link IllegalArgumentException} (rlgrad's messages say more than the reference's, so they
 *       are not compared; another exception is a bug and fails the case).</li>
 * </ol>
 * Non-finite expected values must match exactly, and only fields listed in
 * {@code nonfinite_expected} may hold them. Every quantity is computed on a freshly built
 * distribution, so no graph is shared between two gradient computations.
 * {@code module: true} cases are {@code NormalParamExtractor} (FORMAT section 4.4).
 */
public final class DistributionsFamily implements Family {
    /** Beyond this many problems in one case, the reason only counts the rest. */
    private static final int MAX_PROBLEMS = 3;
    /** The point estimates and the entropy: a no-argument call of the Distribution contract. */
    private static final Map<String, Function<Distribution, Tensor>> QUANTITIES = Map.of(
            "entropy", Distribution::entropy,
            "mean", Distribution::mean,
            "mode", Distribution::mode,
            "deterministic_sample", Distribution::deterministicSample);
    /** Extra properties, read by reflection from the distribution's class. */
    private static final Set<String> PROPERTIES = Set.of("stddev", "variance", "probs", "logits", "covariance_matrix", "masked_logits");

    @Override public String name() { return "distributions"; }
    @Override public String fileName() { return "distributions.json"; }
    @Override public String format() { return "rlgrad-distribution-vectors"; }

    /** The case's pieces, decoded once. */
    private record Case(DistributionFactory factory, Map<String, Object> paramSpecs, Map<String, Object> options,
                        Map<String, Tensor> upstream, Tolerance tolerance) {
        /** Fresh leaves (requiring grad) for the parameters, and the distribution built from them. */
        Built build(Map<String, Object> specs) {
            Map<String, Tensor> params = leaves(specs, "params");
            return new Built(params, factory.make(params, options));
        }
    }

    private record Built(Map<String, Tensor> params, Distribution dist) {}

    @Override
    public Optional<String> run(Map<String, Object> header, Map<String, Object> testCase) {
        Tolerance tolerance = Tolerance.forCase(header, testCase);
        Map<String, Object> expected = JsonValues.object(testCase.get("expected"), "expected");
        Map<String, Tensor> upstream = decodeMap(testCase.get("upstream"), "upstream");
        checkNonFinite(expected, testCase.get("nonfinite_expected"));
        List<String> problems = new ArrayList<>();

        if (testCase.get("module") != null && JsonValues.bool(testCase.get("module"), "module")) {
            runParamExtractor(testCase, expected, upstream, tolerance, problems);
            return verdict(problems);
        }

        String key = JsonValues.string(testCase.get("library"), "library") + "." + JsonValues.string(testCase.get("distribution"), "distribution");
        DistributionFactory factory = DistributionFactories.all().get(key);
        if (factory == null) return Optional.of("unsupported: distribution '" + key + "' is not in the runner's factory table");
        Case c = new Case(factory, JsonValues.object(testCase.get("params"), "params"), decodeOptions(testCase.get("options")), upstream, tolerance);

        Distribution first = c.build(c.paramSpecs()).dist();
        checkShape("batch_shape", first.batchShape(), testCase.get("batch_shape"), problems);
        checkShape("event_shape", first.eventShape(), testCase.get("event_shape"), problems);

        for (Map.Entry<String, Object> e : expected.entrySet()) {
            String q = e.getKey();
            try {
                if (q.endsWith("_grads") || q.equals("grads")) {
                    String of = q.substring(0, Math.max(0, q.length() - "_grads".length()));
                    if (!expected.containsKey(of)) throw new MalformedCaseException("expected." + q + " is given without expected." + of);
                } else if (q.equals("log_prob")) {
                    Tensor value = VectorTensors.decode(testCase.get("value"), "value");
                    checkQuantity(c, q, d -> d.logProb(value), expected, problems);
                } else if (QUANTITIES.containsKey(q)) {
                    checkQuantity(c, q, QUANTITIES.get(q), expected, problems);
                } else if (PROPERTIES.contains(q)) {
                    Tensor got = property(c.build(c.paramSpecs()).dist(), q);
                    Comparison.compare(q, got, VectorTensors.decode(e.getValue(), "expected." + q), tolerance).ifPresent(problems::add);
                } else if (q.equals("kl")) {
                    checkKl(c, testCase, expected, problems);
                } else if (q.equals("rsample")) {
                    checkRsample(c, JsonValues.object(e.getValue(), "expected.rsample"), problems);
                } else if (q.equals("errors")) {
                    checkErrors(c, JsonValues.object(e.getValue(), "expected.errors"), testCase, problems);
                } else {
                    problems.add(q + ": the runner does not know this quantity");
                }
            } catch (MalformedCaseException ex) {
                throw ex;
            } catch (RuntimeException | StackOverflowError ex) {
                problems.add(q + ": " + ConformanceRunner.describe(ex));
            }
        }
        return verdict(problems);
    }

    private static Optional<String> verdict(List<String> problems) {
        if (problems.isEmpty()) return Optional.empty();
        String reason = String.join("; ", problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
        if (problems.size() > MAX_PROBLEMS) reason += "; and " + (problems.size() - MAX_PROBLEMS) + " more";
        return Optional.of(reason);
    }

    /** A quantity computed on a fresh distribution, compared, and its gradients where {@code <q>_grads} is given. */
    private static void checkQuantity(Case c, String q, Function<Distribution, Tensor> f, Map<String, Object> expected, List<String> problems) {
        Built b = c.build(c.paramSpecs());
        Tensor got = f.apply(b.dist());
        Comparison.compare(q, got, VectorTensors.decode(expected.get(q), "expected." + q), c.tolerance()).ifPresent(problems::add);
        Map<String, Tensor> expectedGrads = decodeMap(expected.get(q + "_grads"), "expected." + q + "_grads");
        if (expectedGrads.isEmpty()) return;
        Tensor u = upstreamFor(c, q);
        Map<String, Tensor> grads = vjp(List.of(got), List.of(u), b.params(), expectedGrads.keySet());
        compareAll(q + "_grads.", grads, expectedGrads, c.tolerance(), problems);
    }

    /** KL(p ‖ q), q built from {@code kl_q_params} with the same options; gradients keyed {@code p.<param>} and {@code q.<param>}. */
    private static void checkKl(Case c, Map<String, Object> testCase, Map<String, Object> expected, List<String> problems) {
        Built p = c.build(c.paramSpecs());
        Built q = c.build(JsonValues.object(testCase.get("kl_q_params"), "kl_q_params"));
        Tensor kl = KL.divergence(p.dist(), q.dist());
        Comparison.compare("kl", kl, VectorTensors.decode(expected.get("kl"), "expected.kl"), c.tolerance()).ifPresent(problems::add);
        Map<String, Tensor> expectedGrads = decodeMap(expected.get("kl_grads"), "expected.kl_grads");
        if (expectedGrads.isEmpty()) return;
        Map<String, Tensor> both = new LinkedHashMap<>();
        p.params().forEach((k, v) -> both.put("p." + k, v));
        q.params().forEach((k, v) -> both.put("q." + k, v));
        Map<String, Tensor> grads = vjp(List.of(kl), List.of(upstreamFor(c, "kl")), both, expectedGrads.keySet());
        compareAll("kl_grads.", grads, expectedGrads, c.tolerance(), problems);
    }

    /**
     * A draw from the recorded noise: {@code rsampleAndLogProb} where the case records the joint
     * log-probability (TanhNormal), else {@code rsample}; every recorded draw must be used.
     */
    private static void checkRsample(Case c, Map<String, Object> spec, List<String> problems) {
        int[] sampleShape = ints(spec.get("sample_shape"), "expected.rsample.sample_shape");
        Tensor noise = VectorTensors.decode(spec.get("noise"), "expected.rsample.noise");
        ReplayedDraws draws = new ReplayedDraws(List.of(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, noise)));
        Built b = c.build(c.paramSpecs());
        boolean joint = spec.get("log_prob") != null;
        Tensor sample, logProb = null;
        if (joint) {
            SampleAndLogProb s = b.dist().rsampleAndLogProb(draws, sampleShape);
            sample = s.sample();
            logProb = s.logProb();
        } else {
            sample = b.dist().rsample(draws, sampleShape);
        }
        draws.checkAllUsed();
        Comparison.compare("rsample.sample", sample, VectorTensors.decode(spec.get("sample"), "expected.rsample.sample"), c.tolerance()).ifPresent(problems::add);
        if (joint) {
            Comparison.compare("rsample.log_prob", logProb, VectorTensors.decode(spec.get("log_prob"), "expected.rsample.log_prob"), c.tolerance())
                    .ifPresent(problems::add);
        }
        Map<String, Tensor> expectedGrads = decodeMap(spec.get("grads"), "expected.rsample.grads");
        if (expectedGrads.isEmpty()) return;
        List<Tensor> outs = new ArrayList<>(List.of(sample));
        List<Tensor> ups = new ArrayList<>(List.of(upstreamFor(c, "rsample")));
        if (joint) {
            outs.add(logProb);
            ups.add(upstreamFor(c, "rsample_log_prob"));
        }
        compareAll("rsample.grads.", vjp(outs, ups, b.params(), expectedGrads.keySet()), expectedGrads, c.tolerance(), problems);
    }

    /** Each listed quantity must throw where the reference raised. */
    private static void checkErrors(Case c, Map<String, Object> errors, Map<String, Object> testCase, List<String> problems) {
        for (Map.Entry<String, Object> e : errors.entrySet()) {
            String q = e.getKey();
            String reference = JsonValues.string(e.getValue(), "expected.errors." + q);
            Distribution d = c.build(c.paramSpecs()).dist();
            Tensor got;
            try {
                if (QUANTITIES.containsKey(q)) got = QUANTITIES.get(q).apply(d);
                else if (q.equals("log_prob")) got = d.logProb(VectorTensors.decode(testCase.get("value"), "value"));
                else if (PROPERTIES.contains(q)) got = property(d, q);
                else {
                    problems.add("errors." + q + ": the runner does not know this quantity");
                    continue;
                }
            } catch (UnsupportedOperationException | IllegalStateException | IllegalArgumentException ex) {
                continue; // refused, as the reference does
            } catch (RuntimeException ex) {
                // A NullPointerException or a ClassCastException is a bug, not a refusal.
                problems.add(q + ": expected a refusal (the reference raises " + reference + "), got " + ConformanceRunner.describe(ex));
                continue;
            }
            problems.add(q + ": expected an error (the reference raises " + reference + "), got a value of shape " + Shape.format(got.shapeRef()));
        }
    }

    /** NormalParamExtractor: loc and scale of {@code params.input}, and the input's gradient. */
    private static void runParamExtractor(Map<String, Object> testCase, Map<String, Object> expected, Map<String, Tensor> upstream,
                                          Tolerance tolerance, List<String> problems) {
        Map<String, Object> options = JsonValues.objectOrEmpty(testCase.get("options"), "options");
        String mapping = options.get("scale_mapping") == null ? NormalParamExtractor.DEFAULT_SCALE_MAPPING
                : JsonValues.string(options.get("scale_mapping"), "options.scale_mapping");
        double lb = options.get("scale_lb") == null ? NormalParamExtractor.DEFAULT_SCALE_LB : JsonValues.number(options.get("scale_lb"), "options.scale_lb");
        Map<String, Tensor> params = leaves(JsonValues.object(testCase.get("params"), "params"), "params");
        Tensor input = params.get("input");
        if (input == null) throw new MalformedCaseException("params: a NormalParamExtractor case needs 'input', got " + params.keySet());
        NormalParamExtractor.LocAndScale out = new NormalParamExtractor(mapping, lb).apply(input);
        Comparison.compare("loc", out.loc(), VectorTensors.decode(expected.get("loc"), "expected.loc"), tolerance).ifPresent(problems::add);
        Comparison.compare("scale", out.scale(), VectorTensors.decode(expected.get("scale"), "expected.scale"), tolerance).ifPresent(problems::add);
        Map<String, Tensor> expectedGrads = decodeMap(expected.get("grads"), "expected.grads");
        if (expectedGrads.isEmpty()) return;
        List<Tensor> ups = List.of(required(upstream, "loc"), required(upstream, "scale"));
        compareAll("grads.", vjp(List.of(out.loc(), out.scale()), ups, params, expectedGrads.keySet()), expectedGrads, tolerance, problems);
    }

    // ------------------------------------------------------------------ helpers

    private static Tensor upstreamFor(Case c, String quantity) {
        return required(c.upstream(), quantity);
    }

    private static Tensor required(Map<String, Tensor> upstream, String quantity) {
        Tensor u = upstream.get(quantity);
        if (u == null) throw new MalformedCaseException("gradients of " + quantity + " are expected but upstream." + quantity + " is missing");
        return u;
    }

    /** d/d params of sum_k sum(y_k * U_k); zeros for parameters the outputs do not depend on. */
    private static Map<String, Tensor> vjp(List<Tensor> outputs, List<Tensor> upstreams, Map<String, Tensor> params, Set<String> wanted) {
        List<Tensor> leaves = new ArrayList<>();
        for (String name : wanted) {
            Tensor t = params.get(name);
            if (t == null) throw new MalformedCaseException("a gradient is given for '" + name + "', which is not a parameter (parameters: " + params.keySet() + ")");
            leaves.add(t);
        }
        List<Tensor> outs = new ArrayList<>(), ups = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) {
            Tensor y = outputs.get(k), u = upstreams.get(k);
            if (!Arrays.equals(y.shapeRef(), u.shapeRef())) {
                throw new IllegalStateException("an output of shape " + Shape.format(y.shapeRef()) + " meets an upstream of shape " + Shape.format(u.shapeRef()));
            }
            if (!y.requiresGrad()) continue; // a value without history depends on no parameter
            outs.add(y);
            ups.add(u);
        }
        List<Tensor> grads;
        if (outs.isEmpty()) {
            grads = new ArrayList<>();
            for (Tensor t : leaves) grads.add(Tensor.zerosLike(t));
        } else {
            grads = Autograd.grad(outs, leaves, ups, false, false, true);
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        int i = 0;
        for (String name : wanted) byName.put(name, grads.get(i++));
        return byName;
    }

    private static void compareAll(String prefix, Map<String, Tensor> got, Map<String, Tensor> expected, Tolerance tolerance, List<String> problems) {
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Comparison.compare(prefix + e.getKey(), got.get(e.getKey()), e.getValue(), tolerance).ifPresent(problems::add);
        }
    }

    /** {@code stddev} → {@code stddev()}, {@code covariance_matrix} → {@code covarianceMatrix()}, on the distribution's class. */
    private static Tensor property(Distribution d, String name) {
        StringBuilder camel = new StringBuilder();
        boolean up = false;
        for (char ch : name.toCharArray()) {
            if (ch == '_') {
                up = true;
                continue;
            }
            camel.append(up ? Character.toUpperCase(ch) : ch);
            up = false;
        }
        Method m;
        try {
            m = d.getClass().getMethod(camel.toString());
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException(d.getClass().getSimpleName() + " has no public method " + camel + "() for the property " + name);
        }
        if (m.getReturnType() != Tensor.class) {
            throw new UnsupportedOperationException(d.getClass().getSimpleName() + "." + camel + "() returns " + m.getReturnType().getSimpleName() + ", not Tensor");
        }
        try {
            return (Tensor) m.invoke(d);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(d.getClass().getSimpleName() + "." + camel + "() is not accessible: " + e.getMessage());
        }
    }

    /** Float64 leaves that require grad, by name. */
    private static Map<String, Tensor> leaves(Map<String, Object> specs, String what) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        specs.forEach((k, v) -> out.put(k, VectorTensors.decode(v, what + "." + k).requiresGrad(true)));
        return out;
    }

    /** Options as the factories read them: tensor objects decoded, everything else as parsed. */
    private static Map<String, Object> decodeOptions(Object json) {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonValues.objectOrEmpty(json, "options").forEach((k, v) -> out.put(k, VectorTensors.isTensor(v) ? VectorTensors.decode(v, "options." + k) : v));
        return out;
    }

    private static Map<String, Tensor> decodeMap(Object json, String what) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        JsonValues.objectOrEmpty(json, what).forEach((k, v) -> out.put(k, VectorTensors.decode(v, what + "." + k)));
        return out;
    }

    private static int[] ints(Object json, String what) {
        List<Object> list = JsonValues.list(json, what);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = JsonValues.integer(list.get(i), what + "[" + i + "]");
        return out;
    }

    private static void checkShape(String what, int[] got, Object json, List<String> problems) {
        if (json == null) return;
        int[] expected = ints(json, what);
        if (!Arrays.equals(got, expected)) problems.add(what + ": " + Shape.format(got) + ", expected " + Shape.format(expected));
    }

    /** Only the fields listed in {@code nonfinite_expected} may hold infinities or NaN (FORMAT 4.1). */
    private static void checkNonFinite(Map<String, Object> expected, Object listed) {
        Set<String> allowed = new HashSet<>();
        if (listed != null) for (Object o : JsonValues.list(listed, "nonfinite_expected")) allowed.add(JsonValues.string(o, "nonfinite_expected[]"));
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            if (allowed.contains(e.getKey()) || !VectorTensors.isTensor(e.getValue())) continue;
            Tensor t = VectorTensors.decode(e.getValue(), "expected." + e.getKey());
            if (!t.dtype().isFloating()) continue;
            for (double v : t.toDoubleArray()) {
                if (!Double.isFinite(v)) {
                    throw new MalformedCaseException("expected." + e.getKey() + " holds " + v + " but is not listed in nonfinite_expected");
                }
            }
        }
    }
}
