package org.rlgrad.engine.autograd;

/**
 * Whether ops record history, per thread. Scopes nest and restore the previous state on close:
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *     ... // nothing recorded here
 * }
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope in which recording is off. */
    public static Scope noGrad() {
        return setEnabled(false);
    }

    /** A scope in which recording is on, even inside a no-grad scope. */
    public static Scope enableGrad() {
        return setEnabled(true);
    }

    /** A scope with recording set to {@code enabled}; closing it restores the previous setting. */
    public static Scope setEnabled(boolean enabled) {
        boolean[] state = ENABLED.get();
        boolean previous = state[0];
        state[0] = enabled;
        return () -> state[0] = previous;
    }

    /** A try-with-resources scope whose close cannot fail. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
