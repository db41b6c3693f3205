package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** Key-list helpers shared by the modules: each element of a key list is one key (a string, a Key or a nested tuple). */
final class Keys {
    /** The out-key that discards its output (TorchRL's {@code "_"}). */
    static final Key DISCARD = Key.of("_");

    private Keys() {}

    /** One key per element: {@code list("obs", Key.of("next", "obs"))}. */
    static List<Key> list(Object... keys) {
        List<Key> out = new ArrayList<>(keys.length);
        for (Object k : keys) out.add(Key.of(k));
        return List.copyOf(out);
    }

    static List<Key> list(Collection<?> keys) {
        return list(keys.toArray());
    }

    /** Argument name to key, in the map's order. */
    static LinkedHashMap<String, Key> map(Map<String, ?> byArgument) {
        LinkedHashMap<String, Key> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : byArgument.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) throw new IllegalArgumentException("in-key map: expected non-empty argument names, got " + byArgument);
            out.put(e.getKey(), Key.of(e.getValue()));
        }
        return out;
    }

    /** The keys of {@code wanted} that {@code td} lacks. */
    static List<Key> missing(TensorDict td, Collection<Key> wanted) {
        List<Key> out = new ArrayList<>();
        for (Key k : wanted) if (!td.contains(k)) out.add(k);
        return out;
    }

    /** Every key present (nested ones included), for messages. */
    static List<Key> present(TensorDict td) {
        return td.keys(true, false);
    }
}
