package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.estimators.AdvantageAndTarget;
import org.rlgrad.estimators.Coefficient;
import org.rlgrad.estimators.EstimatorOptions;
import org.rlgrad.estimators.Estimates;
import org.rlgrad.estimators.VTraceResult;

/**
 * {@code estimators.json}: one call of a functional value estimator per case (FORMAT section 2).
 * The case's {@code args} are keyed by TorchRL's parameter names; an absent argument takes
 * TorchRL's default, which is also {@link EstimatorOptions}' default. A case passes when, in
 * float64,
 * <ol>
 *   <li>every output in {@code expected.outputs} matches, in the header's output order;</li>
 *   <li>every gradient in {@code expected.grads} matches the vector-Jacobian product of the
 *       outputs with the recorded {@code upstream}, with respect to that float tensor argument;</li>
 *   <li>a case with {@code expected.error} is refused with an {@link IllegalArgumentException} or
 *       an {@link UnsupportedOperationException} (rlgrad's messages differ from the reference's, so
 *       they are not compared; any other exception is a bug and fails the case). One exception,
 *       DECISIONS.md rule 4: the vectorised TD(λ) accepts a per-step λ that the reference rejects,
 *       and must then give the sequential function's outputs and gradients on the same inputs.</li>
 * </ol>
 * The deprecated {@code done} keyword of {@code td0_return_estimate} stands for
 * {@code terminated} when that is absent, as in the reference.
 */
public final class EstimatorsFamily implements Family {
    @Override public String name() { return "estimators"; }
    @Override public String fileName() { return "estimators.json"; }
    @Override public String format() { return "rlgrad-estimator-vectors"; }

    /** The decoded arguments: float tensors are fresh leaves that require grad. */
    private record Args(Map<String, Object> raw, Map<String, Tensor> tensors) {
        Tensor tensor(String name) {
            return tensors.get(name);
        }

        Coefficient coefficient(String name) {
            if (tensors.containsKey(name)) return Coefficient.of(tensors.get(name));
            Object v = raw.get(name);
            return v == null ? null : Coefficient.of(JsonValues.number(v, "args." + name));
        }

        EstimatorOptions options(boolean withRollingGamma) {
            EstimatorOptions o = EstimatorOptions.defaults();
            if (tensors.containsKey("terminated")) o = o.withTerminated(tensors.get("terminated"));
            if (withRollingGamma && raw.get("rolling_gamma") != null) o = o.withRollingGamma(JsonValues.bool(raw.get("rolling_gamma"), "args.rolling_gamma"));
            if (raw.get("time_dim") != null) o = o.withTimeDim(JsonValues.integer(raw.get("time_dim"), "args.time_dim"));
            if (raw.get("rho_thresh") != null) o = o.withRhoThresh(coefficient("rho_thresh"));
            if (raw.get("c_thresh") != null) o = o.withCThresh(coefficient("c_thresh"));
            return o;
        }
    }

    @Override
    public Optional<String> run(Map<String, Object> header, Map<String, Object> testCase) {
        String function = JsonValues.string(testCase.get("function"), "function");
        Map<String, Object> expected = JsonValues.object(testCase.get("expected"), "expected");
        Tolerance tolerance = Tolerance.forCase(header, testCase);
        List<String> outputNames = outputNames(header, function);
        Map<String, Object> rawArgs = JsonValues.object(testCase.get("args"), "args");

        if (expected.containsKey("error")) {
            if (function.startsWith("vec_td_lambda_") && isPerStepTensor(rawArgs.get("lmbda"))) {
                return agreesWithSequential(function, rawArgs, outputNames, tolerance);
            }
            try {
                call(function, decode(rawArgs));
                return Optional.of("expected an error (" + JsonValues.describe(expected.get("error")) + "), got a result");
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }

        Args args = decode(rawArgs);
        List<Tensor> outs = call(function, args);
        List<String> problems = new ArrayList<>();
        Map<String, Object> expectedOutputs = JsonValues.object(expected.get("outputs"), "expected.outputs");
        Map<String, Object> upstreamJson = JsonValues.object(testCase.get("upstream"), "upstream");
        List<Tensor> ups = new ArrayList<>();
        for (int k = 0; k < outputNames.size(); k++) {
            String name = outputNames.get(k);
            if (!expectedOutputs.containsKey(name)) throw new MalformedCaseException("expected.outputs lacks '" + name + "'");
            Comparison.compare(name, outs.get(k), VectorTensors.decode(expectedOutputs.get(name), "expected.outputs." + name), tolerance)
                    .ifPresent(problems::add);
            ups.add(VectorTensors.decode(upstreamJson.get(name), "upstream." + name));
        }
        Map<String, Object> expectedGrads = JsonValues.objectOrEmpty(expected.get("grads"), "expected.grads");
        if (!expectedGrads.isEmpty()) {
            List<String> names = new ArrayList<>(expectedGrads.keySet());
            List<Tensor> got = vjp(outs, ups, leaves(args, names));
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                Comparison.compare("grad " + n, got.get(i), VectorTensors.decode(expectedGrads.get(n), "expected.grads." + n), tolerance)
                        .ifPresent(problems::add);
            }
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems.subList(0, Math.min(3, problems.size())))
                + (problems.size() > 3 ? "; and " + (problems.size() - 3) + " more" : ""));
    }

    /** DECISIONS.md rule 4: the vectorised TD(λ) with a per-step λ equals the sequential function. */
    private Optional<String> agreesWithSequential(String function, Map<String, Object> rawArgs, List<String> outputNames, Tolerance tolerance) {
        Args vecArgs = decode(rawArgs), seqArgs = decode(rawArgs);
        List<Tensor> vec = call(function, vecArgs);
        List<Tensor> seq = call(function.substring("vec_".length()), seqArgs);
        List<String> problems = new ArrayList<>();
        List<Tensor> ups = new ArrayList<>();
        for (int k = 0; k < outputNames.size(); k++) {
            Comparison.compare(outputNames.get(k) + " (vectorised vs sequential)", vec.get(k), seq.get(k).detach(), tolerance).ifPresent(problems::add);
            ups.add(Tensor.onesLike(vec.get(k)).detach());
        }
        List<String> names = new ArrayList<>(vecArgs.tensors().keySet().stream().filter(n -> vecArgs.tensor(n).dtype().isFloating()).toList());
        List<Tensor> gv = vjp(vec, ups, leaves(vecArgs, names)), gs = vjp(seq, ups, leaves(seqArgs, names));
        for (int i = 0; i < names.size(); i++) {
            Comparison.compare("grad " + names.get(i) + " (vectorised vs sequential)", gv.get(i), gs.get(i), tolerance).ifPresent(problems::add);
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    private static boolean isPerStepTensor(Object json) {
        if (!VectorTensors.isTensor(json)) return false;
        return VectorTensors.decode(json, "args.lmbda").numel() > 1;
    }

    private static List<String> outputNames(Map<String, Object> header, String function) {
        Map<String, Object> outputs = JsonValues.object(header.get("outputs"), "outputs");
        List<Object> names = JsonValues.list(outputs.get(function), "outputs." + function);
        List<String> out = new ArrayList<>();
        for (Object n : names) out.add(JsonValues.string(n, "outputs." + function + "[]"));
        return out;
    }

    private static Args decode(Map<String, Object> raw) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            if (!VectorTensors.isTensor(e.getValue())) continue;
            Tensor t = VectorTensors.decode(e.getValue(), "args." + e.getKey());
            tensors.put(e.getKey(), t.dtype().isFloating() ? t.requiresGrad(true) : t);
        }
        return new Args(raw, tensors);
    }

    private static List<Tensor> leaves(Args args, List<String> names) {
        List<Tensor> out = new ArrayList<>();
        for (String n : names) {
            Tensor t = args.tensor(n);
            if (t == null || !t.dtype().isFloating()) throw new MalformedCaseException("a gradient is given for '" + n + "', which is not a float tensor argument");
            out.add(t);
        }
        return out;
    }

    private static List<Tensor> vjp(List<Tensor> outs, List<Tensor> ups, List<Tensor> leaves) {
        List<Tensor> o = new ArrayList<>(), u = new ArrayList<>();
        for (int k = 0; k < outs.size(); k++) {
            if (!outs.get(k).requiresGrad()) continue;
            o.add(outs.get(k));
            u.add(ups.get(k));
        }
        if (o.isEmpty()) return leaves.stream().map(Tensor::zerosLike).toList();
        return Autograd.grad(o, leaves, u, false, false, true);
    }

    /** The TorchRL function under its rlgrad name, with the case's arguments. */
    private static List<Tensor> call(String function, Args a) {
        Coefficient gamma = a.coefficient("gamma"), lambda = a.coefficient("lmbda");
        Tensor v = a.tensor("state_value"), vNext = a.tensor("next_state_value"), r = a.tensor("reward"), done = a.tensor("done");
        return switch (function) {
            case "td0_return_estimate" -> List.of(Estimates.td0Return(gamma, vNext, r,
                    a.tensor("terminated") != null ? a.tensor("terminated") : done));
            case "td0_advantage_estimate" -> List.of(Estimates.td0Advantage(gamma, v, vNext, r, done, a.tensor("terminated")));
            case "td1_return_estimate" -> List.of(Estimates.td1Return(gamma, vNext, r, done, a.options(true)));
            case "vec_td1_return_estimate" -> List.of(Estimates.vecTd1Return(gamma, vNext, r, done, a.options(true)));
            case "td1_advantage_estimate" -> List.of(Estimates.td1Advantage(gamma, v, vNext, r, done, a.options(true)));
            case "vec_td1_advantage_estimate" -> List.of(Estimates.vecTd1Advantage(gamma, v, vNext, r, done, a.options(true)));
            case "td_lambda_return_estimate" -> List.of(Estimates.tdLambdaReturn(gamma, lambda, vNext, r, done, a.options(true)));
            case "vec_td_lambda_return_estimate" -> List.of(Estimates.vecTdLambdaReturn(gamma, lambda, vNext, r, done, a.options(true)));
            case "td_lambda_advantage_estimate" -> List.of(Estimates.tdLambdaAdvantage(gamma, lambda, v, vNext, r, done, a.options(true)));
            case "vec_td_lambda_advantage_estimate" -> List.of(Estimates.vecTdLambdaAdvantage(gamma, lambda, v, vNext, r, done, a.options(true)));
            case "generalized_advantage_estimate" -> pair(Estimates.generalizedAdvantageEstimate(gamma, lambda, v, vNext, r, done, a.options(false)));
            case "vec_generalized_advantage_estimate" -> pair(Estimates.vecGeneralizedAdvantageEstimate(gamma, lambda, v, vNext, r, done, a.options(false)));
            case "vtrace_advantage_estimate" -> {
                VTraceResult out = Estimates.vtraceAdvantage(gamma, a.tensor("log_pi"), a.tensor("log_mu"), v, vNext, r, done,
                        a.options(false).withReferenceCompat(true)); // the vectors hold TorchRL's arithmetic (DECISIONS.md rule 3)
                yield List.of(out.advantage(), out.vs());
            }
            case "reward2go" -> List.of(Estimates.reward2go(r, done, gamma,
                    a.raw().get("time_dim") == null ? -2 : JsonValues.integer(a.raw().get("time_dim"), "args.time_dim")));
            default -> throw new MalformedCaseException("unknown estimator function '" + function + "'");
        };
    }

    private static List<Tensor> pair(AdvantageAndTarget out) {
        return List.of(out.advantage(), out.valueTarget());
    }
}
