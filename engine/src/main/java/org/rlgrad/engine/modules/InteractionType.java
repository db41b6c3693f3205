package org.rlgrad.engine.modules;

import java.util.Arrays;
import java.util.Locale;

import org.rlgrad.engine.autograd.GradMode;

/**
 * How a probabilistic module turns its distribution into a value (spec engine.md 3.6; TorchRL's
 * {@code InteractionType}, alias {@code ExplorationType}): {@link #MODE}, {@link #MEDIAN},
 * {@link #MEAN}, {@link #RANDOM} or {@link #DETERMINISTIC} (see {@link InteractionSampling}).
 *
 * <p>The scoped setting ({@link #set}) defaults to <em>unset</em> ({@link #current()} is null):
 * a module then uses its own default. Every loss forward runs with it set to the loss's
 * deterministic sampling mode, and switches to RANDOM where it samples actions. It is per thread,
 * as the grad mode is, so that two losses evaluated on two threads do not see each other's mode.
 */
public enum InteractionType {
    MODE,
    MEDIAN,
    MEAN,
    RANDOM,
    DETERMINISTIC;

    private static final ThreadLocal<InteractionType[]> CURRENT = ThreadLocal.withInitial(() -> new InteractionType[1]);

    /** The type named {@code name}, in any case ("random", "Deterministic"); anything else is an error listing the names. */
    public static InteractionType parse(String name) {
        if (name != null) {
            for (InteractionType t : values()) if (t.name().equals(name.trim().toUpperCase(Locale.ROOT))) return t;
        }
        throw new IllegalArgumentException("InteractionType: expected one of " + Arrays.toString(values()) + " (any case), got "
                + (name == null ? "null" : "\"" + name + "\""));
    }

    /** The scoped setting on this thread, or null when unset (modules then use their default). */
    public static InteractionType current() {
        return CURRENT.get()[0];
    }

    /** {@link #current()}, or {@code fallback} when unset. */
    public static InteractionType currentOr(InteractionType fallback) {
        InteractionType t = current();
        return t == null ? fallback : t;
    }

    /**
     * Sets the interaction type until the returned scope closes (TorchRL's
     * {@code set_interaction_type}); null unsets it. Scopes nest; closing restores the previous value.
     */
    public static GradMode.Scope set(InteractionType type) {
        InteractionType[] state = CURRENT.get();
        InteractionType previous = state[0];
        state[0] = type;
        return () -> state[0] = previous;
    }

    /** {@link #set} with the type given by name (case-insensitive). */
    public static GradMode.Scope set(String type) {
        return set(parse(type));
    }
}
