package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.rlgrad.engine.distributions.Bernoulli;
import org.rlgrad.engine.distributions.Beta;
import org.rlgrad.engine.distributions.Categorical;
import org.rlgrad.engine.distributions.Dirichlet;
import org.rlgrad.engine.distributions.Gamma;
import org.rlgrad.engine.distributions.MaskedCategorical;
import org.rlgrad.engine.distributions.MultivariateNormal;
import org.rlgrad.engine.distributions.OneHotCategorical;
import org.rlgrad.engine.distributions.OneHotCategorical.Convention;
import org.rlgrad.engine.distributions.OneHotCategorical.GradientMethod;
import org.rlgrad.engine.tensor.Tensor;

/**
 * How the discrete distributions of {@code distributions.json}, and the other PyTorch
 * distributions (Bernoulli, Beta, Gamma, Dirichlet, MultivariateNormal), are built (see
 * {@link DistributionFactory}): each entry reads the constructor arguments the reference call names
 * ({@code params} for the differentiable ones, {@code options} for the rest, with the reference's
 * defaults where an option is absent). An option the entry does not know is a malformed case, so
 * that a new option in the vectors is never silently ignored.
 */
final class DiscreteFactories {
    private DiscreteFactories() {}

    static Map<String, DistributionFactory> table() {
        Map<String, DistributionFactory> table = new LinkedHashMap<>();
        table.put("torch.Categorical", (p, o) -> {
            known("torch.Categorical", o, Set.of());
            return p.containsKey("logits") ? Categorical.fromLogits(p.get("logits")) : Categorical.fromProbs(param(p, "probs"));
        });
        table.put("torch.OneHotCategorical", (p, o) -> {
            known("torch.OneHotCategorical", o, Set.of());
            return oneHot(p, Convention.TORCH, GradientMethod.PASS_THROUGH);
        });
        table.put("torchrl.OneHotCategorical", (p, o) -> {
            known("torchrl.OneHotCategorical", o, Set.of("grad_method"));
            return oneHot(p, Convention.TORCHRL, gradientMethod(o));
        });
        table.put("torch.Bernoulli", (p, o) -> {
            known("torch.Bernoulli", o, Set.of());
            return p.containsKey("logits") ? Bernoulli.fromLogits(p.get("logits")) : Bernoulli.fromProbs(param(p, "probs"));
        });
        table.put("torch.Beta", (p, o) -> {
            known("torch.Beta", o, Set.of());
            return new Beta(param(p, "concentration1"), param(p, "concentration0"));
        });
        table.put("torch.Gamma", (p, o) -> {
            known("torch.Gamma", o, Set.of());
            return new Gamma(param(p, "concentration"), param(p, "rate"));
        });
        table.put("torch.Dirichlet", (p, o) -> {
            known("torch.Dirichlet", o, Set.of());
            return new Dirichlet(param(p, "concentration"));
        });
        table.put("torch.MultivariateNormal", (p, o) -> {
            known("torch.MultivariateNormal", o, Set.of());
            return new MultivariateNormal(param(p, "loc"), param(p, "scale_tril"));
        });
        table.put("torchrl.MaskedCategorical", (p, o) -> masked("torchrl.MaskedCategorical", p, o).build());
        table.put("torchrl.MaskedOneHotCategorical", (p, o) -> masked("torchrl.MaskedOneHotCategorical", p, o).buildOneHot());
        return table;
    }

    private static OneHotCategorical oneHot(Map<String, Tensor> p, Convention convention, GradientMethod method) {
        return p.containsKey("logits") ? OneHotCategorical.fromLogits(p.get("logits"), convention, method)
                : OneHotCategorical.fromProbs(param(p, "probs"), convention, method);
    }

    private static GradientMethod gradientMethod(Map<String, Object> o) {
        Object v = o.get("grad_method");
        if (v == null) return GradientMethod.PASS_THROUGH;
        String s = JsonValues.string(v, "options.grad_method");
        return switch (s) {
            case "PassThrough", "pass_through" -> GradientMethod.PASS_THROUGH;
            case "RelaxedOneHot", "relaxed_one_hot" -> GradientMethod.RELAXED_ONE_HOT;
            default -> throw new MalformedCaseException("options.grad_method: expected \"PassThrough\" or \"RelaxedOneHot\", got \"" + s + "\"");
        };
    }

    private static MaskedCategorical.Builder masked(String who, Map<String, Tensor> p, Map<String, Object> o) {
        known(who, o, Set.of("mask", "indices", "neg_inf", "padding_value", "use_cross_entropy", "padding_side"));
        MaskedCategorical.Builder b = MaskedCategorical.builder();
        if (p.containsKey("logits")) b.logits(p.get("logits"));
        else b.probs(param(p, "probs"));
        if (o.get("mask") != null) b.mask(tensor(o, "mask"));
        if (o.get("indices") != null) b.indices(tensor(o, "indices"));
        if (o.get("neg_inf") != null) b.negInf(number(o.get("neg_inf"), "options.neg_inf"));
        if (o.get("padding_value") != null) b.paddingValue(JsonValues.integer(o.get("padding_value"), "options.padding_value"));
        return b;
    }

    private static Tensor param(Map<String, Tensor> params, String name) {
        Tensor t = params.get(name);
        if (t == null) throw new MalformedCaseException("params: expected '" + name + "', got " + params.keySet());
        return t;
    }

    private static Tensor tensor(Map<String, Object> options, String name) {
        if (!(options.get(name) instanceof Tensor t)) {
            throw new MalformedCaseException("options." + name + ": expected a tensor, got " + JsonValues.describe(options.get(name)));
        }
        return t;
    }

    /** A number, or one of the strings "Infinity", "-Infinity", "NaN" (FORMAT section 1). */
    private static double number(Object v, String what) {
        if (v instanceof String) return VectorTensors.floatValue(v, what, 0);
        return JsonValues.number(v, what);
    }

    private static void known(String who, Map<String, Object> options, Set<String> allowed) {
        for (String k : options.keySet()) {
            if (!allowed.contains(k)) throw new MalformedCaseException(who + ": unknown option '" + k + "' (known: " + allowed + ")");
        }
    }
}
