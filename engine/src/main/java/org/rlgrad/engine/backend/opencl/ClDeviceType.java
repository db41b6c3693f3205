package org.rlgrad.engine.backend.opencl;

/** What kind of processor an OpenCL device is ({@code CL_DEVICE_TYPE}). */
public enum ClDeviceType {
    GPU, CPU, ACCELERATOR, CUSTOM, OTHER;

    /** The type a {@code cl_device_type} bitfield names (GPU first, should a driver set several bits). */
    public static ClDeviceType of(long bits) {
        if ((bits & ClConstants.CL_DEVICE_TYPE_GPU) != 0) {
            return GPU;
        }
        if ((bits & ClConstants.CL_DEVICE_TYPE_CPU) != 0) {
            return CPU;
        }
        if ((bits & ClConstants.CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return ACCELERATOR;
        }
        if ((bits & ClConstants.CL_DEVICE_TYPE_CUSTOM) != 0) {
            return CUSTOM;
        }
        return OTHER;
    }
}
