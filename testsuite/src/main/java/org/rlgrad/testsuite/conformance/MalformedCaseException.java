package org.rlgrad.testsuite.conformance;

/**
 * A case that does not follow its file's schema (a tensor with the wrong number of values, a
 * missing field, an attribute of the wrong type). The runner reports it as a failed case whose
 * reason starts with "malformed case:", so one bad line never hides the others.
 */
public final class MalformedCaseException extends RuntimeException {
    public MalformedCaseException(String message) {
        super(message);
    }
}
