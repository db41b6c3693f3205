package org.rlgrad.engine.backend;

import java.util.concurrent.atomic.AtomicInteger;

import org.rlgrad.engine.tensor.Tensor;

/**
 * A region of a program whose temporary tensors hand their memory back when it ends, so that the
 * next iteration of a loop reuses buffers that are still in cache instead of fresh, zeroed ones.
 *
 * <p>The JVM gives every new array memory it has not touched lately: a 16 KiB float array costs
 * about a microsecond here before anything is computed, more than adding two such vectors. PyTorch
 * frees a tensor the moment its last reference goes and its allocator hands the same block to the
 * next request; a Java program says when its temporaries die with a scope:
 *
 * <pre>{@code
 * for (int step = 0; step < steps; step++) {
 *     try (var scope = MemoryScope.open()) {
 *         Tensor loss = lossOf(batch);   // every intermediate belongs to the scope
 *         loss.backward();               // leaf gradients persist on their own
 *         adam.step();                   // optimiser state persists on its own
 *         losses[step] = loss.item();
 *     }                                  // intermediates' buffers go back for reuse
 * }
 * }</pre>
 *
 * <p>Every storage made on this thread while the scope is the innermost one open belongs to it.
 * {@link #keep} hands a result to the enclosing scope (or to the garbage collector when there is
 * none); {@link #persist} takes a tensor out of every scope, for long-lived state. Gradients set on
 * a tensor ({@link Tensor#setGrad}) persist automatically. A tensor whose memory was released
 * fails on its next use with an error that says so; it never reads another tensor's numbers.
 * Keeping a tensor keeps its values, not its history: run backward before the scope closes.
 *
 * <p>Scopes nest and are closed innermost first on the thread that opened them (try-with-resources
 * does both). Tensors made on other threads are not tracked.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();
    /** Scopes open on any thread: when none is, making a storage skips the thread-local lookup. */
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final MemoryScope parent;
    private final Thread thread;
    /**
     * The storages made in this scope, as a list threaded through {@link Storage#nextOwned}
     * (newest first): a scope per call of a small op must allocate next to nothing, because
     * every fresh cache line it takes evicts one the op's kernel streams through.
     */
    private Storage owned;
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope on the calling thread, nested in the one already open there, if any. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get());
        CURRENT.set(scope);
        OPEN.incrementAndGet();
        return scope;
    }

    /** The innermost scope open on the calling thread, or null. */
    public static MemoryScope current() {
        return OPEN.get() == 0 ? null : CURRENT.get();
    }

    static void adopt(Storage s) {
        if (OPEN.get() == 0) return;
        MemoryScope scope = CURRENT.get();
        if (scope == null) return;
        scope.own(s);
    }

    private void own(Storage s) {
        s.owner = this;
        s.nextOwned = owned;
        owned = s;
    }

    /**
     * Keeps {@code t}'s memory beyond this scope: it passes to the enclosing scope, or, when there
     * is none, lives as long as something refers to it. Views of the same storage are kept too.
     */
    public <T extends Tensor> T keep(T t) {
        if (closed) throw new IllegalStateException("MemoryScope.keep: the scope is already closed");
        Storage s = t.storage();
        if (s.owner == this) s.owner = parent; // close moves it into the parent's list
        return t;
    }

    /** Takes {@code t}'s memory out of every scope: it lives as long as something refers to it. */
    public static <T extends Tensor> T persist(T t) {
        t.storage().owner = null;
        return t;
    }

    /** Releases the memory of every tensor made in this scope that was not kept or persisted. */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("MemoryScope.close: the scope was opened on thread '" + thread.getName()
                    + "' and must be closed there, not on '" + Thread.currentThread().getName() + "'");
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("MemoryScope.close: a scope opened inside this one is still open; close scopes innermost first");
        }
        closed = true;
        CURRENT.set(parent);
        OPEN.decrementAndGet();
        for (Storage s = owned, next; s != null; s = next) {
            next = s.nextOwned;
            s.nextOwned = null;
            if (s.owner == this) s.release();
            else if (parent != null && s.owner == parent) parent.own(s); // kept
        }
        owned = null;
    }
}
