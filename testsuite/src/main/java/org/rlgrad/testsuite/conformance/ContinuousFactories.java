package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rlgrad.engine.distributions.Delta;
import org.rlgrad.engine.distributions.Independent;
import org.rlgrad.engine.distributions.IndependentNormal;
import org.rlgrad.engine.distributions.Normal;
import org.rlgrad.engine.distributions.TanhDelta;
import org.rlgrad.engine.distributions.TanhNormal;
import org.rlgrad.engine.distributions.TruncatedNormal;
import org.rlgrad.engine.tensor.Tensor;

/**
 * How the continuous distributions of {@code distributions.json} are built (see
 * {@link DistributionFactory}): each entry reads the constructor arguments the reference call
 * names ({@code params} for the differentiable ones, {@code options} for the rest, with the
 * reference's defaults where an option is absent). {@code tensordict.NormalParamExtractor} is a
 * module, not a distribution; {@link DistributionsFamily} runs those cases itself.
 */
final class ContinuousFactories {
    private ContinuousFactories() {}

    static Map<String, DistributionFactory> table() {
        Map<String, DistributionFactory> table = new LinkedHashMap<>();
        table.put("torch.Normal", (p, o) -> new Normal(param(p, "loc"), param(p, "scale")));
        table.put("torch.Independent(Normal)", (p, o) -> new Independent(new Normal(param(p, "loc"), param(p, "scale")),
                integer(o, "reinterpreted_batch_ndims", 1)));
        table.put("torchrl.IndependentNormal", (p, o) -> {
            double upscale = number(o, "upscale", IndependentNormal.DEFAULT_UPSCALE);
            boolean tanhLoc = bool(o, "tanh_loc", false);
            int eventDim = integer(o, "event_dim", 1);
            return p.containsKey("scale")
                    ? new IndependentNormal(param(p, "loc"), param(p, "scale"), upscale, tanhLoc, eventDim)
                    : new IndependentNormal(param(p, "loc"), number(o, "scale", Double.NaN), upscale, tanhLoc, eventDim);
        });
        table.put("torchrl.TanhNormal", (p, o) -> {
            Tensor loc = param(p, "loc");
            TanhNormal.Builder b = p.containsKey("scale") ? TanhNormal.builder(loc, param(p, "scale"))
                    : TanhNormal.builder(loc, number(o, "scale", Double.NaN));
            b.upscale(number(o, "upscale", TanhNormal.DEFAULT_UPSCALE))
                    .tanhLoc(bool(o, "tanh_loc", false))
                    .safeTanh(bool(o, "safe_tanh", true))
                    .bounds(bound(o, "low", -1.0, loc), bound(o, "high", 1.0, loc));
            if (o.get("event_dims") != null) b.eventDims(integer(o, "event_dims", 1));
            return b.build();
        });
        table.put("torchrl.Delta", (p, o) -> new Delta(param(p, "param"), number(o, "atol", Delta.DEFAULT_ATOL), number(o, "rtol", Delta.DEFAULT_RTOL),
                shape(o, "batch_shape"), shape(o, "event_shape")));
        table.put("torchrl.TanhDelta", (p, o) -> {
            Tensor param = param(p, "param");
            return new TanhDelta(param, bound(o, "low", -1.0, param), bound(o, "high", 1.0, param), integer(o, "event_dims", 1),
                    number(o, "atol", Delta.DEFAULT_ATOL), number(o, "rtol", Delta.DEFAULT_RTOL), bool(o, "safe", true));
        });
        table.put("torchrl.TruncatedNormal", (p, o) -> {
            Tensor loc = param(p, "loc");
            return new TruncatedNormal(loc, param(p, "scale"), number(o, "upscale", TruncatedNormal.DEFAULT_UPSCALE),
                    bound(o, "low", -1.0, loc), bound(o, "high", 1.0, loc), bool(o, "tanh_loc", false));
        });
        return table;
    }

    private static Tensor param(Map<String, Tensor> params, String name) {
        Tensor t = params.get(name);
        if (t == null) throw new MalformedCaseException("params: missing '" + name + "' (params: " + params.keySet() + ")");
        return t;
    }

    private static double number(Map<String, Object> options, String name, double fallback) {
        Object v = options.get(name);
        return v == null ? fallback : JsonValues.number(v, "options." + name);
    }

    private static int integer(Map<String, Object> options, String name, int fallback) {
        Object v = options.get(name);
        return v == null ? fallback : JsonValues.integer(v, "options." + name);
    }

    private static boolean bool(Map<String, Object> options, String name, boolean fallback) {
        Object v = options.get(name);
        return v == null ? fallback : JsonValues.bool(v, "options." + name);
    }

    /** A shape option (a list of sizes), or null when absent. */
    private static int[] shape(Map<String, Object> options, String name) {
        Object v = options.get(name);
        if (v == null) return null;
        java.util.List<Object> sizes = JsonValues.list(v, "options." + name);
        int[] out = new int[sizes.size()];
        for (int i = 0; i < out.length; i++) out[i] = JsonValues.integer(sizes.get(i), "options." + name + "[" + i + "]");
        return out;
    }

    /** A bound given as a number or a tensor (already decoded), in the dtype of {@code like}. */
    private static Tensor bound(Map<String, Object> options, String name, double fallback, Tensor like) {
        Object v = options.get(name);
        if (v instanceof Tensor t) return t.to(like.dtype());
        return Tensor.scalar(number(options, name, fallback), like.dtype());
    }
}
