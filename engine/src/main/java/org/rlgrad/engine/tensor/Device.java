package org.rlgrad.engine.tensor;

import java.util.Locale;

/**
 * Where a tensor's storage lives, named the way users write it: {@code cpu}, {@code opencl:0}.
 * Move a tensor with {@link Tensor#to(Device)}; pick the device new tensors are made on for a
 * whole program with {@code -Drlgrad.device=opencl:0} or {@code RLGRAD_DEVICE=opencl:0}
 * ({@link org.rlgrad.engine.backend.Backends}).
 */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    /** The CPU, where tensors live unless told otherwise. */
    public static Device cpu() {
        return CPU;
    }

    /** OpenCL device {@code index}, numbered as {@code OpenClDevices.system()} lists them. */
    public static Device opencl(int index) {
        if (index < 0) throw new IllegalArgumentException("opencl device index must be >= 0, got " + index);
        return new Device("opencl", index);
    }

    /** Parses {@code cpu}, {@code opencl} (device 0) or {@code opencl:N}. */
    public static Device parse(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) return CPU;
        if (s.equals("opencl")) return opencl(0);
        if (s.startsWith("opencl:")) {
            try {
                return opencl(Integer.parseInt(s.substring("opencl:".length())));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "': expected cpu, opencl or opencl:N");
    }

    @Override
    public String toString() {
        return type.equals("cpu") ? "cpu" : type + ":" + index;
    }
}
