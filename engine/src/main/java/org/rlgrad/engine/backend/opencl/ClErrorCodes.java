package org.rlgrad.engine.backend.opencl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names of OpenCL's error codes, so that a failed call reads
 * {@code clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)} instead of a bare number.
 *
 * <p>The values are those of the Khronos header {@code CL/cl.h}: -1 to -19 and -30 to -68 are
 * OpenCL 1.2's, -69 to -72 came with OpenCL 2.0 and 2.2 (a 3.0 driver may return them), and
 * -1001 is the ICD loader's answer when no vendor driver (no platform) is installed.
 */
public final class ClErrorCodes {
    /** The ICD loader's code (cl_khr_icd) for "no platform": every vendor driver was missing. */
    public static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private static final Map<Integer, String> NAMES = table();

    private ClErrorCodes() {}

    private static Map<Integer, String> table() {
        var t = new LinkedHashMap<Integer, String>();
        t.put(0, "CL_SUCCESS");
        t.put(-1, "CL_DEVICE_NOT_FOUND");
        t.put(-2, "CL_DEVICE_NOT_AVAILABLE");
        t.put(-3, "CL_COMPILER_NOT_AVAILABLE");
        t.put(-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE");
        t.put(-5, "CL_OUT_OF_RESOURCES");
        t.put(-6, "CL_OUT_OF_HOST_MEMORY");
        t.put(-7, "CL_PROFILING_INFO_NOT_AVAILABLE");
        t.put(-8, "CL_MEM_COPY_OVERLAP");
        t.put(-9, "CL_IMAGE_FORMAT_MISMATCH");
        t.put(-10, "CL_IMAGE_FORMAT_NOT_SUPPORTED");
        t.put(-11, "CL_BUILD_PROGRAM_FAILURE");
        t.put(-12, "CL_MAP_FAILURE");
        t.put(-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET");
        t.put(-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST");
        t.put(-15, "CL_COMPILE_PROGRAM_FAILURE");
        t.put(-16, "CL_LINKER_NOT_AVAILABLE");
        t.put(-17, "CL_LINK_PROGRAM_FAILURE");
        t.put(-18, "CL_DEVICE_PARTITION_FAILED");
        t.put(-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE");
        // -20 to -29 are unassigned.
        t.put(-30, "CL_INVALID_VALUE");
        t.put(-31, "CL_INVALID_DEVICE_TYPE");
        t.put(-32, "CL_INVALID_PLATFORM");
        t.put(-33, "CL_INVALID_DEVICE");
        t.put(-34, "CL_INVALID_CONTEXT");
        t.put(-35, "CL_INVALID_QUEUE_PROPERTIES");
        t.put(-36, "CL_INVALID_COMMAND_QUEUE");
        t.put(-37, "CL_INVALID_HOST_PTR");
        t.put(-38, "CL_INVALID_MEM_OBJECT");
        t.put(-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR");
        t.put(-40, "CL_INVALID_IMAGE_SIZE");
        t.put(-41, "CL_INVALID_SAMPLER");
        t.put(-42, "CL_INVALID_BINARY");
        t.put(-43, "CL_INVALID_BUILD_OPTIONS");
        t.put(-44, "CL_INVALID_PROGRAM");
        t.put(-45, "CL_INVALID_PROGRAM_EXECUTABLE");
        t.put(-46, "CL_INVALID_KERNEL_NAME");
        t.put(-47, "CL_INVALID_KERNEL_DEFINITION");
        t.put(-48, "CL_INVALID_KERNEL");
        t.put(-49, "CL_INVALID_ARG_INDEX");
        t.put(-50, "CL_INVALID_ARG_VALUE");
        t.put(-51, "CL_INVALID_ARG_SIZE");
        t.put(-52, "CL_INVALID_KERNEL_ARGS");
        t.put(-53, "CL_INVALID_WORK_DIMENSION");
        t.put(-54, "CL_INVALID_WORK_GROUP_SIZE");
        t.put(-55, "CL_INVALID_WORK_ITEM_SIZE");
        t.put(-56, "CL_INVALID_GLOBAL_OFFSET");
        t.put(-57, "CL_INVALID_EVENT_WAIT_LIST");
        t.put(-58, "CL_INVALID_EVENT");
        t.put(-59, "CL_INVALID_OPERATION");
        t.put(-60, "CL_INVALID_GL_OBJECT");
        t.put(-61, "CL_INVALID_BUFFER_SIZE");
        t.put(-62, "CL_INVALID_MIP_LEVEL");
        t.put(-63, "CL_INVALID_GLOBAL_WORK_SIZE");
        t.put(-64, "CL_INVALID_PROPERTY");
        t.put(-65, "CL_INVALID_IMAGE_DESCRIPTOR");
        t.put(-66, "CL_INVALID_COMPILER_OPTIONS");
        t.put(-67, "CL_INVALID_LINKER_OPTIONS");
        t.put(-68, "CL_INVALID_DEVICE_PARTITION_COUNT");
        t.put(-69, "CL_INVALID_PIPE_SIZE");
        t.put(-70, "CL_INVALID_DEVICE_QUEUE");
        t.put(-71, "CL_INVALID_SPEC_ID");
        t.put(-72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED");
        t.put(CL_PLATFORM_NOT_FOUND_KHR, "CL_PLATFORM_NOT_FOUND_KHR");
        return Collections.unmodifiableMap(t);
    }

    /** The code's name, or {@code CL_UNKNOWN_ERROR} for a number no OpenCL header defines. */
    public static String name(int code) {
        return NAMES.getOrDefault(code, "CL_UNKNOWN_ERROR");
    }

    /** {@code NAME (code)}, the form every error message of this package uses. */
    public static String describe(int code) {
        return name(code) + " (" + code + ")";
    }

    /** Every known code and its name, in header order. */
    public static Map<Integer, String> all() {
        return NAMES;
    }
}
