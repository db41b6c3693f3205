package org.rlgrad.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void objectsKeepKeyOrderAndNestArrays() {
        Object v = Json.parse("{\"b\": [1, [2.5, [\"x\", null]], true], \"a\": {\"c\": false}, \"z\": []}");
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("b", "a", "z"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, List.of(2.5, java.util.Arrays.asList("x", null)), true), m.get("b"));
        assertEquals(Map.of("c", false), m.get("a"));
        assertEquals(List.of(), m.get("z"));
    }

    @Test
    void integersStayExactLongsAndOtherNumbersAreDoubles() {
        List<?> l = (List<?>) Json.parse("[9007199254740993, -9223372036854775808, 0, -0, 1.0, 1e2, -0.0, 2.5E-3, 0.1]");
        assertEquals(9007199254740993L, l.get(0)); // 2^53 + 1: a double would round it to 2^53
        assertEquals(Long.MIN_VALUE, l.get(1));
        assertEquals(0L, l.get(2));
        assertEquals(0L, l.get(3));
        assertEquals(1.0, l.get(4));
        assertEquals(100.0, l.get(5));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) l.get(6)));
        assertEquals(2.5e-3, l.get(7));
        assertEquals(0.1, l.get(8));
    }

    @Test
    void integersBeyondTheLongRangeBecomeDoubles() {
        assertEquals(1e20, Json.parse("100000000000000000000"));
    }

    @Test
    void shortestDecimalsReadBackToTheSameDouble() {
        double x = 0.1 + 0.2; // 0.30000000000000004
        assertEquals(x, Json.parse(Double.toString(x)));
    }

    @Test
    void nonFiniteSpellingsAreOrdinaryStrings() {
        assertEquals(List.of("Infinity", "-Infinity", "NaN"), Json.parse("[\"Infinity\", \"-Infinity\", \"NaN\"]"));
    }

    @Test
    void stringEscapes() {
        assertEquals("a\"b\\c/d\b\f\n\r\t\u00e9\ud83d\ude00", Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""));
    }

    @Test
    void literals() {
        assertEquals(Boolean.TRUE, Json.parse(" true "));
        assertEquals(Boolean.FALSE, Json.parse("false"));
        assertNull(Json.parse("null"));
    }

    @Test
    void malformedInputSaysWhereAndWhat() {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("{\n  \"a\": [1, 2,],\n}"));
        assertEquals(2, e.line());
        assertEquals(14, e.column());
        assertTrue(e.getMessage().startsWith("line 2, column 14: expected a value"), e.getMessage());
    }

    @Test
    void strictnessRejectsWhatJsonDoesNotAllow() {
        for (String bad : new String[] {
                "", "[NaN]", "[Infinity]", "[-Infinity]", "[01]", "[+1]", "[1.]", "[.5]", "[1e]", "{\"a\" 1}", "{a: 1}",
                "[1] x", "[1,]", "{\"a\": 1,}", "\"unterminated", "\"tab\tinside\"", "\"bad \\x escape\"", "[tru]",
                "{\"a\": 1, \"a\": 2}", "// comment\n1", "'single'", "[1 2]"}) {
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(bad), () -> "accepted: " + bad);
            assertTrue(e.getMessage().matches("line \\d+, column \\d+: .+"), e.getMessage());
        }
    }

    @Test
    void duplicateKeyIsNamed() {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("{\"id\": 1, \"id\": 2}"));
        assertTrue(e.getMessage().contains("duplicate key \"id\""), e.getMessage());
    }
}
