package org.rlgrad.engine.testing;

import java.util.List;

import org.junit.jupiter.api.DynamicTest;

/**
 * One row of a gradient-check table: the ops it covers (as {@code Class.method}, or
 * {@code Class.method(Type,...)} for an overloaded method; see {@code OpGradientCoverageTest}),
 * how many generated cases to try, and the property body.
 */
public record GradCase(String name, List<String> covers, int tries, Property.Body body) {
    public static final int DEFAULT_TRIES = 60;

    /** A case named after the single op it covers. */
    public static GradCase of(String covers, Property.Body body) {
        return new GradCase(covers, List.of(covers), DEFAULT_TRIES, body);
    }

    public static GradCase of(String name, List<String> covers, Property.Body body) {
        return new GradCase(name, covers, DEFAULT_TRIES, body);
    }

    public GradCase tries(int n) {
        return new GradCase(name, covers, n, body);
    }

    public DynamicTest toTest() {
        return DynamicTest.dynamicTest(name, () -> Property.forAll(name, tries, body));
    }
}
