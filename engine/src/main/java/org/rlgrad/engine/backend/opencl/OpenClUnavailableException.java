package org.rlgrad.engine.backend.opencl;

/**
 * No OpenCL to run on: the library could not be loaded, it has no platform (no vendor driver is
 * installed), or the device asked for does not exist. The message says what was looked for and
 * what was found, so that the user can install a driver (PoCL: {@code pocl-opencl-icd}) or pick
 * another device.
 */
public final class OpenClUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OpenClUnavailableException(String message) {
        super(message);
    }

    public OpenClUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
