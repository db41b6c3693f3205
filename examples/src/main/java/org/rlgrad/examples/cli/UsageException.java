package org.rlgrad.examples.cli;

/** Arguments the command line cannot run: the message says what was wrong; the caller prints it with the usage text and exits with 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
