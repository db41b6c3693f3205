package org.rlgrad.engine.backend.opencl;

/**
 * The OpenCL 1.2 enumeration values that the bindings and the backend use, with the names and
 * values of the Khronos header {@code CL/cl.h}.
 */
public final class ClConstants {
    private ClConstants() {}

    public static final int CL_SUCCESS = 0;
    public static final int CL_TRUE = 1;
    public static final int CL_FALSE = 0;

    // cl_platform_info
    public static final int CL_PLATFORM_PROFILE = 0x0900;
    public static final int CL_PLATFORM_VERSION = 0x0901;
    public static final int CL_PLATFORM_NAME = 0x0902;
    public static final int CL_PLATFORM_VENDOR = 0x0903;
    public static final int CL_PLATFORM_EXTENSIONS = 0x0904;

    // cl_device_type (a bitfield)
    public static final long CL_DEVICE_TYPE_DEFAULT = 1L << 0;
    public static final long CL_DEVICE_TYPE_CPU = 1L << 1;
    public static final long CL_DEVICE_TYPE_GPU = 1L << 2;
    public static final long CL_DEVICE_TYPE_ACCELERATOR = 1L << 3;
    public static final long CL_DEVICE_TYPE_CUSTOM = 1L << 4;
    public static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;

    // cl_device_info, with the type each answers in
    public static final int CL_DEVICE_TYPE = 0x1000;                  // cl_device_type
    public static final int CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;     // cl_uint
    public static final int CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS = 0x1003; // cl_uint
    public static final int CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;   // size_t
    public static final int CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;       // size_t, per kernel and device
    public static final int CL_DEVICE_MAX_WORK_ITEM_SIZES = 0x1005;   // size_t[]
    public static final int CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;    // cl_ulong
    public static final int CL_DEVICE_MEM_BASE_ADDR_ALIGN = 0x1019;   // cl_uint, in bits
    public static final int CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;       // cl_ulong
    public static final int CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;        // cl_ulong
    public static final int CL_DEVICE_AVAILABLE = 0x1027;             // cl_bool
    public static final int CL_DEVICE_COMPILER_AVAILABLE = 0x1028;    // cl_bool
    public static final int CL_DEVICE_NAME = 0x102B;                  // char[]
    public static final int CL_DEVICE_VENDOR = 0x102C;                // char[]
    public static final int CL_DRIVER_VERSION = 0x102D;               // char[]
    public static final int CL_DEVICE_PROFILE = 0x102E;               // char[]
    public static final int CL_DEVICE_VERSION = 0x102F;               // char[]
    public static final int CL_DEVICE_EXTENSIONS = 0x1030;            // char[]
    public static final int CL_DEVICE_DOUBLE_FP_CONFIG = 0x1032;      // cl_device_fp_config
    public static final int CL_DEVICE_OPENCL_C_VERSION = 0x103D;      // char[]

    // cl_command_queue_properties (a bitfield)
    public static final long CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE = 1L << 0;
    public static final long CL_QUEUE_PROFILING_ENABLE = 1L << 1;

    // cl_context_properties
    public static final long CL_CONTEXT_PLATFORM = 0x1084;

    // cl_mem_flags (a bitfield)
    public static final long CL_MEM_READ_WRITE = 1L << 0;
    public static final long CL_MEM_WRITE_ONLY = 1L << 1;
    public static final long CL_MEM_READ_ONLY = 1L << 2;
    public static final long CL_MEM_USE_HOST_PTR = 1L << 3;
    public static final long CL_MEM_ALLOC_HOST_PTR = 1L << 4;
    public static final long CL_MEM_COPY_HOST_PTR = 1L << 5;

    // cl_program_build_info
    public static final int CL_PROGRAM_BUILD_STATUS = 0x1181;
    public static final int CL_PROGRAM_BUILD_OPTIONS = 0x1182;
    public static final int CL_PROGRAM_BUILD_LOG = 0x1183;
}
