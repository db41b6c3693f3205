package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * One case of {@code losses.json}, decoded (FORMAT-losses.md section 1): the loss class, its
 * {@code config}, the {@code wiring} of each network, the online and target networks built from
 * their weights, the input batch as a TensorDict, and the random draws to replay.
 */
public record LossCase(String id, String loss, Map<String, Object> config, Map<String, Object> valueEstimator,
                       Map<String, Object> wiring, Map<String, CaseNetwork> networks, Map<String, CaseNetwork> targetNetworks,
                       Map<String, Tensor> lossParameters, Map<String, Tensor> stateBefore, TensorDict batch,
                       List<ReplayedDraws.Draw> randomDraws, Map<String, Object> expected) {

    public static LossCase decode(Map<String, Object> c) {
        String id = JsonValues.string(c.get("id"), "id");
        String loss = JsonValues.string(c.get("loss"), "loss");
        Map<String, Object> config = JsonValues.objectOrEmpty(c.get("config"), "config");
        Map<String, Object> estimator = c.get("value_estimator") == null ? null : JsonValues.object(c.get("value_estimator"), "value_estimator");
        Map<String, Object> wiring = JsonValues.objectOrEmpty(c.get("wiring"), "wiring");
        Map<String, CaseNetwork> networks = networks(c.get("networks"), "networks");
        Map<String, CaseNetwork> targets = networks(c.get("target_networks"), "target_networks");
        Map<String, Tensor> lossParameters = tensors(c.get("loss_parameters"), "loss_parameters");
        Map<String, Tensor> stateBefore = tensors(c.get("state_before"), "state_before");
        List<Object> bs = JsonValues.list(c.get("batch_size"), "batch_size");
        int[] batchSize = new int[bs.size()];
        for (int i = 0; i < batchSize.length; i++) batchSize[i] = JsonValues.integer(bs.get(i), "batch_size[" + i + "]");
        TensorDict batch = dict(JsonValues.object(c.get("batch"), "batch"), batchSize, "batch");
        return new LossCase(id, loss, config, estimator, wiring, networks, targets, lossParameters, stateBefore, batch,
                draws(c.get("random_draws")), JsonValues.object(c.get("expected"), "expected"));
    }

    /** A config value, or {@code fallback} when absent or null. */
    public Object config(String name, Object fallback) {
        Object v = config.get(name);
        return v == null ? fallback : v;
    }

    /** The wiring of network {@code name}. */
    public Map<String, Object> wiringOf(String name) {
        return JsonValues.object(wiring.get(name), "wiring." + name);
    }

    /** The online network {@code name}; absence is a malformed case naming the networks present. */
    public CaseNetwork network(String name) {
        CaseNetwork n = networks.get(name);
        if (n == null) throw new MalformedCaseException("networks: no network '" + name + "'; the case has " + networks.keySet());
        return n;
    }

    /** A fresh replay of the case's draws (each run consumes its own). */
    public ReplayedDraws replay() {
        return new ReplayedDraws(randomDraws);
    }

    private static Map<String, CaseNetwork> networks(Object json, String what) {
        Map<String, CaseNetwork> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : JsonValues.objectOrEmpty(json, what).entrySet()) {
            out.put(e.getKey(), CaseNetwork.decode(e.getKey(), e.getValue(), what + "." + e.getKey()));
        }
        return out;
    }

    private static Map<String, Tensor> tensors(Object json, String what) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : JsonValues.objectOrEmpty(json, what).entrySet()) {
            out.put(e.getKey(), VectorTensors.decode(e.getValue(), what + "." + e.getKey()));
        }
        return out;
    }

    /** A nested map of tensors as a TensorDict; nested maps get the same batch size. */
    static TensorDict dict(Map<String, Object> json, int[] batchSize, String what) {
        TensorDict td = new TensorDict(batchSize);
        for (Map.Entry<String, Object> e : json.entrySet()) {
            String w = what + "." + e.getKey();
            if (VectorTensors.isTensor(e.getValue())) td.set(e.getKey(), VectorTensors.decode(e.getValue(), w));
            else td.set(e.getKey(), dict(JsonValues.object(e.getValue(), w), batchSize, w));
        }
        return td;
    }

    private static List<ReplayedDraws.Draw> draws(Object json) {
        List<ReplayedDraws.Draw> out = new ArrayList<>();
        if (json == null) return out;
        List<Object> list = JsonValues.list(json, "random_draws");
        for (int i = 0; i < list.size(); i++) {
            String w = "random_draws[" + i + "]";
            Map<String, Object> d = JsonValues.object(list.get(i), w);
            String kind = JsonValues.string(d.get("kind"), w + ".kind");
            ReplayedDraws.Kind k = switch (kind) {
                case "standard_normal" -> ReplayedDraws.Kind.STANDARD_NORMAL;
                case "uniform" -> ReplayedDraws.Kind.UNIFORM;
                case "randperm" -> ReplayedDraws.Kind.RANDPERM;
                default -> throw new MalformedCaseException(w + ".kind: expected standard_normal, uniform or randperm, got '" + kind + "'");
            };
            out.add(new ReplayedDraws.Draw(JsonValues.string(d.get("site"), w + ".site"), k, VectorTensors.decode(d.get("value"), w + ".value")));
        }
        return out;
    }
}
