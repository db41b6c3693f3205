package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

import org.rlgrad.engine.distributions.Bernoulli;
import org.rlgrad.engine.distributions.Categorical;
import org.rlgrad.engine.distributions.Delta;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.IndependentNormal;
import org.rlgrad.engine.distributions.MaskedCategorical;
import org.rlgrad.engine.distributions.Normal;
import org.rlgrad.engine.distributions.OneHotCategorical;
import org.rlgrad.engine.distributions.TanhDelta;
import org.rlgrad.engine.distributions.TanhNormal;
import org.rlgrad.engine.distributions.TruncatedNormal;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A distribution class as a probabilistic module sees it (spec engine.md 3.7): a constructor from
 * named tensor arguments (the in-keys' values: {@code loc}, {@code scale}, {@code logits}, a mask)
 * and fixed keyword arguments given at construction ({@code low}, {@code high}, {@code upscale}).
 * {@link #create} checks both sets of names first, so that a misnamed in-key fails with the names
 * the class takes and the ones it got, instead of a null deep inside the constructor.
 *
 * <p>Keyword values are numbers, booleans or tensors; a bound given as a number is made on the
 * device and in the dtype of the first tensor argument.
 */
public record DistributionFactory(String name, Set<String> arguments, Set<String> required, Set<String> keywords,
                                  BiFunction<Map<String, Tensor>, Map<String, Object>, ? extends Distribution> constructor) {
    public DistributionFactory {
        arguments = Set.copyOf(arguments);
        required = Set.copyOf(required);
        keywords = Set.copyOf(keywords);
    }

    /** Checks the names, then builds the distribution. */
    public Distribution create(Map<String, Tensor> args, Map<String, Object> kwargs) {
        List<String> unexpected = new ArrayList<>(), missing = new ArrayList<>(), badKw = new ArrayList<>();
        for (String a : args.keySet()) if (!arguments.contains(a)) unexpected.add(a);
        for (String r : required) if (!args.containsKey(r)) missing.add(r);
        for (String k : kwargs.keySet()) if (!keywords.contains(k)) badKw.add(k);
        if (!unexpected.isEmpty() || !missing.isEmpty()) {
            throw new IllegalArgumentException(name + ": the dist keys give argument(s) " + new TreeSet<>(args.keySet()) + ", but " + name + " takes "
                    + new TreeSet<>(arguments) + (required.isEmpty() ? "" : " (required: " + new TreeSet<>(required) + ")")
                    + (unexpected.isEmpty() ? "" : "; unexpected: " + unexpected) + (missing.isEmpty() ? "" : "; missing: " + missing)
                    + ". The last element of each in-key names its argument; use an in-key map to rename");
        }
        if (!badKw.isEmpty()) {
            throw new IllegalArgumentException(name + ": unexpected distribution keyword(s) " + badKw + "; " + name + " accepts " + new TreeSet<>(keywords));
        }
        return constructor.apply(args, kwargs);
    }

    // ------------------------------------------------------------------ the engine's distributions

    public static final DistributionFactory DELTA = new DistributionFactory("Delta", Set.of("param"), Set.of("param"), Set.of("atol", "rtol"),
            (a, k) -> new Delta(a.get("param"), num(k, "atol", Delta.DEFAULT_ATOL), num(k, "rtol", Delta.DEFAULT_RTOL)));

    public static final DistributionFactory TANH_DELTA = new DistributionFactory("TanhDelta", Set.of("param"), Set.of("param"),
            Set.of("low", "high", "event_dims", "atol", "rtol", "safe"), (a, k) -> {
                Tensor p = a.get("param");
                return new TanhDelta(p, bound(k, "low", -1, p), bound(k, "high", 1, p), (int) num(k, "event_dims", 1),
                        num(k, "atol", Delta.DEFAULT_ATOL), num(k, "rtol", Delta.DEFAULT_RTOL), bool(k, "safe", true));
            });

    public static final DistributionFactory NORMAL = new DistributionFactory("Normal", Set.of("loc", "scale"), Set.of("loc", "scale"), Set.of(),
            (a, k) -> new Normal(a.get("loc"), a.get("scale")));

    public static final DistributionFactory INDEPENDENT_NORMAL = new DistributionFactory("IndependentNormal", Set.of("loc", "scale"), Set.of("loc", "scale"),
            Set.of("upscale", "tanh_loc", "event_dim"), (a, k) -> new IndependentNormal(a.get("loc"), a.get("scale"),
                    num(k, "upscale", IndependentNormal.DEFAULT_UPSCALE), bool(k, "tanh_loc", false), (int) num(k, "event_dim", 1)));

    public static final DistributionFactory TANH_NORMAL = new DistributionFactory("TanhNormal", Set.of("loc", "scale"), Set.of("loc", "scale"),
            Set.of("low", "high", "upscale", "event_dims", "tanh_loc", "safe_tanh"), (a, k) -> {
                Tensor loc = a.get("loc");
                TanhNormal.Builder b = TanhNormal.builder(loc, a.get("scale")).upscale(num(k, "upscale", TanhNormal.DEFAULT_UPSCALE))
                        .bounds(bound(k, "low", -1, loc), bound(k, "high", 1, loc)).tanhLoc(bool(k, "tanh_loc", false)).safeTanh(bool(k, "safe_tanh", true));
                if (k.containsKey("event_dims")) b.eventDims((int) num(k, "event_dims", 1));
                return b.build();
            });

    public static final DistributionFactory TRUNCATED_NORMAL = new DistributionFactory("TruncatedNormal", Set.of("loc", "scale"), Set.of("loc", "scale"),
            Set.of("low", "high", "upscale", "tanh_loc"), (a, k) -> {
                Tensor loc = a.get("loc");
                return new TruncatedNormal(loc, a.get("scale"), num(k, "upscale", TruncatedNormal.DEFAULT_UPSCALE), bound(k, "low", -1, loc),
                        bound(k, "high", 1, loc), bool(k, "tanh_loc", false));
            });

    public static final DistributionFactory CATEGORICAL = new DistributionFactory("Categorical", Set.of("logits", "probs"), Set.of(), Set.of(),
            (a, k) -> exactlyOne("Categorical", a, "logits", "probs") ? Categorical.fromLogits(a.get("logits")) : Categorical.fromProbs(a.get("probs")));

    public static final DistributionFactory ONE_HOT_CATEGORICAL = new DistributionFactory("OneHotCategorical", Set.of("logits", "probs"), Set.of(), Set.of(),
            (a, k) -> exactlyOne("OneHotCategorical", a, "logits", "probs") ? OneHotCategorical.fromLogits(a.get("logits"))
                    : OneHotCategorical.fromProbs(a.get("probs")));

    public static final DistributionFactory BERNOULLI = new DistributionFactory("Bernoulli", Set.of("logits", "probs"), Set.of(), Set.of(),
            (a, k) -> exactlyOne("Bernoulli", a, "logits", "probs") ? Bernoulli.fromLogits(a.get("logits")) : Bernoulli.fromProbs(a.get("probs")));

    public static final DistributionFactory MASKED_CATEGORICAL = new DistributionFactory("MaskedCategorical", Set.of("logits", "probs", "mask", "indices"),
            Set.of(), Set.of("neg_inf", "padding_value"), (a, k) -> masked(a, k).build());

    public static final DistributionFactory MASKED_ONE_HOT_CATEGORICAL = new DistributionFactory("MaskedOneHotCategorical",
            Set.of("logits", "probs", "mask", "indices"), Set.of(), Set.of("neg_inf", "padding_value"), (a, k) -> masked(a, k).buildOneHot());

    private static MaskedCategorical.Builder masked(Map<String, Tensor> a, Map<String, Object> k) {
        MaskedCategorical.Builder b = MaskedCategorical.builder();
        if (exactlyOne("MaskedCategorical", a, "logits", "probs")) b.logits(a.get("logits"));
        else b.probs(a.get("probs"));
        if (a.containsKey("mask")) b.mask(a.get("mask"));
        if (a.containsKey("indices")) b.indices(a.get("indices"));
        if (k.containsKey("neg_inf")) b.negInf(num(k, "neg_inf", Double.NEGATIVE_INFINITY));
        if (k.containsKey("padding_value")) b.paddingValue((long) num(k, "padding_value", 0));
        return b;
    }

    /** True for the first name, false for the second; an error unless exactly one is given. */
    private static boolean exactlyOne(String who, Map<String, Tensor> a, String first, String second) {
        boolean f = a.get(first) != null, s = a.get(second) != null;
        if (f == s) {
            throw new IllegalArgumentException(who + ": expected exactly one of " + first + " and " + second + " among the dist keys, got "
                    + new TreeSet<>(a.keySet()));
        }
        return f;
    }

    private static double num(Map<String, Object> k, String name, double fallback) {
        Object v = k.get(name);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("distribution keyword " + name + ": expected a number, got " + v.getClass().getSimpleName() + " " + v);
    }

    private static boolean bool(Map<String, Object> k, String name, boolean fallback) {
        Object v = k.get(name);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("distribution keyword " + name + ": expected a boolean, got " + v.getClass().getSimpleName() + " " + v);
    }

    /** A bound as a tensor on {@code like}'s device and in its dtype. */
    private static Tensor bound(Map<String, Object> k, String name, double fallback, Tensor like) {
        Object v = k.get(name);
        if (v instanceof Tensor t) return t.to(like.device()).to(like.dtype());
        return like.newScalar(num(k, name, fallback), like.dtype());
    }
}
