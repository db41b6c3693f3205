package org.rlgrad.engine.tensordict;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * A TensorDict key: a non-empty path of non-empty names (spec engine.md section 2.1). The plain
 * string key {@code "reward"} is the one-part key {@code Key.of("reward")}; a nested key such as
 * {@code ("next", "reward")} is {@code Key.of("next", "reward")}.
 *
 * <p>Keys are built already normalised ("unravelled"), so that equal paths are equal keys however
 * they were written: nested parts are flattened ({@code Key.of("a", Key.of("b", "c"))} equals
 * {@code Key.of("a", "b", "c")}), and a one-element tuple is the plain string. The reference
 * compares keys only after this normalisation; doing it once at construction means every map
 * lookup and equality test is a plain list comparison.
 */
public final class Key {
    private final List<String> parts;

    private Key(List<String> parts) {
        this.parts = parts;
    }

    /**
     * The key of a path. Each part is a {@code String}, a {@code Key}, or an array or collection of
     * those (a nested tuple); all are flattened in order.
     */
    public static Key of(Object... parts) {
        if (parts == null) throw new IllegalArgumentException("Key.of: expected a string, a Key or a nested tuple of them, got null");
        List<String> out = new ArrayList<>();
        for (Object p : parts) flatten(p, out);
        if (out.isEmpty()) throw new IllegalArgumentException("Key.of: expected at least one name, got an empty path");
        return new Key(Collections.unmodifiableList(out));
    }

    /** The key of a list of names (as {@link #parts()} gives them). */
    public static Key of(List<String> names) {
        return of((Object) names);
    }

    private static void flatten(Object p, List<String> out) {
        switch (p) {
            case String s -> {
                if (s.isEmpty()) throw new IllegalArgumentException("Key.of: expected non-empty names, got an empty string");
                out.add(s);
            }
            case Key k -> out.addAll(k.parts);
            case Object[] a -> {
                for (Object q : a) flatten(q, out);
            }
            case Collection<?> c -> {
                for (Object q : c) flatten(q, out);
            }
            case null -> throw new IllegalArgumentException("Key.of: expected a string, a Key or a nested tuple of them, got null");
            default -> throw new IllegalArgumentException("Key.of: expected a string, a Key or a nested tuple of them, got "
                    + p.getClass().getSimpleName() + " " + p);
        }
    }

    /** Splits a joined key: {@code parse("next.reward", ".")} is {@code ("next", "reward")}. */
    public static Key parse(String joined, String separator) {
        if (separator == null || separator.isEmpty()) throw new IllegalArgumentException("Key.parse: expected a non-empty separator, got \"" + separator + "\"");
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = joined.indexOf(separator, from);
            out.add(joined.substring(from, at < 0 ? joined.length() : at));
            if (at < 0) break;
            from = at + separator.length();
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("Key.parse: \"" + joined + "\" split on \"" + separator + "\" has an empty name");
            }
        }
        return new Key(Collections.unmodifiableList(out));
    }

    /** The names along the path, outermost first. */
    public List<String> parts() { return parts; }

    public int size() { return parts.size(); }

    public boolean isNested() { return parts.size() > 1; }

    public String first() { return parts.get(0); }

    public String last() { return parts.get(parts.size() - 1); }

    /** The path without its last name; null for a one-part key (its parent is the dict itself). */
    public Key parent() {
        return parts.size() == 1 ? null : new Key(parts.subList(0, parts.size() - 1));
    }

    /** The path without its first name; null for a one-part key. */
    public Key rest() {
        return parts.size() == 1 ? null : new Key(parts.subList(1, parts.size()));
    }

    /** This path followed by {@code more} (names, keys or nested tuples). */
    public Key append(Object... more) {
        return of(this, more);
    }

    /** {@code ("next", k...)}: the key as it sits under {@code prefix}. */
    public Key prepend(Object prefix) {
        return of(prefix, this);
    }

    /** Whether this path begins with every name of {@code prefix}. */
    public boolean startsWith(Key prefix) {
        return prefix.parts.size() <= parts.size() && parts.subList(0, prefix.parts.size()).equals(prefix.parts);
    }

    /** This key with its last name changed by appending {@code suffix} ({@code "action"} to {@code "action_log_prob"}). */
    public Key withLastSuffix(String suffix) {
        List<String> p = new ArrayList<>(parts);
        p.set(p.size() - 1, last() + suffix);
        return new Key(Collections.unmodifiableList(p));
    }

    /** The keyword form of spec section 2.10: parts joined by {@code _} ({@code ("next", "reward")} to {@code next_reward}). */
    public String keyword() {
        return join("_");
    }

    public String join(String separator) {
        return String.join(separator, parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && k.parts.equals(parts);
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    /** {@code "reward"} for a plain key, {@code ("next", "reward")} for a nested one: the reference's spelling. */
    @Override
    public String toString() {
        if (parts.size() == 1) return "\"" + parts.get(0) + "\"";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < parts.size(); i++) sb.append(i == 0 ? "" : ", ").append('"').append(parts.get(i)).append('"');
        return sb.append(')').toString();
    }
}
