package org.rlgrad.testsuite.conformance;

/**
 * The vectors could not be run at all: a file that cannot be read or does not follow its schema,
 * or a folder that holds none of the known files. The message names the file or folder.
 */
public final class ConformanceException extends Exception {
    public ConformanceException(String message) {
        super(message);
    }

    public ConformanceException(String message, Throwable cause) {
        super(message, cause);
    }
}
