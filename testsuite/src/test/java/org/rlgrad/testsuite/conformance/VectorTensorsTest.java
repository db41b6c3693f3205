package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.io.Json;

/** The vectors spell non-finite floats as the strings "Infinity", "-Infinity" and "NaN" (strict JSON has no such numbers). */
class VectorTensorsTest {
    @Test
    void nonFiniteSpellingsBecomeNonFiniteFloats() {
        List<?> l = (List<?>) Json.parse("[\"Infinity\", \"-Infinity\", \"NaN\"]");
        double[] d = new double[3];
        for (int i = 0; i < 3; i++) d[i] = VectorTensors.floatValue(l.get(i), "x", i);
        assertEquals(Double.POSITIVE_INFINITY, d[0]);
        assertEquals(Double.NEGATIVE_INFINITY, d[1]);
        assertTrue(Double.isNaN(d[2]));
    }
}
