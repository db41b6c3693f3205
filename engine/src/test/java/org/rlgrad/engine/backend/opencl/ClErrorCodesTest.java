package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;

import org.junit.jupiter.api.Test;

/** The error-name table against the Khronos header's values, and the message every failure carries. */
class ClErrorCodesTest {

    @Test
    void everyCodeOpenCl12DefinesHasItsOwnName() {
        int named = 0;
        var names = new HashSet<String>();
        for (int code = -1; code >= -72; code--) {
            boolean defined = code >= -19 || code <= -30; // -20 to -29 are unassigned
            String name = ClErrorCodes.name(code);
            if (defined) {
                assertTrue(name.startsWith("CL_") && !name.equals("CL_UNKNOWN_ERROR"), code + " -> " + name);
                assertTrue(names.add(name), "two codes share the name " + name);
                named++;
            } else {
                assertEquals("CL_UNKNOWN_ERROR", name, "code " + code + " is unassigned");
            }
        }
        // 19 codes from -1 to -19, 39 from -30 to -68 (OpenCL 1.2), 4 from -69 to -72 (2.0, 2.2).
        assertEquals(19 + 39 + 4, named);
    }

    @Test
    void namesMatchTheSpecificationsValues() {
        assertEquals("CL_SUCCESS", ClErrorCodes.name(0));
        assertEquals("CL_DEVICE_NOT_FOUND", ClErrorCodes.name(-1));
        assertEquals("CL_OUT_OF_RESOURCES", ClErrorCodes.name(-5));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", ClErrorCodes.name(-11));
        assertEquals("CL_KERNEL_ARG_INFO_NOT_AVAILABLE", ClErrorCodes.name(-19));
        assertEquals("CL_INVALID_VALUE", ClErrorCodes.name(-30));
        assertEquals("CL_INVALID_KERNEL_NAME", ClErrorCodes.name(-46));
        assertEquals("CL_INVALID_ARG_SIZE", ClErrorCodes.name(-51));
        assertEquals("CL_INVALID_KERNEL_ARGS", ClErrorCodes.name(-52));
        assertEquals("CL_INVALID_WORK_GROUP_SIZE", ClErrorCodes.name(-54));
        assertEquals("CL_INVALID_GLOBAL_WORK_SIZE", ClErrorCodes.name(-63));
        assertEquals("CL_INVALID_DEVICE_PARTITION_COUNT", ClErrorCodes.name(-68));
        assertEquals("CL_MAX_SIZE_RESTRICTION_EXCEEDED", ClErrorCodes.name(-72));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", ClErrorCodes.name(-1001));
        assertEquals("CL_UNKNOWN_ERROR", ClErrorCodes.name(-9999));
        assertNotEquals(ClErrorCodes.name(-30), ClErrorCodes.name(-31));
    }

    @Test
    void aFailureNamesTheCallTheCodesNameAndTheCode() {
        var e = new ClException("clBuildProgram", -11, null);
        assertEquals("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)", e.getMessage());
        assertEquals("clBuildProgram", e.call());
        assertEquals(-11, e.code());
        assertEquals("CL_BUILD_PROGRAM_FAILURE", e.codeName());
        var withDetail = new ClException("clCreateBuffer", -61, "0 bytes");
        assertEquals("clCreateBuffer failed: CL_INVALID_BUFFER_SIZE (-61); 0 bytes", withDetail.getMessage());
    }
}
