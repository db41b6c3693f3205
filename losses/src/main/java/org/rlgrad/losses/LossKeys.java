package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.tensordict.Key;

/**
 * The configurable key names of a loss (spec losses.md §1.2): a fixed, ordered set of names, each
 * with a default key. {@link #set} changes some of them at once; an unknown name is an error that
 * names it and the known names, and nothing changes then; a null value restores the default.
 */
public final class LossKeys {
    private final String owner;
    private final LinkedHashMap<String, Key> defaults;
    private final LinkedHashMap<String, Key> current;

    /** {@code defaults}: name -> default key (a String, a {@link Key} or a list of parts). */
    public LossKeys(String owner, Map<String, ?> defaults) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.defaults = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : defaults.entrySet()) this.defaults.put(e.getKey(), toKey(e.getValue()));
        this.current = new LinkedHashMap<>(this.defaults);
    }

    /** The names, in declaration order. */
    public List<String> names() {
        return List.copyOf(defaults.keySet());
    }

    /** The current key of {@code name}; an unknown name is an error. */
    public Key get(String name) {
        Key k = current.get(name);
        if (k == null) throw unknown(name);
        return k;
    }

    /** The default key of {@code name}. */
    public Key defaultOf(String name) {
        Key k = defaults.get(name);
        if (k == null) throw unknown(name);
        return k;
    }

    /**
     * Sets the given names (values: a String, a {@link Key}, a list of parts, or null for the
     * default); returns the names changed. Validates every name before changing any.
     */
    public List<String> set(Map<String, ?> updates) {
        for (String name : updates.keySet()) if (!defaults.containsKey(name)) throw unknown(name);
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, ?> e : updates.entrySet()) {
            current.put(e.getKey(), e.getValue() == null ? defaults.get(e.getKey()) : toKey(e.getValue()));
            changed.add(e.getKey());
        }
        return changed;
    }

    /** A snapshot of every name and its current key. */
    public Map<String, Key> asMap() {
        return new LinkedHashMap<>(current);
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException(owner + ".setKeys: unknown key name '" + name + "'; expected one of " + defaults.keySet());
    }

    static Key toKey(Object value) {
        return switch (value) {
            case Key k -> k;
            case String s -> Key.of(s);
            case List<?> parts -> Key.of(parts.toArray());
            case null -> throw new IllegalArgumentException("key: expected a String, a Key or a list of parts, got null");
            default -> throw new IllegalArgumentException("key: expected a String, a Key or a list of parts, got "
                    + value.getClass().getSimpleName() + " " + value);
        };
    }

    @Override
    public String toString() {
        return current.toString();
    }
}
