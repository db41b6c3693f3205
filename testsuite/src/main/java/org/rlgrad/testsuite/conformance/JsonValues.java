package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

/** Typed access to parsed JSON ({@link org.rlgrad.engine.io.Json}) with errors that name the field and say what came. */
final class JsonValues {
    private JsonValues() {}

    /** The object {@code json}, or a {@link MalformedCaseException} naming {@code what}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object json, String what) {
        if (json instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new MalformedCaseException(what + ": expected an object, got " + describe(json));
    }

    /** The object {@code json}, an empty map when it is absent (null). */
    static Map<String, Object> objectOrEmpty(Object json, String what) {
        return json == null ? Map.of() : object(json, what);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object json, String what) {
        if (json instanceof List<?> l) return (List<Object>) l;
        throw new MalformedCaseException(what + ": expected a list, got " + describe(json));
    }

    static String string(Object json, String what) {
        if (json instanceof String s) return s;
        throw new MalformedCaseException(what + ": expected a string, got " + describe(json));
    }

    static double number(Object json, String what) {
        if (json instanceof Long l) return l;
        if (json instanceof Double d) return d;
        throw new MalformedCaseException(what + ": expected a number, got " + describe(json));
    }

    static int integer(Object json, String what) {
        if (json instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) (long) l;
        throw new MalformedCaseException(what + ": expected an integer, got " + describe(json));
    }

    static boolean bool(Object json, String what) {
        if (json instanceof Boolean b) return b;
        throw new MalformedCaseException(what + ": expected true or false, got " + describe(json));
    }

    /** A short description of a JSON value for error messages. */
    static String describe(Object json) {
        if (json == null) return "null (or nothing)";
        if (json instanceof String s) return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        if (json instanceof Map<?, ?> m) return "an object with keys " + m.keySet();
        if (json instanceof List<?> l) return "a list of " + l.size();
        if (json instanceof Boolean b) return b.toString();
        return "the number " + json;
    }
}
