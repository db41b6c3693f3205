package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One OpenCL platform (a vendor's driver, e.g. PoCL) and its devices, described once when it
 * was discovered. Platforms are never released, so this owns nothing.
 *
 * @param index the platform's position in {@code clGetPlatformIDs}'s answer
 */
public record ClPlatform(ClLibrary library, MemorySegment handle, int index, String name, String vendor,
        String version, String profile, List<ClDevice> devices) {

    public ClPlatform {
        devices = List.copyOf(devices);
    }

    /** Reads the platform's name, vendor, version and its devices of every type. */
    static ClPlatform describe(ClLibrary library, MemorySegment handle, int index) {
        String name = library.getPlatformInfoString(handle, ClConstants.CL_PLATFORM_NAME);
        String vendor = library.getPlatformInfoString(handle, ClConstants.CL_PLATFORM_VENDOR);
        String version = library.getPlatformInfoString(handle, ClConstants.CL_PLATFORM_VERSION);
        String profile = library.getPlatformInfoString(handle, ClConstants.CL_PLATFORM_PROFILE);
        var devices = new ArrayList<ClDevice>();
        for (MemorySegment device : library.getDeviceIds(handle, ClConstants.CL_DEVICE_TYPE_ALL)) {
            devices.add(ClDevice.describe(library, handle, device));
        }
        return new ClPlatform(library, handle, index, name, vendor, version, profile, devices);
    }

    @Override
    public String toString() {
        return name + " (" + version + ")";
    }
}
