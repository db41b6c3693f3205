package org.rlgrad.engine.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A neural-network module as in PyTorch: named parameters (leaves that require grad) and buffers
 * (state that is saved but not trained, such as BatchNorm's running statistics) in a tree of child
 * modules, addressed by dotted names ({@code "0.weight"}, {@code "layers.1.bias"}).
 *
 * <p>Layers read their tensors through {@link #parameter} and {@link #buffer}, never through
 * fields, so that a <em>functional call</em> ({@link #functionalCall}) can evaluate the same module
 * with other tensors: a target network's, or an ensemble's stacked parameters inside vmap.
 * Gradients then reach the given tensors and not the module's own.
 *
 * <p>Parameters and buffers live outside every {@link MemoryScope}. Moving a module
 * ({@link #to(Device)}, {@link #to(DType)}) replaces its tensors with new ones (PyTorch keeps the
 * Parameter objects and swaps their data; a Java tensor cannot change device), so build optimisers
 * after moving. Loading a state dict copies values into the existing tensors, so optimisers keep
 * working.
 */
public abstract class Module {
    private final LinkedHashMap<String, Tensor> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    // ------------------------------------------------------------------ registration

    /** Registers {@code value} (floating) as parameter {@code name}: a persistent leaf that requires grad. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkNewName(name);
        if (!value.dtype().isFloating()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name + "' must be floating, got " + value.dtype());
        }
        Tensor leaf = MemoryScope.persist(value.isLeaf() ? value : value.detach()).requiresGrad(true);
        parameters.put(name, leaf);
        return leaf;
    }

    /** Registers {@code value} as buffer {@code name}: saved in the state dict, moved with the module, not trained. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkNewName(name);
        Tensor b = MemoryScope.persist(value.detach());
        buffers.put(name, b);
        return b;
    }

    /** Registers {@code child} under {@code name}; its tensors are named {@code name + "." + theirs}. */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkNewName(name);
        if (child == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": child module '" + name + "' is null");
        children.put(name, child);
        return child;
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter, buffer or child name must be non-empty "
                    + "and contain no '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name + "' is already registered");
        }
    }

    // ------------------------------------------------------------------ reading (for forward)

    /** The tensor this module computes with for parameter {@code name}: a functional call's, else its own. */
    protected final Tensor parameter(String name) {
        Tensor given = ParameterSubstitution.lookup(this, name);
        if (given != null) return given;
        Tensor own = parameters.get(name);
        if (own == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter '" + name + "'; it has " + parameters.keySet());
        }
        return own;
    }

    /** The tensor this module computes with for buffer {@code name}: a functional call's, else its own. */
    protected final Tensor buffer(String name) {
        Tensor given = ParameterSubstitution.lookup(this, name);
        if (given != null) return given;
        Tensor own = buffers.get(name);
        if (own == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer '" + name + "'; it has " + buffers.keySet());
        }
        return own;
    }

    // ------------------------------------------------------------------ the tree

    /** Parameters of the whole tree by dotted name, in registration order, each tensor once (as PyTorch). */
    public final LinkedHashMap<String, Tensor> namedParameters() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> p : m.getValue().parameters.entrySet()) {
                if (seen.add(p.getValue())) out.put(qualified(m.getKey(), p.getKey()), p.getValue());
            }
        }
        return out;
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Buffers of the whole tree by dotted name, each tensor once. */
    public final LinkedHashMap<String, Tensor> namedBuffers() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet()) {
                if (seen.add(b.getValue())) out.put(qualified(m.getKey(), b.getKey()), b.getValue());
            }
        }
        return out;
    }

    public final List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    /** The direct children by name. */
    public final LinkedHashMap<String, Module> namedChildren() {
        return new LinkedHashMap<>(children);
    }

    public final List<Module> children() {
        return new ArrayList<>(children.values());
    }

    /** This module (name "") and every descendant by dotted path, depth first, each module once. */
    public final LinkedHashMap<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        collect("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    public final List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    private static void collect(String prefix, Module m, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(m)) return;
        out.put(prefix, m);
        for (Map.Entry<String, Module> c : m.children.entrySet()) collect(qualified(prefix, c.getKey()), c.getValue(), out, seen);
    }

    private static String qualified(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    // ------------------------------------------------------------------ modes and gradients

    /** Training mode for this module and every descendant (Dropout draws masks, BatchNorm uses batch statistics). */
    public Module train(boolean mode) {
        for (Module m : modules()) m.training = mode;
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public final void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /**
     * Holds the parameters out of the graph until the returned scope closes (spec engine.md 3.5):
     * they stop requiring grad, so outputs still depend differentiably on the inputs but no
     * gradient reaches the parameters; on close each parameter gets back its own previous flag
     * (not "requires grad" regardless, the reference's quirk).
     */
    public final ParameterHold holdOutParameters() {
        return new ParameterHold(parameters());
    }

    // ------------------------------------------------------------------ functional call

    /**
     * Evaluates {@code body} with {@code tensors} (dotted names, as {@link #stateDict}) in place of
     * this tree's parameters and buffers. Every parameter must be given (a forgotten one would
     * silently train the module's own); a buffer not given is read from the module.
     */
    public final <T> T functionalCall(Map<String, Tensor> tensors, Supplier<T> body) {
        return functionalCall(tensors, false, body);
    }

    /** As {@link #functionalCall(Map, Supplier)}; with {@code allowMissing}, parameters not given are the module's own. */
    public final <T> T functionalCall(Map<String, Tensor> tensors, boolean allowMissing, Supplier<T> body) {
        try (ParameterSubstitution scope = substitute(tensors, allowMissing)) {
            return body.get();
        }
    }

    /**
     * Opens the substitution of a functional call as a scope (try-with-resources), for callers that
     * do more than one thing inside it. It is confined to the calling thread and re-entrant.
     */
    public final ParameterSubstitution substitute(Map<String, Tensor> tensors, boolean allowMissing) {
        IdentityHashMap<Module, Map<String, Tensor>> perModule = new IdentityHashMap<>();
        Map<String, Module> modules = namedModules();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            Module owner = modules.get(dot < 0 ? "" : key.substring(0, dot));
            String local = key.substring(dot + 1);
            Tensor own = owner == null ? null : owner.parameters.containsKey(local) ? owner.parameters.get(local) : owner.buffers.get(local);
            if (own == null) {
                unknown.add(key);
                continue;
            }
            Tensor given = e.getValue();
            if (given == null) throw new IllegalArgumentException("functional call: the tensor for '" + key + "' is null");
            if (!Arrays.equals(given.shapeRef(), own.shapeRef())) {
                throw new IllegalArgumentException("functional call: '" + key + "' has shape " + Shape.format(given.shapeRef())
                        + " but the module's is " + Shape.format(own.shapeRef()) + (given.isBatched() ? " (per entry, inside vmap)" : ""));
            }
            perModule.computeIfAbsent(owner, m -> new LinkedHashMap<>()).put(local, given);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("functional call: unexpected key(s) " + unknown + "; the module has " + stateDictKeys());
        }
        if (!allowMissing) {
            List<String> missing = new ArrayList<>();
            for (String k : namedParameters().keySet()) if (!tensors.containsKey(k)) missing.add(k);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("functional call: missing parameter(s) " + missing + " (given " + new TreeSet<>(tensors.keySet())
                        + "); pass allowMissing = true to use the module's own for those");
            }
        }
        return ParameterSubstitution.open(perModule);
    }

    // ------------------------------------------------------------------ state dicts

    /** Parameters then buffers of each module, depth first, by dotted name; detached views of the module's tensors. */
    public final LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> p : m.getValue().parameters.entrySet()) out.put(qualified(m.getKey(), p.getKey()), p.getValue().detach());
            for (Map.Entry<String, Tensor> b : m.getValue().buffers.entrySet()) out.put(qualified(m.getKey(), b.getKey()), b.getValue().detach());
        }
        return out;
    }

    private List<String> stateDictKeys() {
        return new ArrayList<>(stateDict().keySet());
    }

    /** What a non-strict load left out: keys the module has that the dict lacks, and keys it does not have. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /**
     * Copies {@code state} into this tree's parameters and buffers (values moved to each tensor's
     * device and cast to its dtype). A shape mismatch is always an error; missing and unexpected
     * keys are errors when {@code strict}, else reported. Nothing is written unless every check passes.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor target = own.get(e.getKey());
            if (target == null) unexpected.add(e.getKey());
            else if (!Arrays.equals(target.shapeRef(), e.getValue().shapeRef())) {
                mismatched.add("'" + e.getKey() + "': expected shape " + Shape.format(target.shapeRef()) + ", got " + Shape.format(e.getValue().shapeRef()));
            }
        }
        StringBuilder errors = new StringBuilder();
        if (!mismatched.isEmpty()) errors.append("\n  size mismatch for ").append(String.join("; ", mismatched));
        if (strict && !missing.isEmpty()) errors.append("\n  missing key(s): ").append(missing);
        if (strict && !unexpected.isEmpty()) errors.append("\n  unexpected key(s): ").append(unexpected);
        if (errors.length() > 0) {
            throw new IllegalArgumentException("loadStateDict: error(s) loading the state dict of " + getClass().getSimpleName() + ":" + errors);
        }
        try (var scope = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor target = own.get(e.getKey());
                if (target != null) target.copy_(e.getValue().detach().to(target.device()));
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ------------------------------------------------------------------ moves

    /** Moves every parameter and buffer of the tree to {@code device} (new tensors; requiresGrad kept). */
    public Module to(Device device) {
        for (Module m : modules()) {
            m.parameters.replaceAll((k, p) -> p.device().equals(device) ? p : MemoryScope.persist(p.detach().to(device)).requiresGrad(p.requiresGrad()));
            m.buffers.replaceAll((k, b) -> MemoryScope.persist(b.to(device)));
        }
        return this;
    }

    /** Casts every floating parameter and buffer of the tree to {@code dtype} (integer buffers stay, as in PyTorch). */
    public Module to(DType dtype) {
        if (!dtype.isFloating()) throw new IllegalArgumentException(getClass().getSimpleName() + ".to: expected a floating dtype, got " + dtype);
        for (Module m : modules()) {
            m.parameters.replaceAll((k, p) -> p.dtype() == dtype ? p : MemoryScope.persist(p.detach().to(dtype)).requiresGrad(p.requiresGrad()));
            m.buffers.replaceAll((k, b) -> b.dtype().isFloating() && b.dtype() != dtype ? MemoryScope.persist(b.to(dtype)) : b);
        }
        return this;
    }

    // ------------------------------------------------------------------ printing

    /** What goes between the parentheses of this module's line ("in=3, out=2"). */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            for (Map.Entry<String, Module> c : children.entrySet()) {
                sb.append("\n  (").append(c.getKey()).append("): ").append(c.getValue().toString().replace("\n", "\n  "));
            }
            sb.append('\n');
        }
        return sb.append(')').toString();
    }
}
