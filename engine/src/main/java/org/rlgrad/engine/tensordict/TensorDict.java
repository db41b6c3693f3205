package org.rlgrad.engine.tensordict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A tree of tensors keyed by (nested) {@link Key}s that share leading batch dims (spec engine.md
 * section 2): the container the losses, estimators and TD modules read and write.
 *
 * <p><b>Batch size.</b> Every leaf's shape starts with the dict's batch size; the rest are its
 * feature dims. A nested dict's batch size starts with its parent's and may be longer (a
 * multi-agent {@code "agents"} sub-dict of {@code [*B, n_agents]} under a root of {@code [*B]}).
 * Both are checked on every write, so a dict never holds a leaf it could not index.
 *
 * <p><b>Mutability.</b> The structure is mutable, as in the reference: {@link #set} adds or
 * replaces an entry (never writing into the old tensor, which other dicts may share), and
 * {@link #lock} makes the structure read-only. Tensors themselves are immutable values, so the
 * batch-dim operations ({@link #index}, {@link #reshape}, {@link #stack}, ...) return new dicts
 * whose leaves are the tensors' own views or copies.
 *
 * <p><b>Keys.</b> A {@code String} argument is the one-part key of that name; nested keys are
 * {@link Key#of}. Strict reads ({@link #get(Key)}) fail naming the key and the keys present;
 * {@link #get(Key, Tensor)} returns a default (null allowed) for code that relies on absence.
 *
 * <p><b>Dim names.</b> Each batch dim may carry a name; {@code "time"} marks the time axis for
 * the estimators. Names follow the dims through transposes, permutes, indexing and slicing, and
 * are dropped where dims merge or appear (reshape, flatten, masks, new dims).
 *
 * <p><b>Devices.</b> Nothing here makes a tensor from scratch: new leaves come from the old ones
 * ({@code newZeros}, views, {@code where}), so a dict on an OpenCL device stays there.
 */
public final class TensorDict {
    /** The dim name that marks the time axis (spec sections 2.2 and 2.6). */
    public static final String TIME = "time";

    private int[] batchSize;
    /** One name (or null) per batch dim; null when no dim is named. */
    private String[] names;
    /** Insertion-ordered entries: each a {@link Tensor} or a nested {@link TensorDict}. */
    private final LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
    private boolean locked;

    /** An empty dict of this batch size ({@code []} when none is given). */
    public TensorDict(int... batchSize) {
        for (int s : batchSize) {
            if (s < 0) throw new IllegalArgumentException("TensorDict: expected a batch size of non-negative sizes, got " + Shape.format(batchSize));
        }
        this.batchSize = batchSize.clone();
    }

    private TensorDict(int[] batchSize, String[] names) {
        this(batchSize);
        this.names = normaliseNames(names, batchSize.length);
    }

    /**
     * A dict built from alternating keys and values: {@code TensorDict.of(new int[] {4}, "obs", obs,
     * Key.of("next", "reward"), reward)}. Values are tensors or dicts; keys are strings or {@link Key}s.
     */
    public static TensorDict of(int[] batchSize, Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("TensorDict.of: expected alternating keys and values, got " + keysAndValues.length + " arguments (an odd count)");
        }
        TensorDict td = new TensorDict(batchSize);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Key k = Key.of(keysAndValues[i]);
            switch (keysAndValues[i + 1]) {
                case Tensor t -> td.set(k, t);
                case TensorDict d -> td.set(k, d);
                case null -> throw new IllegalArgumentException("TensorDict.of: value for key " + k + " is null");
                default -> throw new IllegalArgumentException("TensorDict.of: expected a Tensor or a TensorDict for key " + k + ", got "
                        + keysAndValues[i + 1].getClass().getSimpleName());
            }
        }
        return td;
    }

    // ------------------------------------------------------------------ batch size, names, device

    public int[] batchSize() { return batchSize.clone(); }

    public int batchDims() { return batchSize.length; }

    /** The number of batch entries: the product of the batch size. */
    public int numel() { return Shape.numel(batchSize); }

    /**
     * Re-declares the batch size (spec 2.2): every leaf below must start with it. A nested dict
     * whose batch size does not start with the new one gets the new one, if its own leaves allow.
     * Names are kept when the rank is unchanged and cleared otherwise.
     */
    public TensorDict setBatchSize(int... newBatchSize) {
        requireUnlocked("setBatchSize", null);
        checkAgainstLeaves(newBatchSize, null);
        applyBatchSize(newBatchSize);
        return this;
    }

    private void checkAgainstLeaves(int[] shape, Key prefix) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Key k = prefix == null ? Key.of(e.getKey()) : prefix.append(e.getKey());
            if (e.getValue() instanceof Tensor t) {
                if (!startsWith(t.shapeRef(), shape)) {
                    throw new IllegalArgumentException("TensorDict.setBatchSize: expected every leaf to start with the batch size " + Shape.format(shape)
                            + ", but " + k + " has shape " + Shape.format(t.shapeRef()));
                }
            } else {
                TensorDict sub = (TensorDict) e.getValue();
                if (!startsWith(sub.batchSize, shape) && !startsWith(shape, sub.batchSize)) {
                    throw new IllegalArgumentException("TensorDict.setBatchSize: nested TensorDict " + k + " has batch size " + Shape.format(sub.batchSize)
                            + ", which is incompatible with " + Shape.format(shape));
                }
                sub.checkAgainstLeaves(shape, k);
            }
        }
    }

    private void applyBatchSize(int[] shape) {
        if (shape.length != batchSize.length) names = null;
        batchSize = shape.clone();
        for (Object v : entries.values()) {
            if (v instanceof TensorDict sub && !startsWith(sub.batchSize, shape)) sub.applyBatchSize(shape);
        }
    }

    /** The batch dims' names, one per dim, null where unnamed. */
    public List<String> names() {
        return Arrays.asList(names == null ? new String[batchSize.length] : names.clone());
    }

    /** The dim carrying {@code name}, or -1 if none does. */
    public int dimNamed(String name) {
        if (names != null) for (int i = 0; i < names.length; i++) if (name.equals(names[i])) return i;
        return -1;
    }

    /**
     * Names unnamed batch dims (PyTorch's {@code refine_names}): one name (or null, leaving the dim
     * as it is) per batch dim, or {@code "..."} followed by names for the trailing dims only, as in
     * {@code refineNames("...", "time")}. Renaming a dim that already has another name is an error.
     */
    public TensorDict refineNames(String... newNames) {
        requireUnlocked("refineNames", null);
        String[] full = new String[batchSize.length];
        if (newNames.length > 0 && "...".equals(newNames[0])) {
            int n = newNames.length - 1;
            if (n > batchSize.length) {
                throw new IllegalArgumentException("TensorDict.refineNames: " + n + " trailing names given for " + batchSize.length + " batch dims (batch size "
                        + Shape.format(batchSize) + ")");
            }
            System.arraycopy(newNames, 1, full, batchSize.length - n, n);
        } else {
            if (newNames.length != batchSize.length) {
                throw new IllegalArgumentException("TensorDict.refineNames: expected " + batchSize.length + " names (batch size " + Shape.format(batchSize)
                        + "), got " + newNames.length + " " + Arrays.toString(newNames) + "; start with \"...\" to name trailing dims only");
            }
            System.arraycopy(newNames, 0, full, 0, newNames.length);
        }
        String[] merged = names == null ? new String[batchSize.length] : names.clone();
        for (int i = 0; i < full.length; i++) {
            if (full[i] == null) continue;
            if (merged[i] != null && !merged[i].equals(full[i])) {
                throw new IllegalArgumentException("TensorDict.refineNames: dim " + i + " is already named \"" + merged[i] + "\"; cannot rename it to \"" + full[i]
                        + "\" (use setNames to replace names)");
            }
            merged[i] = full[i];
        }
        return setNames(merged);
    }

    /** Replaces every batch dim's name (nulls for unnamed dims; no argument clears them all). */
    public TensorDict setNames(String... newNames) {
        requireUnlocked("setNames", null);
        if (newNames.length == 0) {
            names = null;
        } else {
            if (newNames.length != batchSize.length) {
                throw new IllegalArgumentException("TensorDict.setNames: expected " + batchSize.length + " names (batch size " + Shape.format(batchSize)
                        + "), got " + newNames.length + " " + Arrays.toString(newNames));
            }
            names = normaliseNames(newNames, batchSize.length);
        }
        for (Object v : entries.values()) if (v instanceof TensorDict sub) sub.setLeadingNames(names, batchSize.length);
        return this;
    }

    private void setLeadingNames(String[] lead, int count) {
        String[] merged = names == null ? new String[batchSize.length] : names.clone();
        for (int i = 0; i < count; i++) merged[i] = lead == null ? null : lead[i];
        names = normaliseNames(merged, batchSize.length);
        for (Object v : entries.values()) if (v instanceof TensorDict sub) sub.setLeadingNames(lead, count);
    }

    private static String[] normaliseNames(String[] n, int rank) {
        if (n == null) return null;
        if (n.length != rank) throw new IllegalStateException("TensorDict: internal error: " + n.length + " names for " + rank + " batch dims");
        Set<String> seen = new LinkedHashSet<>();
        boolean any = false;
        for (String s : n) {
            if (s == null) continue;
            any = true;
            if (!seen.add(s)) throw new IllegalArgumentException("TensorDict: dim name \"" + s + "\" appears twice in " + Arrays.toString(n));
        }
        return any ? n.clone() : null;
    }

    String[] namesOrNulls() {
        return names == null ? new String[batchSize.length] : names.clone();
    }

    /** The device of the first leaf, or null for a dict without leaves. */
    public Device device() {
        for (Object v : entries.values()) {
            if (v instanceof Tensor t) return t.device();
            Device d = ((TensorDict) v).device();
            if (d != null) return d;
        }
        return null;
    }

    /** Every leaf moved to {@code device}. */
    public TensorDict to(Device device) {
        return apply(t -> t.to(device));
    }

    // ------------------------------------------------------------------ locking

    /** Makes the structure (and every nested dict's) read-only: set, remove, rename and renaming dims fail. */
    public TensorDict lock() {
        locked = true;
        for (Object v : entries.values()) if (v instanceof TensorDict sub) sub.lock();
        return this;
    }

    public TensorDict unlock() {
        locked = false;
        for (Object v : entries.values()) if (v instanceof TensorDict sub) sub.unlock();
        return this;
    }

    public boolean isLocked() { return locked; }

    private void requireUnlocked(String op, Key key) {
        if (locked) {
            throw new IllegalStateException("TensorDict." + op + (key == null ? "" : "(" + key + ")")
                    + ": the TensorDict is locked (read-only structure); unlock() it or work on a copy()");
        }
    }

    // ------------------------------------------------------------------ reading

    /** Whether an entry (tensor or nested dict) exists at {@code key}. */
    public boolean contains(Key key) {
        return find(key) != null;
    }

    public boolean contains(String key) { return contains(Key.of(key)); }

    /** The tensor at {@code key}; fails naming the key and the keys present if it is missing or is a nested dict. */
    public Tensor get(Key key) {
        Object v = findStrict(key);
        if (v instanceof TensorDict) {
            throw new IllegalArgumentException("TensorDict.get: key " + key + " holds a TensorDict, not a tensor; use getTensorDict");
        }
        return (Tensor) v;
    }

    public Tensor get(String key) { return get(Key.of(key)); }

    /** The tensor at {@code key}, or {@code defaultValue} (null allowed) when it is absent. */
    public Tensor get(Key key, Tensor defaultValue) {
        Object v = find(key);
        if (v == null) return defaultValue;
        if (v instanceof TensorDict) {
            throw new IllegalArgumentException("TensorDict.get: key " + key + " holds a TensorDict, not a tensor; use getTensorDict");
        }
        return (Tensor) v;
    }

    public Tensor get(String key, Tensor defaultValue) { return get(Key.of(key), defaultValue); }

    /** The nested dict at {@code key}; fails naming the key and the keys present if it is missing or is a tensor. */
    public TensorDict getTensorDict(Key key) {
        Object v = findStrict(key);
        if (v instanceof Tensor t) {
            throw new IllegalArgumentException("TensorDict.getTensorDict: key " + key + " holds a tensor of shape " + Shape.format(t.shapeRef())
                    + ", not a TensorDict");
        }
        return (TensorDict) v;
    }

    public TensorDict getTensorDict(String key) { return getTensorDict(Key.of(key)); }

    /** The entry at {@code key} (a {@link Tensor} or a {@link TensorDict}), or null when absent. */
    public Object find(Key key) {
        TensorDict at = this;
        List<String> parts = key.parts();
        for (int i = 0; i < parts.size() - 1; i++) {
            Object v = at.entries.get(parts.get(i));
            if (!(v instanceof TensorDict sub)) return null;
            at = sub;
        }
        return at.entries.get(key.last());
    }

    private Object findStrict(Key key) {
        TensorDict at = this;
        List<String> parts = key.parts();
        for (int i = 0; i < parts.size() - 1; i++) {
            Object v = at.entries.get(parts.get(i));
            if (v instanceof Tensor t) {
                throw new IllegalArgumentException("TensorDict: key " + key + " goes through " + Key.of(parts.subList(0, i + 1))
                        + ", which holds a tensor of shape " + Shape.format(t.shapeRef()) + ", not a TensorDict");
            }
            if (v == null) throw missing(key);
            at = (TensorDict) v;
        }
        Object v = at.entries.get(key.last());
        if (v == null) throw missing(key);
        return v;
    }

    private MissingKeyException missing(Key key) {
        return new MissingKeyException(key, keys(true, false));
    }

    // ------------------------------------------------------------------ writing

    /**
     * Sets the tensor at {@code key}, creating missing intermediate dicts with this dict's batch
     * size. The value's shape must start with the batch size of the dict it lands in. An existing
     * entry is replaced, not written into.
     */
    public TensorDict set(Key key, Tensor value) {
        Objects.requireNonNull(value, () -> "TensorDict.set: value for key " + key + " is null");
        parentFor(key, "set").put(key, value);
        return this;
    }

    public TensorDict set(String key, Tensor value) { return set(Key.of(key), value); }

    /** Sets a nested dict at {@code key}; its batch size must start with that of the dict it lands in. */
    public TensorDict set(Key key, TensorDict value) {
        Objects.requireNonNull(value, () -> "TensorDict.set: value for key " + key + " is null");
        parentFor(key, "set").put(key, value);
        return this;
    }

    public TensorDict set(String key, TensorDict value) { return set(Key.of(key), value); }

    /** The dict that holds {@code key}'s last name, made (with the enclosing batch size and names) where missing. */
    private TensorDict parentFor(Key key, String op) {
        TensorDict at = this;
        List<String> parts = key.parts();
        for (int i = 0; i < parts.size() - 1; i++) {
            at.requireUnlocked(op, key);
            Object v = at.entries.get(parts.get(i));
            if (v instanceof Tensor t) {
                throw new IllegalArgumentException("TensorDict." + op + ": key " + key + " goes through " + Key.of(parts.subList(0, i + 1))
                        + ", which holds a tensor of shape " + Shape.format(t.shapeRef()) + ", not a TensorDict");
            }
            if (v == null) {
                TensorDict sub = new TensorDict(at.batchSize, at.names);
                at.entries.put(parts.get(i), sub);
                v = sub;
            }
            at = (TensorDict) v;
        }
        at.requireUnlocked(op, key);
        return at;
    }

    /** Stores {@code value} under {@code key.last()} in this dict after the batch-size check; {@code key} is the full key, for messages. */
    private void put(Key key, Object value) {
        if (value instanceof Tensor t) {
            if (!startsWith(t.shapeRef(), batchSize)) {
                throw new IllegalArgumentException("TensorDict.set: key " + key + " expected a value whose shape starts with the batch size "
                        + Shape.format(batchSize) + ", got shape " + Shape.format(t.shapeRef()));
            }
        } else {
            TensorDict sub = (TensorDict) value;
            if (sub == this) throw new IllegalArgumentException("TensorDict.set: key " + key + ": a TensorDict cannot hold itself");
            if (!startsWith(sub.batchSize, batchSize)) {
                throw new IllegalArgumentException("TensorDict.set: key " + key + " expected a nested TensorDict whose batch size starts with "
                        + Shape.format(batchSize) + ", got batch size " + Shape.format(sub.batchSize));
            }
        }
        entries.put(key.last(), value);
    }

    /** Sets every leaf of {@code other} (nested dicts are merged, not replaced). */
    public TensorDict update(TensorDict other) {
        return update(other, null);
    }

    /** Sets the leaves of {@code other} that are listed in {@code keys} or lie under a listed key; null means all. */
    public TensorDict update(TensorDict other, Collection<Key> keys) {
        for (Map.Entry<Key, Object> e : other.items(true, false).entrySet()) {
            Key k = e.getKey();
            if (keys != null && keys.stream().noneMatch(k::startsWith)) continue;
            if (e.getValue() instanceof Tensor t) {
                set(k, t);
            } else if (!(find(k) instanceof TensorDict)) {
                // An absent (or tensor) entry becomes the other's nested dict, emptied: its leaves follow in this iteration.
                set(k, ((TensorDict) e.getValue()).empty(false));
            }
        }
        return this;
    }

    /** Removes the entry (tensor or nested dict) at {@code key} and returns it; fails if it is missing. */
    public Object remove(Key key) {
        findStrict(key);
        TensorDict parent = key.isNested() ? getTensorDict(key.parent()) : this;
        parent.requireUnlocked("remove", key);
        return parent.entries.remove(key.last());
    }

    public Object remove(String key) { return remove(Key.of(key)); }

    /** Removes and returns the tensor at {@code key}; fails if it is missing or is a nested dict. */
    public Tensor pop(Key key) {
        get(key);
        return (Tensor) remove(key);
    }

    public Tensor pop(String key) { return pop(Key.of(key)); }

    /** Removes and returns the tensor at {@code key}, or returns {@code defaultValue} when absent. */
    public Tensor pop(Key key, Tensor defaultValue) {
        return contains(key) ? pop(key) : defaultValue;
    }

    /** Moves the entry at {@code oldKey} to {@code newKey} (which must be free); it goes last in its dict's order. */
    public TensorDict rename(Key oldKey, Key newKey) {
        Object v = findStrict(oldKey);
        if (contains(newKey)) {
            throw new IllegalArgumentException("TensorDict.rename: cannot rename " + oldKey + " to " + newKey + ": " + newKey + " already exists");
        }
        requireUnlocked("rename", oldKey);
        TensorDict target = parentFor(newKey, "rename");
        target.put(newKey, v);
        try {
            remove(oldKey);
        } catch (RuntimeException e) {
            target.entries.remove(newKey.last());
            throw e;
        }
        return this;
    }

    public TensorDict rename(String oldKey, String newKey) { return rename(Key.of(oldKey), Key.of(newKey)); }

    // ------------------------------------------------------------------ iteration

    /** The top-level keys, in insertion order. */
    public List<Key> keys() {
        return keys(false, false);
    }

    /**
     * Keys in insertion order, each nested dict's keys right after it (depth first) when
     * {@code includeNested}; {@code leavesOnly} leaves out the keys of nested dicts.
     */
    public List<Key> keys(boolean includeNested, boolean leavesOnly) {
        return new ArrayList<>(items(includeNested, leavesOnly).keySet());
    }

    /** Entries ({@link Tensor} or {@link TensorDict} values) in the order of {@link #keys(boolean, boolean)}. */
    public LinkedHashMap<Key, Object> items(boolean includeNested, boolean leavesOnly) {
        LinkedHashMap<Key, Object> out = new LinkedHashMap<>();
        collect(null, includeNested, leavesOnly, out);
        return out;
    }

    private void collect(Key prefix, boolean nested, boolean leavesOnly, Map<Key, Object> out) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Key k = prefix == null ? Key.of(e.getKey()) : prefix.append(e.getKey());
            boolean isDict = e.getValue() instanceof TensorDict;
            if (!isDict || !leavesOnly) out.put(k, e.getValue());
            if (isDict && nested) ((TensorDict) e.getValue()).collect(k, true, leavesOnly, out);
        }
    }

    public List<Object> values(boolean includeNested, boolean leavesOnly) {
        return new ArrayList<>(items(includeNested, leavesOnly).values());
    }

    /** Every tensor in the tree with its full key, depth first in insertion order. */
    public LinkedHashMap<Key, Tensor> leaves() {
        LinkedHashMap<Key, Tensor> out = new LinkedHashMap<>();
        items(true, true).forEach((k, v) -> out.put(k, (Tensor) v));
        return out;
    }

    /** Whether the dict holds no entries at all (an empty nested dict counts as an entry). */
    public boolean isEmpty() { return entries.isEmpty(); }

    // ------------------------------------------------------------------ structure operations

    /** A new dict (same batch size) with only the given keys, sharing the tensors; a missing key is an error. */
    public TensorDict select(Object... keys) {
        return select(toKeys(keys), true);
    }

    /** As {@link #select(Object...)}; with {@code strict} false missing keys are skipped. */
    public TensorDict select(Collection<Key> keys, boolean strict) {
        TensorDict out = emptyLike();
        for (Key k : keys) {
            Object v = strict ? findStrict(k) : find(k);
            if (v == null) continue;
            // Intermediate dicts are rebuilt with the source's batch sizes, not the root's (multi-agent sub-dicts are longer).
            TensorDict src = this, dst = out;
            for (int i = 0; i < k.size() - 1; i++) {
                String p = k.parts().get(i);
                src = (TensorDict) src.entries.get(p);
                Object existing = dst.entries.get(p);
                if (existing == null) {
                    existing = src.emptyLike();
                    dst.entries.put(p, existing);
                }
                dst = (TensorDict) existing;
            }
            dst.entries.put(k.last(), v instanceof TensorDict d ? d.copy() : v);
        }
        return out;
    }

    /** A new dict without the given keys (missing ones are ignored), sharing the tensors. */
    public TensorDict exclude(Object... keys) {
        return exclude(toKeys(keys));
    }

    public TensorDict exclude(Collection<Key> keys) {
        TensorDict out = copy();
        for (Key k : keys) {
            if (!out.contains(k)) continue;
            TensorDict parent = k.isNested() ? out.getTensorDict(k.parent()) : out;
            parent.entries.remove(k.last());
        }
        return out;
    }

    private static List<Key> toKeys(Object[] keys) {
        List<Key> out = new ArrayList<>(keys.length);
        for (Object k : keys) out.add(Key.of(k));
        return out;
    }

    /** A shallow copy: new (unlocked) containers all the way down, the same tensors. */
    public TensorDict copy() {
        TensorDict out = emptyLike();
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            out.entries.put(e.getKey(), e.getValue() instanceof TensorDict d ? d.copy() : e.getValue());
        }
        return out;
    }

    /** A deep copy: every tensor cloned (gradients flow back to the originals, as for Tensor.clone). */
    public TensorDict cloneDeep() {
        return apply(Tensor::clone);
    }

    /** {@code clone(true)} is {@link #cloneDeep()}, {@code clone(false)} is {@link #copy()} (the reference's {@code clone(False)}). */
    public TensorDict clone(boolean deep) {
        return deep ? cloneDeep() : copy();
    }

    /** Every leaf detached from the graph. */
    public TensorDict detach() {
        return apply(Tensor::detach);
    }

    /** Same batch size and names, no entries; with {@code recurse} the nested dicts are kept, emptied. */
    public TensorDict empty(boolean recurse) {
        TensorDict out = emptyLike();
        if (recurse) {
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                if (e.getValue() instanceof TensorDict d) out.entries.put(e.getKey(), d.empty(true));
            }
        }
        return out;
    }

    /** A copy without nested dicts that hold no tensor (at any depth). */
    public TensorDict filterEmpty() {
        TensorDict out = emptyLike();
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            if (e.getValue() instanceof TensorDict d) {
                TensorDict f = d.filterEmpty();
                if (!f.isEmpty()) out.entries.put(e.getKey(), f);
            } else {
                out.entries.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private TensorDict emptyLike() {
        return new TensorDict(batchSize, names);
    }

    /** {@code fn} applied to every leaf; the batch size is kept. A null result drops that entry. */
    public TensorDict apply(UnaryOperator<Tensor> fn) {
        return applyAll(args -> fn.apply(args.get(0)), List.of(), null, null);
    }

    /** {@code fn} applied to every leaf; the result has {@code newBatchSize} (nested dicts: that followed by their extra dims). */
    public TensorDict apply(UnaryOperator<Tensor> fn, int[] newBatchSize) {
        return applyAll(args -> fn.apply(args.get(0)), List.of(), newBatchSize, null);
    }

    /** {@code fn(leaf, otherLeaf)} for every leaf and the leaf of {@code other} at the same key (which must exist). */
    public TensorDict apply(BinaryOperator<Tensor> fn, TensorDict other) {
        return applyAll(args -> fn.apply(args.get(0), args.get(1)), List.of(other), null, null);
    }

    /**
     * {@code fn([leaf, leaf of others[0], ...])} for every leaf of this dict; every other dict must
     * hold a tensor at each of this dict's leaf keys. {@code newBatchSize} null keeps the batch size.
     */
    public TensorDict apply(Function<List<Tensor>, Tensor> fn, List<TensorDict> others, int[] newBatchSize) {
        return applyAll(fn, others, newBatchSize, null);
    }

    private TensorDict applyAll(Function<List<Tensor>, Tensor> fn, List<TensorDict> others, int[] newBatch, Key prefix) {
        int[] b = newBatch == null ? batchSize : newBatch;
        TensorDict out = new TensorDict(b, newBatch == null || newBatch.length == batchSize.length ? names : null);
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Key k = prefix == null ? Key.of(e.getKey()) : prefix.append(e.getKey());
            if (e.getValue() instanceof TensorDict sub) {
                List<TensorDict> subs = new ArrayList<>();
                for (TensorDict o : others) subs.add(o.entryFor(k, e.getKey(), TensorDict.class));
                int[] nb = newBatch == null ? null : Shape.concat(newBatch, Arrays.copyOfRange(sub.batchSize, batchSize.length, sub.batchSize.length));
                out.put(k, sub.applyAll(fn, subs, nb, k));
            } else {
                List<Tensor> args = new ArrayList<>(others.size() + 1);
                args.add((Tensor) e.getValue());
                for (TensorDict o : others) args.add(o.entryFor(k, e.getKey(), Tensor.class));
                Tensor r = fn.apply(args);
                if (r != null) out.put(k, r);
            }
        }
        return out;
    }

    /** This dict's entry {@code name} (its full key in the root being {@code full}), which must exist and be of {@code type}. */
    private <T> T entryFor(Key full, String name, Class<T> type) {
        Object v = entries.get(name);
        if (v == null) {
            throw new MissingKeyException(full, keys(true, false).stream().map(k -> full.parent() == null ? k : full.parent().append(k)).toList());
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("TensorDict.apply: key " + full + " holds a " + (v instanceof Tensor ? "tensor" : "TensorDict")
                    + " in one TensorDict and a " + (type == Tensor.class ? "tensor" : "TensorDict") + " in the other");
        }
        return type.cast(v);
    }

    /** Nested keys flattened into single names joined by {@code separator}: {@code ("next", "reward")} becomes {@code "next.reward"}. */
    public TensorDict flattenKeys(String separator) {
        TensorDict out = emptyLike();
        flattenInto(out, null, separator);
        return out;
    }

    private void flattenInto(TensorDict out, Key prefix, String sep) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            if (e.getKey().contains(sep)) {
                throw new IllegalArgumentException("TensorDict.flattenKeys: key name \"" + e.getKey() + "\" already contains the separator \"" + sep
                        + "\"; flattening could not be undone");
            }
            Key k = prefix == null ? Key.of(e.getKey()) : prefix.append(e.getKey());
            if (e.getValue() instanceof TensorDict sub) {
                // An empty nested dict keeps its place so that unflattenKeys gives the structure back.
                if (sub.isEmpty()) out.entries.put(k.join(sep), sub.emptyLike());
                else sub.flattenInto(out, k, sep);
            } else {
                out.entries.put(k.join(sep), e.getValue());
            }
        }
    }

    /** The inverse of {@link #flattenKeys}: names containing {@code separator} become nested keys (new dicts get this batch size). */
    public TensorDict unflattenKeys(String separator) {
        TensorDict out = emptyLike();
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Key k = Key.parse(e.getKey(), separator);
            Object v = e.getValue() instanceof TensorDict d ? d.unflattenKeys(separator) : e.getValue();
            if (v instanceof TensorDict d && out.find(k) instanceof TensorDict existing) existing.update(d);
            else out.parentFor(k, "unflattenKeys").put(k, v);
        }
        return out;
    }

    /** A dict with the same keys and zero leaves of batch {@code shape}, feature dims and dtypes unchanged, on the leaves' devices. */
    public TensorDict newZeros(int... shape) {
        int nb = batchSize.length;
        return mapBatch(shape, null, t -> t.newZeros(t.dtype(), Shape.concat(shape, tail(t.shapeRef(), nb))));
    }

    /** Every leaf with {@code value} where {@code mask} (bool, of the batch shape or its leading dims) is true. */
    public TensorDict maskedFill(Tensor mask, double value) {
        checkBatchMask("maskedFill", mask);
        return apply(t -> t.maskedFill(padRight(mask, t.dim()), value));
    }

    /** Per leaf: this leaf where {@code condition} (bool, batch shape or its leading dims) is true, the other's leaf elsewhere. */
    public TensorDict where(Tensor condition, TensorDict other) {
        checkBatchMask("where", condition);
        return apply((a, b) -> Tensor.where(padRight(condition, Math.max(a.dim(), b.dim())), a, b), other);
    }

    /** Per leaf: this leaf where {@code condition} is true, {@code other} elsewhere. */
    public TensorDict where(Tensor condition, double other) {
        checkBatchMask("where", condition);
        return apply(t -> Tensor.where(padRight(condition, t.dim()), t, other));
    }

    private void checkBatchMask(String op, Tensor mask) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("TensorDict." + op + ": expected a bool mask, got " + mask.dtype() + " of shape " + Shape.format(mask.shapeRef()));
        }
        if (mask.dim() == 0 || !startsWith(batchSize, mask.shapeRef())) {
            throw new IllegalArgumentException("TensorDict." + op + ": expected a mask of the batch size " + Shape.format(batchSize)
                    + " (or its leading dims), got shape " + Shape.format(mask.shapeRef()));
        }
    }

    /** {@code mask} with trailing size-1 dims up to {@code rank}, so it broadcasts over a leaf's feature dims. */
    private static Tensor padRight(Tensor mask, int rank) {
        if (mask.dim() >= rank) return mask;
        int[] s = Arrays.copyOf(mask.shapeRef(), rank);
        Arrays.fill(s, mask.dim(), rank, 1);
        return mask.reshape(s);
    }

    /** Every leaf reduced over its feature dims (the dims after its own dict's batch size); a leaf without feature dims reduces over nothing. */
    public TensorDict reduceFeatures(FeatureReduction reduction) {
        TensorDict out = emptyLike();
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Object v = e.getValue();
            out.entries.put(e.getKey(), v instanceof TensorDict d ? d.reduceFeatures(reduction) : reduction.overTrailing((Tensor) v, batchSize.length));
        }
        return out;
    }

    /**
     * The {@code reduce=true} form: every leaf reduced over all dims past this dict's batch size
     * (so a longer nested dict's extra batch dims are reduced too), and the results of all
     * leaves added into one tensor of the batch shape (spec 2.4: multi-head log-probabilities).
     */
    public Tensor reduceFeaturesToTensor(FeatureReduction reduction) {
        Tensor total = null;
        for (Map.Entry<Key, Tensor> e : leaves().entrySet()) {
            Tensor r = reduction.overTrailing(e.getValue(), batchSize.length);
            total = total == null ? r : total.add(r);
        }
        if (total == null) throw new IllegalArgumentException("TensorDict.reduceFeaturesToTensor: the TensorDict has no leaves to reduce");
        return total;
    }

    /** {@code sum(dim="feature")}: a dict of per-leaf sums over feature dims. */
    public TensorDict sumFeatures() { return reduceFeatures(FeatureReduction.SUM); }

    /** {@code sum(dim="feature", reduce=true)}: one tensor of the batch shape. */
    public Tensor sumFeaturesReduced() { return reduceFeaturesToTensor(FeatureReduction.SUM); }

    public TensorDict meanFeatures() { return reduceFeatures(FeatureReduction.MEAN); }

    public Tensor meanFeaturesReduced() { return reduceFeaturesToTensor(FeatureReduction.MEAN); }

    // ------------------------------------------------------------------ RL layout

    /**
     * The next view with the estimators' options (spec 2.6): the entries of {@code "next"} at the
     * root, the reward left out, done flags kept, other root entries dropped; batch size of
     * {@code "next"}. {@link StepMdp} has the general form.
     */
    public TensorDict nextView() {
        return StepMdp.defaults().keepOther(false).apply(this);
    }

    /** {@code step_mdp} with the reference defaults (keep other root entries, drop reward and action). */
    public TensorDict stepMdp() {
        return StepMdp.defaults().apply(this);
    }

    // ------------------------------------------------------------------ batch-dim operations

    /** {@code td[i]}: entry {@code i} of batch dim 0 (negative counts from the end). */
    public TensorDict index(int i) {
        return index(0, i);
    }

    /** Entry {@code i} of batch dim {@code dim}, which disappears ({@code index(-1, i)} is {@code td[..., i]}). */
    public TensorDict index(int dim, int i) {
        int d = batchDim("index", dim);
        int size = batchSize[d];
        if (i < -size || i >= size) {
            throw new IndexOutOfBoundsException("TensorDict.index: index " + i + " is out of range for batch dim " + dim + " of size " + size
                    + " (batch size " + Shape.format(batchSize) + ")");
        }
        return mapBatch(remove(batchSize, d), remove(namesOrNulls(), d), t -> t.select(d, i));
    }

    /** {@code td[..., i]}: entry {@code i} of the last batch dim. */
    public TensorDict indexLast(int i) {
        return index(-1, i);
    }

    /** Python slice {@code start:end:step} of batch dim {@code dim} (null bounds are open, negative ones count from the end). */
    public TensorDict slice(int dim, Integer start, Integer end, int step) {
        int d = batchDim("slice", dim);
        if (step <= 0) throw new IllegalArgumentException("TensorDict.slice: expected a positive step, got " + step);
        int size = batchSize[d];
        int s = start == null ? 0 : start < 0 ? Math.max(0, start + size) : Math.min(start, size);
        int e = end == null ? size : end < 0 ? Math.max(0, end + size) : Math.min(end, size);
        int[] nb = batchSize.clone();
        nb[d] = e <= s ? 0 : (e - s + step - 1) / step;
        return mapBatch(nb, namesOrNulls(), t -> t.slice(d, start, end, step));
    }

    /** {@code td[start:end]} along batch dim 0. */
    public TensorDict slice(Integer start, Integer end) {
        return slice(0, start, end, 1);
    }

    /**
     * {@code td[index]}: a bool tensor selects the entries where it is true (its shape: the batch
     * size or its leading dims, which collapse into one); an int64 tensor picks entries of batch
     * dim 0 (its shape replaces that dim).
     */
    public TensorDict index(Tensor index) {
        if (index.dtype() == DType.BOOL) return mask(index);
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException("TensorDict.index: expected a bool mask or an int64 index tensor, got " + index.dtype() + " of shape "
                    + Shape.format(index.shapeRef()));
        }
        batchDim("index", 0);
        if (index.dim() == 1) return indexSelect(0, index);
        TensorDict picked = indexSelect(0, index.reshape(-1));
        return index.dim() == 0 ? picked.index(0) : picked.unflatten(0, index.shape());
    }

    /** Entries {@code index} (1-d int64) along batch dim {@code dim}. */
    public TensorDict indexSelect(int dim, Tensor index) {
        int d = batchDim("indexSelect", dim);
        if (index.dtype() != DType.INT64 || index.dim() != 1) {
            throw new IllegalArgumentException("TensorDict.indexSelect: expected a 1-d int64 index, got " + index.dtype() + " of shape "
                    + Shape.format(index.shapeRef()));
        }
        int[] nb = batchSize.clone();
        nb[d] = index.size(0);
        return mapBatch(nb, namesOrNulls(), t -> t.indexSelect(d, index));
    }

    /** {@code td[mask]}: the entries where the bool {@code mask} (batch size or its leading dims) is true, along one new dim. */
    public TensorDict mask(Tensor mask) {
        checkBatchMask("mask", mask);
        int k = mask.dim();
        Tensor positions = mask.reshape(-1).nonzero().reshape(-1);
        int[] nb = Shape.concat(new int[] {positions.size(0)}, tail(batchSize, k));
        String[] nn = Arrays.copyOf(new String[1], 1 + batchSize.length - k);
        System.arraycopy(namesOrNulls(), k, nn, 1, batchSize.length - k);
        return mapBatch(nb, nn, t -> t.flatten(0, k - 1).indexSelect(0, positions));
    }

    /** The entries of batch dim {@code dim}, each with that dim removed. */
    public List<TensorDict> unbind(int dim) {
        int d = batchDim("unbind", dim);
        List<TensorDict> out = new ArrayList<>(batchSize[d]);
        for (int i = 0; i < batchSize[d]; i++) out.add(index(d, i));
        return out;
    }

    /** Dicts of equal keys and batch sizes joined along a new batch dim {@code dim}; leaves are stacked. */
    public static TensorDict stack(List<TensorDict> tds, int dim) {
        TensorDict first = requireSameKeys("stack", tds);
        int d = Shape.normalizeDim("TensorDict.stack", dim, first.batchSize.length + 1);
        for (int i = 1; i < tds.size(); i++) {
            if (!Arrays.equals(tds.get(i).batchSize, first.batchSize)) {
                throw new IllegalArgumentException("TensorDict.stack: expected every TensorDict to have batch size " + Shape.format(first.batchSize)
                        + " (that of TensorDict 0), but TensorDict " + i + " has " + Shape.format(tds.get(i).batchSize));
            }
        }
        return join(tds, d, true);
    }

    /** Dicts of equal keys joined along the existing batch dim {@code dim}; other batch dims must agree. */
    public static TensorDict cat(List<TensorDict> tds, int dim) {
        TensorDict first = requireSameKeys("cat", tds);
        int d = first.batchDim("cat", dim);
        for (int i = 1; i < tds.size(); i++) {
            int[] b = tds.get(i).batchSize;
            boolean ok = b.length == first.batchSize.length;
            for (int j = 0; ok && j < b.length; j++) ok = j == d || b[j] == first.batchSize[j];
            if (!ok) {
                throw new IllegalArgumentException("TensorDict.cat: expected batch sizes that agree except along dim " + dim + ", but TensorDict 0 has "
                        + Shape.format(first.batchSize) + " and TensorDict " + i + " has " + Shape.format(b));
            }
        }
        return join(tds, d, false);
    }

    private static TensorDict requireSameKeys(String op, List<TensorDict> tds) {
        if (tds == null || tds.isEmpty()) throw new IllegalArgumentException("TensorDict." + op + ": expected at least one TensorDict, got none");
        TensorDict first = tds.get(0);
        Set<Key> keys = new LinkedHashSet<>(first.keys(true, false));
        for (int i = 1; i < tds.size(); i++) {
            Set<Key> other = new LinkedHashSet<>(tds.get(i).keys(true, false));
            if (!other.equals(keys)) {
                throw new IllegalArgumentException("TensorDict." + op + ": expected every TensorDict to have the keys of TensorDict 0 " + keys
                        + ", but TensorDict " + i + " has " + other);
            }
        }
        return first;
    }

    private static TensorDict join(List<TensorDict> tds, int d, boolean stack) {
        TensorDict first = tds.get(0);
        int[] nb;
        String[] nn;
        if (stack) {
            nb = insert(first.batchSize, d, tds.size());
            nn = insert(first.namesOrNulls(), d, null);
        } else {
            nb = first.batchSize.clone();
            nb[d] = 0;
            for (TensorDict t : tds) nb[d] += t.batchSize[d];
            nn = first.namesOrNulls();
        }
        TensorDict out = new TensorDict(nb, nn);
        for (Map.Entry<String, Object> e : first.entries.entrySet()) {
            List<Object> parts = new ArrayList<>(tds.size());
            for (TensorDict t : tds) parts.add(t.entries.get(e.getKey()));
            Object v;
            if (e.getValue() instanceof TensorDict) {
                List<TensorDict> subs = new ArrayList<>();
                for (Object p : parts) {
                    if (!(p instanceof TensorDict s)) {
                        throw new IllegalArgumentException("TensorDict." + (stack ? "stack" : "cat") + ": key \"" + e.getKey()
                                + "\" holds a TensorDict in TensorDict 0 but a tensor in another");
                    }
                    subs.add(s);
                }
                v = join(subs, d, stack);
            } else {
                List<Tensor> ts = new ArrayList<>();
                for (Object p : parts) {
                    if (!(p instanceof Tensor t)) {
                        throw new IllegalArgumentException("TensorDict." + (stack ? "stack" : "cat") + ": key \"" + e.getKey()
                                + "\" holds a tensor in TensorDict 0 but a TensorDict in another");
                    }
                    ts.add(t);
                }
                v = stack ? Tensor.stack(ts, d) : Tensor.cat(ts, d);
            }
            out.put(Key.of(e.getKey()), v);
        }
        return out;
    }

    /**
     * A broadcast view of batch size {@code shape} (new leading dims allowed, size-1 dims
     * stretched, -1 keeps a size); leaves share storage, as for Tensor.expand.
     */
    public TensorDict expand(int... shape) {
        if (shape.length < batchSize.length) {
            throw new IllegalArgumentException("TensorDict.expand: cannot expand batch size " + Shape.format(batchSize) + " to " + Arrays.toString(shape)
                    + " (fewer dims)");
        }
        int lead = shape.length - batchSize.length;
        int[] nb = shape.clone();
        for (int i = lead; i < shape.length; i++) {
            int have = batchSize[i - lead];
            if (shape[i] == -1) nb[i] = have;
            else if (shape[i] != have && have != 1) {
                throw new IllegalArgumentException("TensorDict.expand: cannot expand batch size " + Shape.format(batchSize) + " to " + Arrays.toString(shape)
                        + " (dim " + i + ": " + have + " is not 1)");
            }
        }
        for (int i = 0; i < lead; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("TensorDict.expand: expected a size for new leading dim " + i + ", got " + shape[i]);
        }
        String[] nn = new String[nb.length];
        System.arraycopy(namesOrNulls(), 0, nn, lead, batchSize.length);
        int n = batchSize.length;
        return mapBatch(nb, nn, t -> t.expand(Shape.concat(nb, tail(t.shapeRef(), n))));
    }

    /** The batch dims reshaped to {@code shape} (one -1 is inferred); leaves are views where their strides allow, else copies. */
    public TensorDict reshape(int... shape) {
        int[] nb = inferShape("reshape", shape);
        int n = batchSize.length;
        return mapBatch(nb, Arrays.equals(nb, batchSize) ? namesOrNulls() : null, t -> t.reshape(Shape.concat(nb, tail(t.shapeRef(), n))));
    }

    /** As {@link #reshape} but every leaf must be viewable (no copy), as for Tensor.view. */
    public TensorDict view(int... shape) {
        int[] nb = inferShape("view", shape);
        int n = batchSize.length;
        return mapBatch(nb, Arrays.equals(nb, batchSize) ? namesOrNulls() : null, t -> t.view(Shape.concat(nb, tail(t.shapeRef(), n))));
    }

    private int[] inferShape(String op, int[] shape) {
        int known = 1, infer = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("TensorDict." + op + ": only one -1 allowed in " + Arrays.toString(shape));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("TensorDict." + op + ": invalid size " + shape[i] + " in " + Arrays.toString(shape));
            } else {
                known *= shape[i];
            }
        }
        int numel = numel();
        int[] out = shape.clone();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("TensorDict." + op + ": cannot infer -1 in " + Arrays.toString(shape) + " for batch size "
                        + Shape.format(batchSize) + " (" + numel + " entries)");
            }
            out[infer] = numel / known;
        } else if (known != numel) {
            throw new IllegalArgumentException("TensorDict." + op + ": batch size " + Shape.format(batchSize) + " (" + numel + " entries) cannot become "
                    + Arrays.toString(shape) + " (" + known + " entries)");
        }
        return out;
    }

    /** Batch dims {@code start..end} merged into one. */
    public TensorDict flatten(int start, int end) {
        int s = batchDim("flatten", start), e = batchDim("flatten", end);
        if (s > e) throw new IllegalArgumentException("TensorDict.flatten: start dim " + start + " comes after end dim " + end);
        int[] nb = new int[batchSize.length - (e - s)];
        String[] nn = new String[nb.length];
        String[] old = namesOrNulls();
        for (int i = 0, k = 0; i < batchSize.length; i++) {
            if (i <= s || i > e) {
                nb[k] = batchSize[i];
                nn[k] = i == s && e > s ? null : old[i];
                k++;
            } else {
                nb[k - 1] *= batchSize[i];
            }
        }
        return mapBatch(nb, nn, t -> t.flatten(s, e));
    }

    /** Every batch dim merged into one. */
    public TensorDict flatten() {
        if (batchSize.length == 0) return reshape(1);
        return flatten(0, -1);
    }

    /** Batch dim {@code dim} split into {@code sizes} (one -1 is inferred). */
    public TensorDict unflatten(int dim, int... sizes) {
        int d = batchDim("unflatten", dim);
        int known = 1, infer = -1;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == -1 && infer < 0) infer = i;
            else known *= sizes[i];
        }
        int[] inner = sizes.clone();
        if (infer >= 0 && known != 0) inner[infer] = batchSize[d] / known;
        if (Shape.numel(inner) != batchSize[d] || Arrays.stream(inner).anyMatch(v -> v < 0)) {
            throw new IllegalArgumentException("TensorDict.unflatten: batch dim " + dim + " of size " + batchSize[d] + " cannot be split into "
                    + Arrays.toString(sizes));
        }
        int[] nb = new int[batchSize.length - 1 + inner.length];
        String[] nn = new String[nb.length];
        String[] old = namesOrNulls();
        for (int i = 0, k = 0; i < batchSize.length; i++) {
            if (i == d) {
                for (int v : inner) nb[k++] = v;
            } else {
                nn[k] = old[i];
                nb[k++] = batchSize[i];
            }
        }
        return mapBatch(nb, nn, t -> t.unflatten(d, inner));
    }

    /** Batch dims {@code a} and {@code b} swapped (their names too). */
    public TensorDict transpose(int a, int b) {
        int x = batchDim("transpose", a), y = batchDim("transpose", b);
        int[] nb = batchSize.clone();
        nb[x] = batchSize[y];
        nb[y] = batchSize[x];
        String[] nn = namesOrNulls();
        String tmp = nn[x];
        nn[x] = nn[y];
        nn[y] = tmp;
        return mapBatch(nb, nn, t -> t.transpose(x, y));
    }

    /** The batch dims reordered: new dim i is old dim {@code dims[i]}; feature dims stay in place. */
    public TensorDict permute(int... dims) {
        int n = batchSize.length;
        if (dims.length != n) {
            throw new IllegalArgumentException("TensorDict.permute: expected " + n + " dims (batch size " + Shape.format(batchSize) + "), got "
                    + Arrays.toString(dims));
        }
        int[] p = new int[n];
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            p[i] = batchDim("permute", dims[i]);
            if (seen[p[i]]) throw new IllegalArgumentException("TensorDict.permute: dim " + dims[i] + " appears twice in " + Arrays.toString(dims));
            seen[p[i]] = true;
        }
        int[] nb = new int[n];
        String[] nn = new String[n];
        String[] old = namesOrNulls();
        for (int i = 0; i < n; i++) {
            nb[i] = batchSize[p[i]];
            nn[i] = old[p[i]];
        }
        return mapBatch(nb, nn, t -> {
            int[] full = new int[t.dim()];
            for (int i = 0; i < full.length; i++) full[i] = i < n ? p[i] : i;
            return t.permute(full);
        });
    }

    /** Every size-1 batch dim removed. */
    public TensorDict squeeze() {
        TensorDict out = this;
        for (int i = batchSize.length - 1; i >= 0; i--) if (batchSize[i] == 1) out = out.squeeze(i);
        return out == this ? copy() : out;
    }

    /** Batch dim {@code dim} removed if its size is 1 (unchanged otherwise, as Tensor.squeeze(dim)). */
    public TensorDict squeeze(int dim) {
        int d = batchDim("squeeze", dim);
        if (batchSize[d] != 1) return copy();
        return mapBatch(remove(batchSize, d), remove(namesOrNulls(), d), t -> t.squeeze(d));
    }

    /** A new size-1 batch dim at {@code dim} (from {@code -(batchDims+1)} to {@code batchDims}). */
    public TensorDict unsqueeze(int dim) {
        int d = Shape.normalizeDim("TensorDict.unsqueeze", dim, batchSize.length + 1);
        return mapBatch(insert(batchSize, d, 1), insert(namesOrNulls(), d, null), t -> t.unsqueeze(d));
    }

    /** Pieces of {@code size} entries along batch dim {@code dim} (the last may be shorter). */
    public List<TensorDict> split(int size, int dim) {
        int d = batchDim("split", dim);
        if (size <= 0) throw new IllegalArgumentException("TensorDict.split: expected a positive split size, got " + size);
        int n = batchSize[d];
        int count = Math.max(1, (n + size - 1) / size);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.min(size, n - i * size);
        return pieces(d, sizes);
    }

    /** Pieces of the given sizes along batch dim {@code dim}; they must add up to its size. */
    public List<TensorDict> split(int[] sizes, int dim) {
        int d = batchDim("split", dim);
        int total = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("TensorDict.split: expected non-negative sizes, got " + Arrays.toString(sizes));
            total += s;
        }
        if (total != batchSize[d]) {
            throw new IllegalArgumentException("TensorDict.split: sizes " + Arrays.toString(sizes) + " add up to " + total + ", expected the size "
                    + batchSize[d] + " of batch dim " + dim);
        }
        return pieces(d, sizes);
    }

    /** Exactly {@code sections} near-equal pieces along batch dim {@code dim}, the first ones larger (5 into 3: 2, 2, 1). */
    public List<TensorDict> tensorSplit(int sections, int dim) {
        int d = batchDim("tensorSplit", dim);
        if (sections <= 0) throw new IllegalArgumentException("TensorDict.tensorSplit: expected a positive number of sections, got " + sections);
        int n = batchSize[d];
        int[] sizes = new int[sections];
        for (int i = 0; i < sections; i++) sizes[i] = n / sections + (i < n % sections ? 1 : 0);
        return pieces(d, sizes);
    }

    /** At most {@code chunks} pieces of {@code ceil(n / chunks)} entries along batch dim {@code dim}, as torch.chunk. */
    public List<TensorDict> chunk(int chunks, int dim) {
        int d = batchDim("chunk", dim);
        if (chunks <= 0) throw new IllegalArgumentException("TensorDict.chunk: expected a positive number of chunks, got " + chunks);
        int n = batchSize[d];
        return split(Math.max(1, (n + chunks - 1) / chunks), d);
    }

    private List<TensorDict> pieces(int d, int[] sizes) {
        List<TensorDict> out = new ArrayList<>(sizes.length);
        int at = 0;
        for (int s : sizes) {
            int start = at;
            int[] nb = batchSize.clone();
            nb[d] = s;
            out.add(mapBatch(nb, namesOrNulls(), t -> t.narrow(d, start, s)));
            at += s;
        }
        return out;
    }

    /**
     * The one place batch-dim operations build their result: {@code op} maps every leaf at any
     * depth (this dict's batch dims lead them all, so dim arguments are the same for every leaf),
     * the result has batch size {@code newLead} (nested dicts: that followed by their extra dims)
     * and names {@code newNames} (null: none).
     */
    TensorDict mapBatch(int[] newLead, String[] newNames, UnaryOperator<Tensor> op) {
        return mapBatch(batchSize.length, newLead, newNames, op);
    }

    private TensorDict mapBatch(int nLead, int[] newLead, String[] newNames, UnaryOperator<Tensor> op) {
        int[] nb = Shape.concat(newLead, tail(batchSize, nLead));
        String[] nn = null;
        if (newNames != null || names != null) {
            nn = new String[nb.length];
            if (newNames != null) System.arraycopy(newNames, 0, nn, 0, newLead.length);
            if (names != null) System.arraycopy(names, nLead, nn, newLead.length, batchSize.length - nLead);
        }
        TensorDict out = new TensorDict(nb, nn);
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Object v = e.getValue() instanceof TensorDict sub ? sub.mapBatch(nLead, newLead, newNames, op) : op.apply((Tensor) e.getValue());
            out.put(Key.of(e.getKey()), v);
        }
        return out;
    }

    private int batchDim(String op, int dim) {
        if (batchSize.length == 0) {
            throw new IllegalArgumentException("TensorDict." + op + ": the TensorDict has batch size [] and no batch dim " + dim);
        }
        int n = batchSize.length;
        if (dim < -n || dim >= n) {
            throw new IndexOutOfBoundsException("TensorDict." + op + ": dim " + dim + " is out of range for batch size " + Shape.format(batchSize)
                    + " (expected " + (-n) + " to " + (n - 1) + ")");
        }
        return dim < 0 ? dim + n : dim;
    }

    // ------------------------------------------------------------------ small array helpers

    static boolean startsWith(int[] shape, int[] prefix) {
        if (shape.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (shape[i] != prefix[i]) return false;
        return true;
    }

    private static int[] tail(int[] a, int from) {
        return Arrays.copyOfRange(a, from, a.length);
    }

    static int[] remove(int[] a, int at) {
        int[] out = new int[a.length - 1];
        for (int i = 0, k = 0; i < a.length; i++) if (i != at) out[k++] = a[i];
        return out;
    }

    static String[] remove(String[] a, int at) {
        String[] out = new String[a.length - 1];
        for (int i = 0, k = 0; i < a.length; i++) if (i != at) out[k++] = a[i];
        return out;
    }

    static int[] insert(int[] a, int at, int v) {
        int[] out = new int[a.length + 1];
        for (int i = 0, k = 0; i < out.length; i++) out[i] = i == at ? v : a[k++];
        return out;
    }

    static String[] insert(String[] a, int at, String v) {
        String[] out = new String[a.length + 1];
        for (int i = 0, k = 0; i < out.length; i++) out[i] = i == at ? v : a[k++];
        return out;
    }

    // ------------------------------------------------------------------ printing

    /**
     * The tree with each leaf's dtype and shape, each dict's batch size, dim names when set, the
     * device when not the CPU, and a lock mark:
     * <pre>
     * TensorDict(batch_size=[4]) {
     *   action: float32 [4, 2]
     *   next: TensorDict(batch_size=[4]) {
     *     done: bool [4, 1]
     *   }
     * }</pre>
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        print(sb, "");
        return sb.toString();
    }

    private void print(StringBuilder sb, String indent) {
        sb.append("TensorDict(batch_size=").append(Shape.format(batchSize));
        if (names != null) sb.append(", names=").append(Arrays.toString(names));
        Device dev = device();
        if (dev != null && !dev.equals(Device.CPU)) sb.append(", device=").append(dev);
        if (locked) sb.append(", locked");
        sb.append(") {");
        if (entries.isEmpty()) {
            sb.append('}');
            return;
        }
        sb.append('\n');
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            sb.append(indent).append("  ").append(e.getKey()).append(": ");
            if (e.getValue() instanceof TensorDict d) {
                d.print(sb, indent + "  ");
            } else {
                Tensor t = (Tensor) e.getValue();
                sb.append(t.dtype().toString().toLowerCase(java.util.Locale.ROOT)).append(' ').append(Shape.format(t.shapeRef()));
                if (t.requiresGrad()) sb.append(" requires_grad");
                if (!t.device().equals(dev == null ? Device.CPU : dev)) sb.append(" on ").append(t.device());
            }
            sb.append('\n');
        }
        sb.append(indent).append('}');
    }
}
