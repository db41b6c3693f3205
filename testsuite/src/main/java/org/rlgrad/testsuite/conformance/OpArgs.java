package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.Tensor;

/**
 * The arguments of one {@code ops.json} case as the op table reads them: tensor inputs by their
 * PyTorch parameter name (in order) and the non-tensor {@code attrs}, where an attribute that is
 * {@code null} counts as not given. A required argument that is missing, or one of the wrong type,
 * is a {@link MalformedCaseException} naming it.
 */
final class OpArgs {
    private final String op;
    private final Map<String, Tensor> inputs;
    private final Map<String, Object> attrs;

    OpArgs(String op, LinkedHashMap<String, Tensor> inputs, Map<String, Object> attrs) {
        this.op = op;
        this.inputs = inputs;
        this.attrs = attrs;
    }

    String op() { return op; }

    /** The tensor input {@code name}; it must be present. */
    Tensor in(String name) {
        Tensor t = inputs.get(name);
        if (t == null) throw new MalformedCaseException(op + ": missing tensor input '" + name + "' (inputs: " + inputs.keySet() + ")");
        return t;
    }

    /** The tensor input {@code name}, or null when the case does not pass it. */
    Tensor optIn(String name) { return inputs.get(name); }

    boolean hasIn(String name) { return inputs.containsKey(name); }

    /** All tensor inputs in the case's order (cat and stack take them as the list). */
    List<Tensor> inputList() { return new ArrayList<>(inputs.values()); }

    /** Whether attribute {@code name} is given (present and not null). */
    boolean has(String name) { return attrs.get(name) != null; }

    private Object required(String name) {
        Object v = attrs.get(name);
        if (v == null) throw new MalformedCaseException(op + ": missing attribute '" + name + "' (attrs: " + attrs.keySet() + ")");
        return v;
    }

    double num(String name) { return JsonValues.number(required(name), "attrs." + name); }

    double num(String name, double fallback) { return has(name) ? num(name) : fallback; }

    int integer(String name) { return JsonValues.integer(required(name), "attrs." + name); }

    int integer(String name, int fallback) { return has(name) ? integer(name) : fallback; }

    /** An optional integer (Python slice bounds): null when not given. */
    Integer optInteger(String name) { return has(name) ? integer(name) : null; }

    boolean bool(String name, boolean fallback) { return has(name) ? JsonValues.bool(attrs.get(name), "attrs." + name) : fallback; }

    String str(String name, String fallback) { return has(name) ? JsonValues.string(attrs.get(name), "attrs." + name) : fallback; }

    /** The raw attribute value (for attributes that take several forms, such as split's int-or-list). */
    Object raw(String name) { return attrs.get(name); }

    /** A list of integers; a single integer is read as a one-element list (PyTorch accepts both). */
    int[] ints(String name) {
        return intsOf(required(name), "attrs." + name);
    }

    /** A dim argument that may be an int, a list of ints, or absent/null (then null: all dims). */
    int[] dimsOrAll(String name) {
        return has(name) ? ints(name) : null;
    }

    static int[] intsOf(Object v, String what) {
        if (v instanceof Long) return new int[] {JsonValues.integer(v, what)};
        List<Object> list = JsonValues.list(v, what);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = JsonValues.integer(list.get(i), what + "[" + i + "]");
        return out;
    }
}
