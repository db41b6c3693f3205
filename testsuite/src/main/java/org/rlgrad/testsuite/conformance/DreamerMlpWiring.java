package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code dreamer_mlp}: MLP(concat(in_keys)) written to {@code out_key}; with {@code reshape_output}
 * the last dim is viewed row-major as that shape (the decoder's pixels {@code [.., 4]} become
 * {@code [.., 1, 2, 2]}). Parts of the Dreamer world model and its reward model (FORMAT-losses.md
 * section 3).
 */
final class DreamerMlpWiring implements NetworkWiring {
    @Override
    public String kind() { return "dreamer_mlp"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        var mlp = network.single().module();
        int[] reshape = wiring.get("reshape_output") == null ? null : ints(wiring.get("reshape_output"), "wiring.reshape_output");
        int flatten = flattenedInputDims(wiring);
        return TensorDictModule.builder(mlp, (positional, named) -> {
                    Tensor y = mlp.forward(input(positional, flatten));
                    return reshape == null ? y : y.unflatten(-1, reshape);
                })
                .inKeys(WiringKeys.keys(wiring, "in_keys")).outKeys(WiringKeys.key(wiring, "out_key")).build();
    }

    /** {@code wiring.flatten_input_dims} (0 when absent): how many trailing dims of each input are flattened first. */
    static int flattenedInputDims(Map<String, Object> wiring) {
        Object n = wiring.get("flatten_input_dims");
        return n == null ? 0 : JsonValues.integer(n, "wiring.flatten_input_dims");
    }

    /** The network's input: each tensor's last {@code flatten} dims flattened row-major (none when below 2), then all concatenated on the last dim. */
    static Tensor input(List<Tensor> positional, int flatten) {
        List<Tensor> parts = new ArrayList<>(positional.size());
        for (Tensor x : positional) parts.add(flatten > 1 ? x.flatten(x.dim() - flatten, x.dim() - 1) : x);
        return parts.size() == 1 ? parts.get(0) : Tensor.cat(parts, -1);
    }

    /** A JSON list of integers. */
    private static int[] ints(Object json, String what) {
        List<Object> list = JsonValues.list(json, what);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = JsonValues.integer(list.get(i), what + "[" + i + "]");
        return out;
    }
}
