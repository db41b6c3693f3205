package org.rlgrad.engine.modules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.nn.Ensemble;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Parameters as a TensorDict (spec engine.md 2.8; tensordict's {@code from_module}): a module's
 * parameters and buffers keyed by their attribute paths, one nested key element per dotted name
 * ({@code "0.weight"} is {@code ("0", "weight")}), so that the dict can be detached, cloned,
 * stacked into an ensemble of batch {@code [N]} and handed to {@link TensorDictModuleBase#forwardWith}.
 */
public final class Parameters {
    private Parameters() {}

    /**
     * The module's own tensors (not copies: gradients computed through them reach the module),
     * parameters then buffers, batch size {@code []}.
     */
    public static TensorDict fromModule(Module module) {
        LinkedHashMap<String, Tensor> all = new LinkedHashMap<>(module.namedParameters());
        all.putAll(module.namedBuffers());
        return fromMap(all);
    }

    /**
     * The members' parameters and buffers stacked on a new leading dim (tensordict's
     * {@code from_modules}): fresh leaves of batch size {@code [N]}, trainable where the members'
     * are. Every member must have the same keys and shapes.
     */
    public static TensorDict fromModules(List<? extends Module> members) {
        LinkedHashMap<String, Tensor> stacked = Ensemble.stackModules(members);
        return fromMap(stacked, members.size());
    }

    /** A dict of {@code tensors} keyed by the dotted names split at the dots. */
    public static TensorDict fromMap(Map<String, Tensor> tensors, int... batchSize) {
        TensorDict td = new TensorDict(batchSize);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) td.set(Key.parse(e.getKey(), "."), e.getValue());
        return td;
    }

    /** The leaves of {@code params} by dotted name: the form {@link Module#functionalCall} takes. */
    public static LinkedHashMap<String, Tensor> toMap(TensorDict params) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<Key, Tensor> e : params.leaves().entrySet()) out.put(e.getKey().join("."), e.getValue());
        return out;
    }
}
