package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.distributions.NormalParamExtractor;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensordict.Key;

/**
 * {@code dreamer_gaussian}: MLP(concat(in_keys)) → {@code 2·dim} numbers, the first half the mean,
 * the second half a raw std mapped by {@code std_mapping} with floor {@code std_lb} (the loc/scale
 * head of FORMAT-losses.md section 3); writes the two {@code out_keys}. With
 * {@code flatten_input_dims} each input's last dims are flattened first. The posterior and prior of
 * the Dreamer world-model stand-in.
 */
final class DreamerGaussianWiring implements NetworkWiring {
    @Override
    public String kind() { return "dreamer_gaussian"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        var mlp = network.single().module();
        // "biased_softplus_1.0 (as loc/scale of section 3)": the mapping's name is the first word.
        String mapping = JsonValues.string(wiring.get("std_mapping"), "wiring.std_mapping").trim().split("\\s+")[0];
        double lb = JsonValues.number(wiring.get("std_lb"), "wiring.std_lb");
        NormalParamExtractor extractor = new NormalParamExtractor(mapping, lb);
        int flatten = DreamerMlpWiring.flattenedInputDims(wiring);
        List<Key> outKeys = WiringKeys.keys(wiring, "out_keys");
        if (outKeys.size() != 2) throw new MalformedCaseException("wiring.out_keys: expected the mean's and the std's keys, got " + outKeys);
        return TensorDictModule.builder(mlp, (positional, named) -> {
                    NormalParamExtractor.LocAndScale ls = extractor.apply(mlp.forward(DreamerMlpWiring.input(positional, flatten)));
                    return List.of(ls.loc(), ls.scale());
                })
                .inKeys(WiringKeys.keys(wiring, "in_keys")).outKeys(outKeys).build();
    }
}
