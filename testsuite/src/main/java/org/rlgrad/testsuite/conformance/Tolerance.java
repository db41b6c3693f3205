package org.rlgrad.testsuite.conformance;

import java.util.Map;

/**
 * A float comparison tolerance: {@code |got - expected| <= atol + rtol |expected|}.
 *
 * @param rtol relative tolerance
 * @param atol absolute tolerance
 */
public record Tolerance(double rtol, double atol) {
    /** The FORMAT's float64 default (every case carries its own, which wins). */
    public static final Tolerance FLOAT64_DEFAULT = new Tolerance(1e-10, 1e-12);

    public Tolerance {
        if (!(rtol >= 0) || !(atol >= 0)) throw new IllegalArgumentException("tolerance: rtol and atol must be non-negative, got " + rtol + ", " + atol);
    }

    /** Reads {@code {"rtol", "atol"}}; {@code fallback} when the object is absent. */
    static Tolerance read(Object json, String what, Tolerance fallback) {
        if (json == null) return fallback;
        Map<String, Object> m = JsonValues.object(json, what);
        return new Tolerance(JsonValues.number(m.get("rtol"), what + ".rtol"), JsonValues.number(m.get("atol"), what + ".atol"));
    }

    /** The case's own tolerance, else the header's {@code default_tolerance.float64}, else the FORMAT's. */
    static Tolerance forCase(Map<String, Object> header, Map<String, Object> testCase) {
        Tolerance fallback = FLOAT64_DEFAULT;
        if (header.get("default_tolerance") instanceof Map<?, ?> defaults && defaults.get("float64") != null) {
            fallback = read(defaults.get("float64"), "default_tolerance.float64", FLOAT64_DEFAULT);
        }
        return read(testCase.get("tolerance"), "tolerance", fallback);
    }
}
