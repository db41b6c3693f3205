package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Loading the library, and what a missing library or a missing platform reports. */
class ClLibraryTest {
    private static final String MISSING = "libOpenCL-rlgrad-test-missing.so.9";

    @Test
    void aMissingLibraryIsAClearExceptionNamingWhatWasLookedFor() {
        var e = assertThrows(OpenClUnavailableException.class, () -> ClLibrary.load(List.of(MISSING)));
        assertTrue(e.getMessage().startsWith("no OpenCL library found: looked for " + MISSING), e.getMessage());
        assertTrue(e.getMessage().contains("found none"), e.getMessage());
        assertTrue(e.getMessage().contains("pocl-opencl-icd"), e.getMessage());
    }

    @Test
    void discoveryWithoutALibraryFindsNothingAndSaysWhy() {
        OpenClDevices found = OpenClDevices.discover(List.of(MISSING));
        assertFalse(found.isAvailable());
        assertTrue(found.platforms().isEmpty());
        assertTrue(found.describe().startsWith("OpenCL: no OpenCL library found"), found.describe());
        assertTrue(found.describe().contains(MISSING), found.describe());
        var e = assertThrows(OpenClUnavailableException.class, () -> found.device(0));
        assertTrue(e.getMessage().startsWith("no OpenCL device 0 (expected an index in [0, 0))"), e.getMessage());
        assertTrue(e.getMessage().contains(MISSING), e.getMessage());
    }

    @Test
    void aLibraryThatIsNotOpenClIsRefusedNamingTheMissingFunctions() {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
                "libc.so.6 is a Linux library");
        var e = assertThrows(OpenClUnavailableException.class, () -> ClLibrary.load(List.of("libc.so.6")));
        assertTrue(e.getMessage().contains("libc.so.6 lacks the OpenCL 1.2 functions [clGetPlatformIDs"), e.getMessage());
    }

    @Test
    void theDefaultNamesPutTheConfiguredLibraryFirst() {
        String before = System.getProperty(ClLibrary.LIBRARY_PROPERTY);
        try {
            System.setProperty(ClLibrary.LIBRARY_PROPERTY, "/opt/custom/libOpenCL.so");
            assertEquals("/opt/custom/libOpenCL.so", ClLibrary.defaultNames().getFirst());
            assertTrue(ClLibrary.defaultNames().size() >= 2);
        } finally {
            if (before == null) {
                System.clearProperty(ClLibrary.LIBRARY_PROPERTY);
            } else {
                System.setProperty(ClLibrary.LIBRARY_PROPERTY, before);
            }
        }
    }

    /**
     * A loader with no driver: a child JVM whose ICD loader reads an empty vendor directory
     * ({@code OCL_ICD_VENDORS}, ocl-icd's override) finds no platform and says so, without a crash.
     */
    @Test
    void aLoaderWithNoPlatformReportsNoPlatformsInsteadOfFailing() throws IOException, InterruptedException {
        ClTestDevice.requirePocl(); // the ICD loader this relies on is the one CI installs with PoCL
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ClNoPlatformProbe.class.getName());
        pb.environment().put("OCL_ICD_VENDORS", "/nonexistent/rlgrad-no-vendors");
        pb.environment().remove("OCL_ICD_FILENAMES");
        pb.redirectErrorStream(true);
        Process process = pb.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("): no platforms (no OpenCL driver is installed"), out);
        assertTrue(out.contains("no OpenCL device 0 (expected an index in [0, 0))"), out);
        assertTrue(out.contains("-Drlgrad.device=opencl:0 names no usable device: no OpenCL device 0"), out);
    }
}
