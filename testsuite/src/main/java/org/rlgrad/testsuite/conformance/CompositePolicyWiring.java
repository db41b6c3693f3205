package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.tensordict.Key;

/**
 * {@code composite_policy} (FORMAT-losses.md section 3): a policy with several heads, each its own
 * case network {@code heads.<action key>.network} (named {@code actor.<head>}) reading its own
 * {@code in_keys}. Head kind {@code normal}: the loc/scale head of
 * {@link IndependentNormalPolicyWiring} with an element-wise Normal (log-probability and entropy of
 * the action's full shape); kind {@code categorical}: logits of a Categorical. The heads' parameters
 * go to {@code ("params", <head>, ...)} and a composite {@link ProbabilisticActor} writes each action
 * at its key (the head's name, split on {@code /}) and its log-probability at
 * {@code heads.<head>.log_prob_key}. The {@code network} argument is not used: there is no network
 * named after the policy itself.
 */
final class CompositePolicyWiring implements NetworkWiring {
    @Override
    public String kind() { return "composite_policy"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        Map<String, Object> heads = JsonValues.object(wiring.get("heads"), "wiring.heads");
        if (heads.isEmpty()) throw new MalformedCaseException("wiring.heads: a composite policy needs at least one head");
        List<TensorDictModuleBase> modules = new ArrayList<>();
        Map<String, DistributionFactory> distributions = new LinkedHashMap<>();
        Map<String, Key> sampleKeys = new LinkedHashMap<>();
        List<Key> logProbKeys = new ArrayList<>();
        for (Map.Entry<String, Object> e : heads.entrySet()) {
            String head = e.getKey(), what = "wiring.heads." + head;
            Map<String, Object> spec = JsonValues.object(e.getValue(), what);
            var mlp = c.network(JsonValues.string(spec.get("network"), what + ".network")).single().module();
            List<Key> inKeys = WiringKeys.keys(spec, "in_keys");
            Key sample = Key.parse(head, "/");
            String kind = JsonValues.string(spec.get("kind"), what + ".kind");
            switch (kind) {
                case "normal" -> {
                    Key raw = sample.withLastSuffix("_param");
                    modules.add(TensorDictModule.builder(mlp, WiringKeys.concatenated(mlp)).inKeys(inKeys).outKeys(raw).build());
                    modules.add(TensorDictModule.builder(new NormalParamExtractorModule(JsonValues.string(spec.get("scale_mapping"), what + ".scale_mapping"),
                            JsonValues.number(spec.get("scale_lb"), what + ".scale_lb"))).inKeys(raw)
                            .outKeys(Key.of("params", head, "loc"), Key.of("params", head, "scale")).build());
                    distributions.put(head, DistributionFactory.NORMAL);
                }
                case "categorical" -> {
                    modules.add(TensorDictModule.builder(mlp, WiringKeys.concatenated(mlp)).inKeys(inKeys).outKeys(Key.of("params", head, "logits")).build());
                    distributions.put(head, DistributionFactory.CATEGORICAL);
                }
                default -> throw new MalformedCaseException(what + ".kind: expected normal or categorical, got '" + kind + "'");
            }
            sampleKeys.put(head, sample);
            logProbKeys.add(Key.parse(JsonValues.string(spec.get("log_prob_key"), what + ".log_prob_key"), "/"));
        }
        return new ProbabilisticActor(new TensorDictSequential(modules, false), ProbabilisticTensorDictModule.builder().inKeys("params")
                .composite(distributions, sampleKeys).returnLogProb(true).logProbKeys(logProbKeys.toArray()));
    }
}
