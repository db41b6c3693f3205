package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;

/**
 * The keys of a wiring entry (FORMAT-losses.md section 3): a key is a string or a list of strings
 * (a nested path such as {@code ["agents", "observation"]}); and the function that feeds several
 * inputs to one network, concatenated on the last dim in {@code in_keys} order (section 2).
 */
final class WiringKeys {
    private WiringKeys() {}

    /** {@code wiring.<field>} as a list of keys. */
    static List<Key> keys(Map<String, Object> wiring, String field) {
        List<Key> out = new ArrayList<>();
        for (Object k : JsonValues.list(wiring.get(field), "wiring." + field)) out.add(key(k, "wiring." + field + "[]"));
        if (out.isEmpty()) throw new MalformedCaseException("wiring." + field + ": expected at least one key, got none");
        return out;
    }

    /** {@code wiring.<field>} as one key. */
    static Key key(Map<String, Object> wiring, String field) {
        return key(wiring.get(field), "wiring." + field);
    }

    private static Key key(Object json, String what) {
        if (json instanceof String s) return Key.of(s);
        List<String> parts = new ArrayList<>();
        for (Object p : JsonValues.list(json, what)) parts.add(JsonValues.string(p, what + "[]"));
        return Key.of(parts);
    }

    /** {@code network(cat(inputs, -1))}: one input is passed as it is. */
    static TensorFunction concatenated(UnaryModule network) {
        return (positional, named) -> {
            if (!named.isEmpty()) throw new IllegalArgumentException("a case network takes positional inputs only, got named " + named.keySet());
            Tensor x = positional.size() == 1 ? positional.get(0) : Tensor.cat(positional, -1);
            return network.forward(x);
        };
    }
}
