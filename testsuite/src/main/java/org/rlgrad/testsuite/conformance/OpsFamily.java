package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code ops.json}: one tensor operation per case. A case passes when, in float64,
 * <ol>
 *   <li>the outputs of the rlgrad call ({@link OpTable}) match {@code expected.outputs};</li>
 *   <li>the vector-Jacobian product with the recorded {@code upstream} (integer outputs, whose
 *       upstream is null, take no part) matches {@code expected.grads} for every input named there;</li>
 *   <li>where {@code expected.double_backward} is given: with the first-order gradients
 *       {@code g_i} computed with {@code createGraph}, the gradient of
 *       {@code sum_i sum(g_i * V_i)} ({@code V = grad_upstream}) matches its {@code grads}.</li>
 * </ol>
 * The second-order check runs on a fresh forward pass, so the first-order check exercises the
 * ordinary path (graph freed after use) and the second the create-graph path.
 */
public final class OpsFamily implements Family {
    /** Beyond this many problems in one case, the reason only counts the rest. */
    private static final int MAX_PROBLEMS = 3;

    @Override public String name() { return "ops"; }
    @Override public String fileName() { return "ops.json"; }
    @Override public String format() { return "rlgrad-op-vectors"; }

    @Override
    public Optional<String> run(Map<String, Object> header, Map<String, Object> testCase) {
        String op = JsonValues.string(testCase.get("op"), "op");
        OpCall call = OpTable.lookup(op);
        if (call == null) return Optional.of("unsupported: op '" + op + "' is not in the runner's op table");
        Tolerance tolerance = Tolerance.forCase(header, testCase);
        Map<String, Object> attrs = JsonValues.objectOrEmpty(testCase.get("attrs"), "attrs");
        List<Object> inputSpecs = JsonValues.list(testCase.get("inputs"), "inputs");
        Map<String, Object> expected = JsonValues.object(testCase.get("expected"), "expected");
        List<Tensor> expectedOutputs = decodeList(expected.get("outputs"), "expected.outputs");
        Map<String, Tensor> expectedGrads = decodeMap(expected.get("grads"), "expected.grads");
        List<Tensor> upstream = testCase.get("upstream") == null ? null : decodeList(testCase.get("upstream"), "upstream");
        Map<String, Object> doubleBackward = testCase.get("double_backward") != null
                ? JsonValues.object(testCase.get("double_backward"), "double_backward")
                : expected.get("double_backward") == null ? null : JsonValues.object(expected.get("double_backward"), "expected.double_backward");

        List<String> problems = new ArrayList<>();

        // Forward and first-order gradients.
        Map<String, Tensor> inputs = buildInputs(inputSpecs);
        List<Tensor> outputs = call.call(new OpArgs(op, new LinkedHashMap<>(inputs), attrs));
        if (outputs.size() != expectedOutputs.size()) {
            problems.add(outputs.size() + " outputs, expected " + expectedOutputs.size());
        } else {
            for (int i = 0; i < outputs.size(); i++) {
                Comparison.compare("output " + i, outputs.get(i), expectedOutputs.get(i), tolerance).ifPresent(problems::add);
            }
        }
        if (!expectedGrads.isEmpty()) {
            requireUpstream(upstream, outputs.size());
            try {
                Map<String, Tensor> grads = vjp(outputs, upstream, inputs, new ArrayList<>(expectedGrads.keySet()), false);
                compareAll("grad ", grads, expectedGrads, tolerance, problems);
            } catch (RuntimeException | StackOverflowError e) {
                problems.add("grads: " + ConformanceRunner.describe(e));
            }
        }

        // Second order, on a fresh graph.
        if (doubleBackward != null) {
            Map<String, Tensor> gradUpstream = decodeMap(doubleBackward.get("grad_upstream"), "double_backward.grad_upstream");
            Map<String, Tensor> expectedSecond = decodeMap(doubleBackward.get("grads"), "double_backward.grads");
            try {
                Map<String, Tensor> fresh = buildInputs(inputSpecs);
                List<Tensor> outs = call.call(new OpArgs(op, new LinkedHashMap<>(fresh), attrs));
                Map<String, Tensor> first = vjp(outs, upstream, fresh, new ArrayList<>(gradUpstream.keySet()), true);
                List<Tensor> terms = new ArrayList<>();
                for (Map.Entry<String, Tensor> e : gradUpstream.entrySet()) {
                    Tensor g = first.get(e.getKey());
                    // A first-order gradient that does not depend on the inputs contributes a constant.
                    if (g.requiresGrad()) terms.add(g.mul(e.getValue()).sum());
                }
                Map<String, Tensor> second = gradients(terms, null, fresh, new ArrayList<>(expectedSecond.keySet()), false);
                compareAll("double_backward grad ", second, expectedSecond, tolerance, problems);
            } catch (RuntimeException | StackOverflowError e) {
                problems.add("double_backward: " + ConformanceRunner.describe(e));
            }
        }

        if (problems.isEmpty()) return Optional.empty();
        String reason = String.join("; ", problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
        if (problems.size() > MAX_PROBLEMS) reason += "; and " + (problems.size() - MAX_PROBLEMS) + " more";
        return Optional.of(reason);
    }

    /** The case's inputs as float64/int64/bool leaves, by name, in order; {@code requires_grad} as the case says. */
    private static Map<String, Tensor> buildInputs(List<Object> specs) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            Map<String, Object> spec = JsonValues.object(specs.get(i), "inputs[" + i + "]");
            String name = JsonValues.string(spec.get("name"), "inputs[" + i + "].name");
            Tensor t = VectorTensors.decode(spec, "inputs[" + i + "] (" + name + ")");
            if (spec.get("requires_grad") != null && JsonValues.bool(spec.get("requires_grad"), "inputs[" + i + "].requires_grad")) {
                t.requiresGrad(true);
            }
            if (inputs.put(name, t) != null) throw new MalformedCaseException("inputs: the name '" + name + "' appears twice");
        }
        return inputs;
    }

    /** d/d inputs of sum_k sum(y_k * U_k), over the outputs whose upstream is not null. */
    private static Map<String, Tensor> vjp(List<Tensor> outputs, List<Tensor> upstream, Map<String, Tensor> inputs,
                                           List<String> wanted, boolean createGraph) {
        requireUpstream(upstream, outputs.size());
        List<Tensor> outs = new ArrayList<>(), ups = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) {
            if (upstream.get(k) == null) continue;
            // An output without history does not depend on any input that requires grad.
            if (!outputs.get(k).requiresGrad()) continue;
            outs.add(outputs.get(k));
            ups.add(upstream.get(k));
        }
        return gradients(outs, ups, inputs, wanted, createGraph);
    }

    /** Autograd.grad with allowUnused (unused inputs get zeros), keyed by input name; zeros for all when nothing is differentiable. */
    private static Map<String, Tensor> gradients(List<Tensor> outputs, List<Tensor> upstreams, Map<String, Tensor> inputs,
                                                 List<String> wanted, boolean createGraph) {
        List<Tensor> leaves = new ArrayList<>();
        for (String name : wanted) {
            Tensor t = inputs.get(name);
            if (t == null) throw new MalformedCaseException("a gradient is given for '" + name + "', which is not an input (inputs: " + inputs.keySet() + ")");
            if (!t.requiresGrad()) throw new MalformedCaseException("a gradient is given for '" + name + "', whose requires_grad is false");
            leaves.add(t);
        }
        List<Tensor> grads;
        if (outputs.isEmpty()) {
            grads = new ArrayList<>();
            for (Tensor t : leaves) grads.add(Tensor.zerosLike(t));
        } else {
            grads = Autograd.grad(outputs, leaves, upstreams, createGraph, createGraph, true);
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < wanted.size(); i++) byName.put(wanted.get(i), grads.get(i));
        return byName;
    }

    private static void compareAll(String prefix, Map<String, Tensor> got, Map<String, Tensor> expected, Tolerance tolerance, List<String> problems) {
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Comparison.compare(prefix + e.getKey(), got.get(e.getKey()), e.getValue(), tolerance).ifPresent(problems::add);
        }
    }

    private static void requireUpstream(List<Tensor> upstream, int outputs) {
        if (upstream == null) throw new MalformedCaseException("gradients are expected but the case has no upstream");
        if (upstream.size() != outputs) {
            throw new MalformedCaseException("upstream has " + upstream.size() + " entries for " + outputs + " outputs");
        }
    }

    /** A list of tensors; null entries (the upstream of integer outputs) stay null. */
    private static List<Tensor> decodeList(Object json, String what) {
        List<Object> list = JsonValues.list(json, what);
        List<Tensor> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) out.add(list.get(i) == null ? null : VectorTensors.decode(list.get(i), what + "[" + i + "]"));
        return out;
    }

    /** Name to tensor; absent means empty. */
    private static Map<String, Tensor> decodeMap(Object json, String what) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        JsonValues.objectOrEmpty(json, what).forEach((k, v) -> out.put(k, VectorTensors.decode(v, what + "." + k)));
        return out;
    }
}
