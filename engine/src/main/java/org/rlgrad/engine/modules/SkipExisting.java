package org.rlgrad.engine.modules;

import org.rlgrad.engine.autograd.GradMode;

/**
 * The scoped skip-existing flag (spec engine.md 3.4; TorchRL's {@code set_skip_existing}): while
 * it is on, a TensorDict module whose out-keys are all present in its input, none of them being
 * also an in-key, returns the input unchanged instead of recomputing. Estimators turn it on so
 * that a value already computed by the caller is not computed twice. Off by default; per thread.
 */
public final class SkipExisting {
    private static final ThreadLocal<boolean[]> ON = ThreadLocal.withInitial(() -> new boolean[] {false});

    private SkipExisting() {}

    public static boolean isOn() {
        return ON.get()[0];
    }

    /** Sets the flag until the returned scope closes; closing restores the previous value. */
    public static GradMode.Scope set(boolean on) {
        boolean[] state = ON.get();
        boolean previous = state[0];
        state[0] = on;
        return () -> state[0] = previous;
    }
}
