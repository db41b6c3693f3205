package org.rlgrad.engine.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.Tensor;

/**
 * The scope of a functional call ({@link Module#substitute}): while it is open, on the thread that
 * opened it, each module of the tree reads the given tensors in place of its own parameters and
 * buffers (torch.func.functional_call, TorchRL's {@code to_module}). Nothing about the modules
 * changes: the substitution is a thread-local table keyed by module identity, so another thread
 * evaluating the same module sees its own parameters, and a call may open another inside itself
 * (re-entrant: the inner scope shadows the outer one for the modules it names and restores it on
 * close). Scopes close innermost first, on the thread that opened them.
 */
public final class ParameterSubstitution implements AutoCloseable {
    /** The tensors each module reads instead of its own, by local name; per thread. */
    private static final ThreadLocal<IdentityHashMap<Module, Map<String, Tensor>>> ACTIVE =
            ThreadLocal.withInitial(IdentityHashMap::new);
    private static final ThreadLocal<Deque<ParameterSubstitution>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Thread thread = Thread.currentThread();
    private final List<Module> modules = new ArrayList<>();
    /** What each module read before this scope (null: its own tensors). */
    private final List<Map<String, Tensor>> previous = new ArrayList<>();
    private boolean closed;

    /** Opens the scope with, for each module, the tensors it reads by local name. */
    static ParameterSubstitution open(IdentityHashMap<Module, Map<String, Tensor>> perModule) {
        ParameterSubstitution scope = new ParameterSubstitution();
        IdentityHashMap<Module, Map<String, Tensor>> active = ACTIVE.get();
        for (Map.Entry<Module, Map<String, Tensor>> e : perModule.entrySet()) {
            scope.modules.add(e.getKey());
            scope.previous.add(active.put(e.getKey(), e.getValue()));
        }
        OPEN.get().push(scope);
        return scope;
    }

    /** The tensor {@code module} reads for {@code name} in the innermost open scope, or null. */
    static Tensor lookup(Module module, String name) {
        IdentityHashMap<Module, Map<String, Tensor>> active = ACTIVE.get();
        if (active.isEmpty()) return null;
        Map<String, Tensor> local = active.get(module);
        return local == null ? null : local.get(name);
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("ParameterSubstitution.close: opened on thread '" + thread.getName()
                    + "', closed on '" + Thread.currentThread().getName() + "'");
        }
        Deque<ParameterSubstitution> open = OPEN.get();
        if (open.peek() != this) {
            throw new IllegalStateException("ParameterSubstitution.close: a functional call opened inside this one is still open; "
                    + "close them innermost first");
        }
        open.pop();
        closed = true;
        IdentityHashMap<Module, Map<String, Tensor>> active = ACTIVE.get();
        for (int i = modules.size() - 1; i >= 0; i--) {
            if (previous.get(i) == null) active.remove(modules.get(i));
            else active.put(modules.get(i), previous.get(i));
        }
    }
}
