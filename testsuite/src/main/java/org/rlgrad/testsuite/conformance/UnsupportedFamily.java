package org.rlgrad.testsuite.conformance;

import java.util.Map;
import java.util.Optional;

/**
 * A family whose feature is not built yet: the runner still reads and checks its file and counts
 * its cases, and every case fails with {@code unsupported: <why>}, so the report shows how much
 * is left rather than hiding it. The issue that brings the feature replaces this entry in
 * {@link Families#all()} with the real family.
 *
 * @param detailField a case field whose value is appended to the reason, e.g. {@code function}
 *                    ("unsupported: value estimators arrive with issue 7 (td0_return_estimate)"),
 *                    or null
 */
public record UnsupportedFamily(String name, String fileName, String format, String why, String detailField) implements Family {
    @Override
    public Optional<String> run(Map<String, Object> header, Map<String, Object> testCase) {
        Object detail = detailField == null ? null : testCase.get(detailField);
        return Optional.of("unsupported: " + why + (detail instanceof String s ? " (" + s + ")" : ""));
    }
}
