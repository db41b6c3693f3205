package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;

/**
 * One OpenCL device, described once when it was discovered: what it is and the limits a kernel
 * launch must respect. Devices of a platform are never released, so this owns nothing; open a
 * {@link ClContext} on it to compute.
 *
 * @param platform the platform's handle ({@code cl_platform_id})
 * @param handle the device's handle ({@code cl_device_id})
 * @param version {@code CL_DEVICE_VERSION}, e.g. {@code OpenCL 3.0 PoCL ...}
 * @param maxWorkGroupSize the most work items one work-group may hold
 * @param maxWorkItemSizes the most work items a work-group may have along each dimension
 * @param localMemSize bytes of {@code __local} memory per work-group
 * @param globalMemSize bytes of device memory
 * @param maxMemAllocSize the largest single buffer, in bytes
 * @param supportsDouble whether kernels may use {@code double} ({@code cl_khr_fp64}); float64
 *     tensors need it
 */
public record ClDevice(ClLibrary library, MemorySegment platform, MemorySegment handle, String name,
        String vendor, String version, String driverVersion, ClDeviceType type, int maxComputeUnits,
        long maxWorkGroupSize, long[] maxWorkItemSizes, long localMemSize, long globalMemSize,
        long maxMemAllocSize, boolean available, boolean compilerAvailable, boolean supportsDouble) {

    static ClDevice describe(ClLibrary library, MemorySegment platform, MemorySegment handle) {
        String extensions = library.getDeviceInfoString(handle, ClConstants.CL_DEVICE_EXTENSIONS);
        // OpenCL 1.2 made double optional yet core: CL_DEVICE_DOUBLE_FP_CONFIG is nonzero when
        // supported; older drivers say so only through the cl_khr_fp64 extension.
        boolean fp64 = extensions.contains("cl_khr_fp64")
                || library.getDeviceInfoLong(handle, ClConstants.CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
        return new ClDevice(library, platform, handle,
                library.getDeviceInfoString(handle, ClConstants.CL_DEVICE_NAME).strip(),
                library.getDeviceInfoString(handle, ClConstants.CL_DEVICE_VENDOR).strip(),
                library.getDeviceInfoString(handle, ClConstants.CL_DEVICE_VERSION).strip(),
                library.getDeviceInfoString(handle, ClConstants.CL_DRIVER_VERSION).strip(),
                ClDeviceType.of(library.getDeviceInfoLong(handle, ClConstants.CL_DEVICE_TYPE)),
                library.getDeviceInfoInt(handle, ClConstants.CL_DEVICE_MAX_COMPUTE_UNITS),
                library.getDeviceInfoSize(handle, ClConstants.CL_DEVICE_MAX_WORK_GROUP_SIZE),
                library.getDeviceInfoSizes(handle, ClConstants.CL_DEVICE_MAX_WORK_ITEM_SIZES),
                library.getDeviceInfoLong(handle, ClConstants.CL_DEVICE_LOCAL_MEM_SIZE),
                library.getDeviceInfoLong(handle, ClConstants.CL_DEVICE_GLOBAL_MEM_SIZE),
                library.getDeviceInfoLong(handle, ClConstants.CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                library.getDeviceInfoInt(handle, ClConstants.CL_DEVICE_AVAILABLE) != 0,
                library.getDeviceInfoInt(handle, ClConstants.CL_DEVICE_COMPILER_AVAILABLE) != 0,
                fp64);
    }

    /** The maximum work-item sizes per dimension (a copy). */
    @Override
    public long[] maxWorkItemSizes() {
        return maxWorkItemSizes.clone();
    }

    /** A context and an in-order command queue on this device; close it when done. */
    public ClContext openContext() {
        return ClContext.open(this);
    }

    /** One line: {@code name (TYPE, vendor, version)}. */
    public String summary() {
        return name + " (" + type + ", " + vendor + ", " + version + ")";
    }

    @Override
    public String toString() {
        return summary();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClDevice d && d.handle.equals(handle);
    }

    @Override
    public int hashCode() {
        return handle.hashCode();
    }
}
