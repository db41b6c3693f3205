package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A function of tensors (typically a network) that reads its inputs from a TensorDict and writes
 * its outputs back (spec engine.md 3.2; tensordict's {@code TensorDictModule}).
 *
 * <ul>
 *   <li>In-keys are a list (values passed positionally, in order) or a map from argument name to
 *       key (values passed by name), see {@link TensorFunction}.</li>
 *   <li>A missing in-key is an error up front with {@code strict}; without it (the default) the
 *       function gets null, and if it then fails the error names the missing keys and the keys
 *       present, with the function's own failure as the cause.</li>
 *   <li>The function returns one tensor, a list (one per out-key) or a map holding every out-key;
 *       a count mismatch is an error ("more tensors than out_keys" / "more out_keys than
 *       tensors"). Out-key {@code "_"} discards its output.</li>
 *   <li>{@link WriteTarget} says where the outputs go (TorchRL's {@code inplace}).</li>
 * </ul>
 *
 * <p>A wrapped nn {@link Module} is registered as the child {@code "module"}, so its parameters
 * are this module's ({@code "module.0.weight"}, as in TorchRL), and device moves, train/eval and
 * hold-out reach it.
 */
public class TensorDictModule extends TensorDictModuleBase {
    private final TensorFunction function;
    private final List<Key> inKeys;
    /** Argument name → key when the in-keys were given as a map; null for positional in-keys. */
    private final LinkedHashMap<String, Key> inKeyMap;
    private final List<Key> outKeys;
    private final boolean strict;
    private final WriteTarget writeTarget;

    protected TensorDictModule(Builder b) {
        if (b.function == null) throw new IllegalArgumentException("TensorDictModule: expected a function or a module to wrap, got none");
        if (b.inKeys != null && b.inKeyMap != null) {
            throw new IllegalArgumentException("TensorDictModule: give the in-keys either as a list or as a map from argument name to key, not both");
        }
        if (b.inKeys == null && b.inKeyMap == null) throw new IllegalArgumentException("TensorDictModule: expected in_keys, got none");
        if (b.outKeys == null || b.outKeys.isEmpty()) throw new IllegalArgumentException("TensorDictModule: expected at least one out_key, got " + b.outKeys);
        this.function = b.function;
        this.inKeyMap = b.inKeyMap;
        this.inKeys = b.inKeyMap != null ? List.copyOf(b.inKeyMap.values()) : b.inKeys;
        this.outKeys = b.outKeys;
        this.strict = b.strict;
        this.writeTarget = b.writeTarget;
        if (b.module != null) registerModule("module", b.module);
    }

    /** A builder around an nn layer of one input. */
    public static Builder builder(UnaryModule module) {
        Objects.requireNonNull(module, "TensorDictModule.builder: module is null");
        return new Builder(module, TensorFunction.of(module::forward));
    }

    /** A builder around any function of tensors; if it is also an nn {@link Module}, its parameters are registered. */
    public static Builder builder(TensorFunction function) {
        Objects.requireNonNull(function, "TensorDictModule.builder: function is null");
        return new Builder(function instanceof Module m ? m : null, function);
    }

    /** A builder around {@code function}, whose parameters live in {@code module} (null: none). */
    public static Builder builder(Module module, TensorFunction function) {
        return new Builder(module, function);
    }

    /** The usual case: one network, in-keys passed positionally, out-keys in order. */
    public static TensorDictModule of(UnaryModule module, List<?> inKeys, List<?> outKeys) {
        return builder(module).inKeys(inKeys).outKeys(outKeys).build();
    }

    public static final class Builder {
        private final Module module;
        private final TensorFunction function;
        private List<Key> inKeys;
        private LinkedHashMap<String, Key> inKeyMap;
        private List<Key> outKeys;
        private boolean strict;
        private WriteTarget writeTarget = WriteTarget.INPUT;

        Builder(Module module, TensorFunction function) {
            this.module = module;
            this.function = function;
        }

        /** In-keys passed positionally: one key per element (a string, a Key, or a tuple of names). */
        public Builder inKeys(Object... keys) { this.inKeys = Keys.list(keys); return this; }

        public Builder inKeys(List<?> keys) { this.inKeys = Keys.list(keys); return this; }

        /** In-keys passed by argument name: {@code {"obs": "observation", "act": "action"}}. */
        public Builder inKeyMap(Map<String, ?> byArgument) { this.inKeyMap = Keys.map(byArgument); return this; }

        public Builder outKeys(Object... keys) { this.outKeys = Keys.list(keys); return this; }

        public Builder outKeys(List<?> keys) { this.outKeys = Keys.list(keys); return this; }

        /** Whether a missing in-key is an error before the call (default false: the function gets null). */
        public Builder strict(boolean strict) { this.strict = strict; return this; }

        public Builder writeTarget(WriteTarget target) { this.writeTarget = Objects.requireNonNull(target); return this; }

        public TensorDictModule build() { return new TensorDictModule(this); }

        Module module() { return module; }

        List<Key> outKeysOrNull() { return outKeys; }

        List<Key> inKeysOrNull() { return inKeyMap != null ? List.copyOf(inKeyMap.values()) : inKeys; }
    }

    @Override
    public List<Key> inKeys() { return inKeys; }

    @Override
    public List<Key> outKeys() { return outKeys; }

    /** Argument name → key when the in-keys were given as a map, else null. */
    public Map<String, Key> inKeyMap() { return inKeyMap == null ? null : Collections.unmodifiableMap(inKeyMap); }

    public boolean strict() { return strict; }

    public WriteTarget writeTarget() { return writeTarget; }

    /** The wrapped nn module, or null when a plain function is wrapped. */
    public Module module() {
        return namedChildren().get("module");
    }

    @Override
    protected TensorDict compute(TensorDict td) {
        List<Key> missing = new ArrayList<>();
        List<Tensor> positional = new ArrayList<>();
        LinkedHashMap<String, Tensor> named = new LinkedHashMap<>();
        if (inKeyMap != null) {
            for (Map.Entry<String, Key> e : inKeyMap.entrySet()) named.put(e.getKey(), read(td, e.getValue(), missing));
        } else {
            for (Key k : inKeys) positional.add(read(td, k, missing));
        }
        if (strict && !missing.isEmpty()) {
            throw new IllegalArgumentException(name() + ": missing in_key(s) " + missing + " (strict); the TensorDict holds " + Keys.present(td));
        }
        Object result;
        try {
            result = function.apply(Collections.unmodifiableList(positional), Collections.unmodifiableMap(named));
        } catch (RuntimeException e) {
            if (missing.isEmpty()) throw e;
            throw new IllegalArgumentException(name() + ": the wrapped function failed with in_key(s) " + missing
                    + " missing (passed as null); the TensorDict holds " + Keys.present(td) + ". Cause: " + e, e);
        }
        List<Tensor> outputs = outputs(result);
        TensorDict target = switch (writeTarget) {
            case INPUT -> td;
            case NEW -> new TensorDict();
            case EMPTY_LIKE_INPUT -> td.empty(false);
        };
        for (int i = 0; i < outKeys.size(); i++) {
            if (!outKeys.get(i).equals(Keys.DISCARD)) target.set(outKeys.get(i), outputs.get(i));
        }
        return target;
    }

    private static Tensor read(TensorDict td, Key key, List<Key> missing) {
        Object v = td.find(key);
        if (v == null) {
            missing.add(key);
            return null;
        }
        if (v instanceof TensorDict) {
            throw new IllegalArgumentException("TensorDictModule: in_key " + key + " holds a nested TensorDict; expected a tensor");
        }
        return (Tensor) v;
    }

    /** The function's result as one tensor per out-key, in order. */
    private List<Tensor> outputs(Object result) {
        List<Tensor> out = new ArrayList<>();
        switch (result) {
            case Tensor t -> out.add(t);
            case Tensor[] a -> out.addAll(Arrays.asList(a));
            case List<?> list -> {
                for (Object o : list) {
                    if (!(o instanceof Tensor t)) throw new IllegalArgumentException(name() + ": the function returned a list holding " + describe(o) + "; expected tensors");
                    out.add(t);
                }
            }
            case Map<?, ?> map -> {
                LinkedHashMap<Key, Tensor> byKey = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getValue() instanceof Tensor t)) throw new IllegalArgumentException(name() + ": the function returned a map whose entry "
                            + e.getKey() + " is " + describe(e.getValue()) + "; expected tensors");
                    byKey.put(Key.of(e.getKey()), t);
                }
                for (Key k : outKeys) {
                    if (k.equals(Keys.DISCARD)) {
                        out.add(null);
                        continue;
                    }
                    Tensor t = byKey.get(k);
                    if (t == null) throw new IllegalArgumentException(name() + ": the function returned a map without out_key " + k + "; it holds " + byKey.keySet());
                    out.add(t);
                }
                return out;
            }
            case null -> throw new IllegalArgumentException(name() + ": the function returned null; expected a tensor, a list of tensors or a map of out_keys");
            default -> throw new IllegalArgumentException(name() + ": the function returned " + describe(result)
                    + "; expected a tensor, a list of tensors or a map of out_keys");
        }
        if (out.size() > outKeys.size()) {
            throw new IllegalArgumentException(name() + ": the function returned " + out.size() + " tensors for " + outKeys.size() + " out_keys " + outKeys
                    + ": more tensors than out_keys");
        }
        if (out.size() < outKeys.size()) {
            throw new IllegalArgumentException(name() + ": the function returned " + out.size() + " tensor(s) for " + outKeys.size() + " out_keys " + outKeys
                    + ": more out_keys than tensors");
        }
        return out;
    }

    private static String describe(Object o) {
        return o == null ? "null" : "a " + o.getClass().getSimpleName();
    }

    private String name() {
        return getClass().getSimpleName();
    }

    @Override
    protected String extraRepr() {
        return "in_keys=" + inKeys + ", out_keys=" + outKeys;
    }
}
