package org.rlgrad.engine.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rlgrad.engine.ops.Arithmetic;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.ops.Indexing;
import org.rlgrad.engine.ops.Joining;
import org.rlgrad.engine.ops.LinearAlgebra;
import org.rlgrad.engine.ops.Pointwise;
import org.rlgrad.engine.ops.Reductions;
import org.rlgrad.engine.ops.SafeTanh;
import org.rlgrad.engine.ops.Scans;
import org.rlgrad.engine.ops.Views;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;

/**
 * Every public op of the engine, found by reflection, for the tests that require each op to have
 * something (a gradient check, a batching rule): public static methods of the op classes that
 * return a Tensor, a List of them or a ValuesAndIndices. An op is named {@code Class.method}; an
 * overloaded method is named with its parameter types, {@code Class.method(Type,...)}, so that
 * each overload is accounted for.
 */
public final class OpCatalog {
    public static final List<Class<?>> OP_CLASSES = List.of(Pointwise.class, Arithmetic.class, Reductions.class, Scans.class,
            Views.class, Joining.class, Indexing.class, LinearAlgebra.class, Functional.class, SafeTanh.class);

    private OpCatalog() {}

    /** The ops, keyed by name, in name order. */
    public static Map<String, Method> ops() {
        Map<String, Method> out = new TreeMap<>();
        for (Class<?> c : OP_CLASSES) {
            List<Method> methods = new ArrayList<>();
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers())) continue;
                Class<?> r = m.getReturnType();
                if (r == Tensor.class || r == List.class || r == ValuesAndIndices.class) methods.add(m);
            }
            for (Method m : methods) {
                long overloads = methods.stream().filter(o -> o.getName().equals(m.getName())).count();
                out.put(key(m, overloads > 1), m);
            }
        }
        return out;
    }

    public static String key(Method m, boolean withSignature) {
        String name = m.getDeclaringClass().getSimpleName() + "." + m.getName();
        if (!withSignature) return name;
        StringBuilder sb = new StringBuilder(name).append('(');
        Class<?>[] p = m.getParameterTypes();
        for (int i = 0; i < p.length; i++) sb.append(i == 0 ? "" : ",").append(p[i].getSimpleName());
        return sb.append(')').toString();
    }
}
