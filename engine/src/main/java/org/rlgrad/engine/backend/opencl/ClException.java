package org.rlgrad.engine.backend.opencl;

/**
 * An OpenCL call returned an error code: the message names the call and the code's name, e.g.
 * {@code clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)}, followed by what the caller knew
 * (the kernel and argument, the sizes asked for, a program's build log).
 */
public final class ClException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;

    public ClException(String call, int code, String detail) {
        super(call + " failed: " + ClErrorCodes.describe(code)
                + (detail == null || detail.isEmpty() ? "" : "; " + detail));
        this.call = call;
        this.code = code;
    }

    /** The OpenCL function that failed, e.g. {@code clBuildProgram}. */
    public String call() {
        return call;
    }

    /** The error code it returned, e.g. -11. */
    public int code() {
        return code;
    }

    /** The code's name, e.g. {@code CL_BUILD_PROGRAM_FAILURE}. */
    public String codeName() {
        return ClErrorCodes.name(code);
    }
}
