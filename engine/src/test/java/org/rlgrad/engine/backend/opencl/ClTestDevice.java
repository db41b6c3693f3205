package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need OpenCL: without a device they are skipped with a message that
 * says what was found, except in CI ({@code CI=true}), where a missing OpenCL is a failure, since
 * CI installs PoCL and the tests must run there for real.
 */
final class ClTestDevice {
    private ClTestDevice() {}

    /** The first OpenCL device (on CI machines: PoCL's CPU device), or a skip or a failure. */
    static ClDevice require() {
        OpenClDevices found = OpenClDevices.system();
        requireThat(found.isAvailable(), "no OpenCL device: " + found.describe());
        return found.device(0);
    }

    /** PoCL's platform, which CI installs; a machine with only another vendor's driver skips. */
    static ClPlatform requirePocl() {
        require();
        OpenClDevices found = OpenClDevices.system();
        var pocl = found.platforms().stream().filter(ClTestDevice::isPocl).findFirst();
        requireThat(pocl.isPresent(), "no PoCL platform: " + found.describe());
        return pocl.orElseThrow();
    }

    static boolean isPocl(ClPlatform p) {
        // PoCL's CL_PLATFORM_NAME is "Portable Computing Language"; its version says "PoCL".
        return p.name().contains("Portable Computing Language") || p.version().contains("PoCL");
    }

    /** Skips with the message when {@code present} is false, or fails when {@code CI=true}. */
    static void requireThat(boolean present, String message) {
        requireThat(present, message, "true".equalsIgnoreCase(System.getenv("CI")));
    }

    static void requireThat(boolean present, String message, boolean inCi) {
        if (present) {
            return;
        }
        if (inCi) {
            fail(message + " (CI=true: CI installs PoCL, so the OpenCL tests must run)");
        }
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }
}
