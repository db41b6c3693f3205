package org.rlgrad.engine.autograd;

/**
 * Debugging aid: while on, every recorded op remembers where it was created, and backward checks
 * each gradient it computes; a NaN or infinity becomes an {@link AnomalyException} naming the op
 * and its creation site. Costs a stack trace per op and a scan per gradient, so it is off by
 * default.
 */
public final class AnomalyMode {
    private static volatile boolean enabled;

    private AnomalyMode() {}

    public static boolean isEnabled() {
        return enabled;
    }

    /** Turns anomaly detection on for a scope; closing restores the previous setting. */
    public static GradMode.Scope enable() {
        boolean previous = enabled;
        enabled = true;
        return () -> enabled = previous;
    }

    /** Thrown when backward produces a non-finite gradient while anomaly mode is on. */
    public static final class AnomalyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AnomalyException(String message) {
            super(message);
        }
    }
}
