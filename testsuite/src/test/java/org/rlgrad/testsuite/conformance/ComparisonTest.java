package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.io.Json;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

class ComparisonTest {
    private static final Tolerance TOL = Tolerance.FLOAT64_DEFAULT;

    private static Tensor decode(String json) {
        return VectorTensors.decode(Json.parse(json), "t");
    }

    @Test
    void decodesFloat64WithNonFiniteSpellings() {
        Tensor t = decode("{\"dtype\": \"float64\", \"shape\": [2, 2], \"data\": [1.5, \"Infinity\", \"-Infinity\", \"NaN\"]}");
        assertEquals(DType.FLOAT64, t.dtype());
        assertArrayEquals(new int[] {2, 2}, t.shape());
        double[] d = t.toDoubleArray();
        assertEquals(1.5, d[0]);
        assertEquals(Double.POSITIVE_INFINITY, d[1]);
        assertEquals(Double.NEGATIVE_INFINITY, d[2]);
        assertTrue(Double.isNaN(d[3]));
    }

    @Test
    void decodesInt64ExactlyAndBool() {
        Tensor i = decode("{\"dtype\": \"int64\", \"shape\": [2], \"data\": [9007199254740993, -3]}");
        assertEquals(DType.INT64, i.dtype());
        assertArrayEquals(new long[] {9007199254740993L, -3}, i.toLongArray());
        Tensor b = decode("{\"dtype\": \"bool\", \"shape\": [3], \"data\": [0, 1, 1]}");
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new boolean[] {false, true, true}, b.toBooleanArray());
    }

    @Test
    void decodesScalarsAndEmptyTensors() {
        assertEquals(2.0, decode("{\"dtype\": \"float64\", \"shape\": [], \"data\": [2.0]}").item());
        assertEquals(0, decode("{\"dtype\": \"float64\", \"shape\": [0, 3], \"data\": []}").numel());
    }

    @Test
    void malformedTensorsAreNamed() {
        MalformedCaseException e = assertThrows(MalformedCaseException.class,
                () -> decode("{\"dtype\": \"float64\", \"shape\": [2, 2], \"data\": [1, 2, 3]}"));
        assertTrue(e.getMessage().contains("3 values for shape [2, 2]"), e.getMessage());
        assertThrows(MalformedCaseException.class, () -> decode("{\"dtype\": \"int64\", \"shape\": [1], \"data\": [1.5]}"));
        assertThrows(MalformedCaseException.class, () -> decode("{\"dtype\": \"float32\", \"shape\": [1], \"data\": [1.5]}"));
        assertThrows(MalformedCaseException.class, () -> decode("{\"dtype\": \"float64\", \"shape\": [1], \"data\": [\"inf\"]}"));
        assertThrows(MalformedCaseException.class, () -> decode("{\"dtype\": \"bool\", \"shape\": [1], \"data\": [2]}"));
    }

    private static Tensor f64(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void aWrongNumberFails() {
        Optional<String> r = Comparison.compare("output 0", f64(1.0, 2.0, 3.0), f64(1.0, 2.0 + 1e-9, 3.0), TOL);
        assertTrue(r.isPresent(), "a difference of 1e-9 at 2.0 is beyond rtol 1e-10");
        assertTrue(r.get().startsWith("output 0: 1 of 3 value differs"), r.get());
        assertTrue(r.get().contains("at [1]"), r.get());
    }

    @Test
    void valuesWithinToleranceAndSignedZerosPass() {
        assertEquals(Optional.empty(), Comparison.compare("x", f64(1.0 + 5e-11, -0.0, 1e-13), f64(1.0, 0.0, 0.0), TOL));
    }

    @Test
    void nonFiniteExpectedValuesMustMatchExactly() {
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        assertEquals(Optional.empty(), Comparison.compare("x", f64(inf, -inf, nan), f64(inf, -inf, nan), TOL));
        assertTrue(Comparison.compare("x", f64(-inf), f64(inf), TOL).isPresent());
        assertTrue(Comparison.compare("x", f64(1e308), f64(inf), TOL).isPresent());
        assertTrue(Comparison.compare("x", f64(0.0), f64(nan), TOL).isPresent());
        assertTrue(Comparison.compare("x", f64(nan), f64(0.0), TOL).isPresent(), "a NaN never passes for a finite value");
        assertTrue(Comparison.compare("x", f64(inf), f64(1.0), TOL).isPresent());
    }

    @Test
    void shapesAndDtypesMustMatch() {
        assertTrue(Comparison.compare("x", f64(1, 2), Tensor.of(DType.FLOAT64, new double[] {1, 2}, 1, 2), TOL).get().contains("shape [2], expected [1, 2]"));
        assertTrue(Comparison.compare("x", Tensor.of(new double[] {1}, 1), f64(1), TOL).get().contains("dtype float32, expected float64"));
        assertTrue(Comparison.compare("x", f64(1, 2), Tensor.of(new long[] {1, 2}, 2), TOL).isPresent());
    }

    @Test
    void integersAndBooleansCompareExactly() {
        assertEquals(Optional.empty(), Comparison.compare("i", Tensor.of(new long[] {9007199254740993L}, 1), Tensor.of(new long[] {9007199254740993L}, 1), TOL));
        assertTrue(Comparison.compare("i", Tensor.of(new long[] {9007199254740992L}, 1), Tensor.of(new long[] {9007199254740993L}, 1), TOL).isPresent());
        assertTrue(Comparison.compare("b", Tensor.of(new boolean[] {true}, 1), Tensor.of(new boolean[] {false}, 1), TOL).isPresent());
    }
}
