package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * TensorDict modules run in order on the same dict (spec engine.md 3.3; tensordict's
 * {@code TensorDictSequential}).
 *
 * <ul>
 *   <li>{@link #inKeys()}: the in-keys of the modules that no earlier module produces, in
 *       first-seen order; {@link #outKeys()}: every out-key, a key written several times kept
 *       once at its last position.</li>
 *   <li>{@link #selectOutKeys}: only those out-keys (plus the keys the input already had) are
 *       kept in the result; intermediate results are dropped.</li>
 *   <li>{@code partialTolerant}: a module whose in-keys are not all present is skipped instead of
 *       failing.</li>
 * </ul>
 * The modules are children {@code "module.0"}, {@code "module.1"}, ... as in TorchRL, so that
 * parameter paths match the reference's.
 */
public class TensorDictSequential extends TensorDictModuleBase {
    private final List<TensorDictModuleBase> modules;
    private final boolean partialTolerant;
    private final List<Key> inKeys;
    private final List<Key> allOutKeys;
    private List<Key> selectedOutKeys;

    public TensorDictSequential(List<? extends TensorDictModuleBase> modules, boolean partialTolerant) {
        if (modules == null || modules.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": expected at least one module, got none");
        this.modules = List.copyOf(modules);
        this.partialTolerant = partialTolerant;
        ModuleList list = new ModuleList();
        for (int i = 0; i < this.modules.size(); i++) list.add(Integer.toString(i), this.modules.get(i));
        registerModule("module", list);
        LinkedHashSet<Key> in = new LinkedHashSet<>();
        Set<Key> produced = new LinkedHashSet<>();
        List<Key> out = new ArrayList<>();
        for (TensorDictModuleBase m : this.modules) {
            for (Key k : m.inKeys()) if (!produced.contains(k)) in.add(k);
            for (Key k : m.outKeys()) {
                if (k.equals(Keys.DISCARD)) continue;
                produced.add(k);
                out.remove(k);
                out.add(k);
            }
        }
        this.inKeys = List.copyOf(in);
        this.allOutKeys = List.copyOf(out);
    }

    public TensorDictSequential(TensorDictModuleBase... modules) {
        this(List.of(modules), false);
    }

    /** A plain container, so that the children are named "module.i" like TorchRL's ModuleList. */
    private static final class ModuleList extends Module {
        void add(String name, Module m) {
            registerModule(name, m);
        }
    }

    /** The modules in order. */
    public final List<TensorDictModuleBase> sequence() { return modules; }

    public final TensorDictModuleBase module(int i) { return modules.get(i); }

    public final boolean partialTolerant() { return partialTolerant; }

    @Override
    public List<Key> inKeys() { return inKeys; }

    /** The selected out-keys if {@link #selectOutKeys} was called, else every out-key. */
    @Override
    public List<Key> outKeys() { return selectedOutKeys != null ? selectedOutKeys : allOutKeys; }

    /**
     * Keeps only {@code keys} among the out-keys in every later result (plus the keys the input
     * had). Each must be one of {@link #outKeys()}, else an error lists them. Returns this module.
     */
    public TensorDictSequential selectOutKeys(Object... keys) {
        List<Key> wanted = Keys.list(keys);
        for (Key k : wanted) {
            if (!allOutKeys.contains(k)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ".selectOutKeys: " + k + " is not an out_key; the out_keys are " + allOutKeys);
            }
        }
        this.selectedOutKeys = List.copyOf(wanted);
        return this;
    }

    /** Undoes {@link #selectOutKeys}: every out-key is kept again. */
    public TensorDictSequential resetOutKeys() {
        this.selectedOutKeys = null;
        return this;
    }

    @Override
    protected TensorDict compute(TensorDict td) {
        Set<Key> before = selectedOutKeys == null ? null : new LinkedHashSet<>(td.keys(true, false));
        TensorDict out = runAll(td);
        return selectedOutKeys == null ? out : dropUnselected(out, before);
    }

    /** Runs every module in order; subclasses change how the last one runs. */
    protected TensorDict runAll(TensorDict td) {
        return runModules(td, modules);
    }

    /** Runs {@code ms} in order on {@code td}, skipping (with {@code partialTolerant}) those whose inputs are missing. */
    protected final TensorDict runModules(TensorDict td, List<TensorDictModuleBase> ms) {
        TensorDict cur = td;
        for (TensorDictModuleBase m : ms) {
            if (partialTolerant && !Keys.missing(cur, m.inKeys()).isEmpty()) continue;
            cur = m.forward(cur);
        }
        return cur;
    }

    /** Removes (in place) the leaves written here that are neither selected nor were in the input. */
    private TensorDict dropUnselected(TensorDict out, Collection<Key> before) {
        List<Key> drop = new ArrayList<>();
        for (Key k : out.keys(true, true)) {
            if (before.contains(k)) continue;
            boolean keep = false;
            for (Key s : selectedOutKeys) keep |= k.startsWith(s);
            if (!keep) drop.add(k);
        }
        for (Key k : drop) out.remove(k);
        // Nested dicts emptied by the removal were made here for intermediate keys; they go too.
        for (Key k : out.keys(true, false)) {
            if (!before.contains(k) && out.find(k) instanceof TensorDict sub && sub.keys(true, true).isEmpty() && !selectedOutKeys.contains(k)) out.remove(k);
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return "in_keys=" + inKeys + ", out_keys=" + outKeys();
    }
}
