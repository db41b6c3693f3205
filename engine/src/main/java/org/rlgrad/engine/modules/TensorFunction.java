package org.rlgrad.engine.modules;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.tensor.Tensor;

/**
 * What a {@link TensorDictModule} wraps: a function of tensors read from the in-keys. With a list
 * of in-keys the values come in {@code positional}, in order, and {@code named} is empty; with a
 * map from argument name to key they come in {@code named}. A missing in-key of a non-strict
 * module arrives as null.
 *
 * <p>It returns one {@link Tensor}, a {@link List} of tensors (one per out-key, in order), or a
 * {@link Map} from out-key (a String or a {@code Key}) to tensor that holds every out-key.
 */
@FunctionalInterface
public interface TensorFunction {
    Object apply(List<Tensor> positional, Map<String, Tensor> named);

    /** A function of exactly one positional tensor. */
    static TensorFunction of(UnaryOperator<Tensor> f) {
        return (positional, named) -> {
            requireArity("a one-argument function", 1, positional, named);
            return f.apply(positional.get(0));
        };
    }

    /** A function of exactly two positional tensors (e.g. observation and action of a Q-network). */
    static TensorFunction of(BiFunction<Tensor, Tensor, ?> f) {
        return (positional, named) -> {
            requireArity("a two-argument function", 2, positional, named);
            return f.apply(positional.get(0), positional.get(1));
        };
    }

    private static void requireArity(String what, int n, List<Tensor> positional, Map<String, Tensor> named) {
        if (positional.size() != n || !named.isEmpty()) {
            throw new IllegalArgumentException(what + " expects " + n + " positional tensor(s), got " + positional.size() + " positional"
                    + (named.isEmpty() ? "" : " and named " + named.keySet()));
        }
    }
}
