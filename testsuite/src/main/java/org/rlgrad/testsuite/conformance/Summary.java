package org.rlgrad.testsuite.conformance;

import java.util.List;

/**
 * What a conformance run found: one entry per family whose file was present, in report order.
 *
 * @param families the per-family results
 */
public record Summary(List<Summary.FamilyResult> families) {
    public Summary {
        families = List.copyOf(families);
    }

    /** One failed case: its id and why it failed. */
    public record Failure(String id, String reason) {}

    /**
     * The result of one family.
     *
     * @param failures every failed case, in file order (the report lists only the first few)
     */
    public record FamilyResult(String name, int passed, List<Failure> failures) {
        public FamilyResult {
            failures = List.copyOf(failures);
        }

        public int failed() { return failures.size(); }
    }

    public int passed() { return families.stream().mapToInt(FamilyResult::passed).sum(); }

    public int failed() { return families.stream().mapToInt(FamilyResult::failed).sum(); }

    /** True when no case failed: the exit status is 0 exactly then. */
    public boolean allPassed() { return failed() == 0; }

    /** The result of the family with this name, or null when its file was absent. */
    public FamilyResult family(String name) {
        for (FamilyResult f : families) if (f.name().equals(name)) return f;
        return null;
    }
}
