package org.rlgrad.testsuite.conformance;

import java.util.Map;
import java.util.Optional;

/**
 * One family of reference vectors: the file it reads, the {@code format} that file declares, and
 * how to run one of its cases. The runner does everything else (reading and checking the file,
 * filtering by id, turning an exception into a failure, reporting), so a new family is one class
 * that implements this and one line in {@link Families#all()}.
 */
public interface Family {
    /** The name printed in the report, e.g. {@code ops}. */
    String name();

    /** The file in the vectors folder, e.g. {@code ops.json}. */
    String fileName();

    /** The value of the file's {@code format} field, e.g. {@code rlgrad-op-vectors}. */
    String format();

    /**
     * Runs one case and checks it against its expected values.
     *
     * @param header   the file's top-level fields other than {@code cases} (tolerances, signatures, ...)
     * @param testCase the case, as parsed by {@link org.rlgrad.engine.io.Json}
     * @return empty when the case passed, else the reason it failed (one line). A thrown
     *         exception also fails the case; a {@link MalformedCaseException} says the case itself
     *         does not follow the schema.
     */
    Optional<String> run(Map<String, Object> header, Map<String, Object> testCase);
}
