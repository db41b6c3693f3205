package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The rule for tests that need OpenCL: skip with a message outside CI, fail in CI. */
class ClTestDeviceTest {

    @Test
    void aMissingDeviceSkipsOutsideCiAndFailsInCi() {
        assertDoesNotThrow(() -> ClTestDevice.requireThat(true, "present", true));
        assertDoesNotThrow(() -> ClTestDevice.requireThat(true, "present", false));
        var skip = assertThrows(TestAbortedException.class, () -> ClTestDevice.requireThat(false, "no device", false));
        assertTrue(skip.getMessage().contains("no device") && skip.getMessage().contains("skipped outside CI"),
                skip.getMessage());
        var failure = assertThrows(AssertionFailedError.class, () -> ClTestDevice.requireThat(false, "no device", true));
        assertTrue(failure.getMessage().contains("no device") && failure.getMessage().contains("CI=true"),
                failure.getMessage());
    }
}
