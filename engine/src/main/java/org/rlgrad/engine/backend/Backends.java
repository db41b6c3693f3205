package org.rlgrad.engine.backend;

import org.rlgrad.engine.backend.cpu.CpuBackend;
import org.rlgrad.engine.backend.opencl.OpenClBackend;
import org.rlgrad.engine.tensor.Device;

/**
 * Where new tensors are created when no backend is named, and the backend of each {@link Device}.
 *
 * <p>The default is the CPU unless the system property {@code rlgrad.device} (or, when it is not
 * set, the environment variable {@code RLGRAD_DEVICE}) names another device, for example
 * {@code -Drlgrad.device=opencl:0}: then every tensor a program makes without naming a device
 * lives there. A device that does not exist fails on first use with an error that says what was
 * found.
 */
public final class Backends {
    private static volatile Backend defaultBackend;

    private Backends() {}

    public static Backend cpu() {
        return CpuBackend.INSTANCE;
    }

    /** The backend that computes on {@code device}, opened on first use. */
    public static Backend of(Device device) {
        return switch (device.type()) {
            case "cpu" -> CpuBackend.INSTANCE;
            case "opencl" -> OpenClBackend.device(device.index());
            default -> throw new IllegalArgumentException("no backend for device " + device + ": expected cpu or opencl:N");
        };
    }

    public static Backend defaultBackend() {
        Backend b = defaultBackend;
        return b != null ? b : initialDefault();
    }

    public static void setDefault(Backend backend) {
        defaultBackend = backend;
    }

    /** Makes new tensors live on {@code device} from now on (the program-wide default). */
    public static void setDefault(Device device) {
        defaultBackend = of(device);
    }

    private static synchronized Backend initialDefault() {
        if (defaultBackend != null) return defaultBackend;
        String property = System.getProperty("rlgrad.device");
        String source = "-Drlgrad.device";
        if (property == null || property.isBlank()) {
            property = System.getenv("RLGRAD_DEVICE");
            source = "RLGRAD_DEVICE";
        }
        Backend b;
        if (property == null || property.isBlank()) {
            b = CpuBackend.INSTANCE;
        } else {
            try {
                b = of(Device.parse(property));
            } catch (RuntimeException e) {
                throw new IllegalStateException(source + "=" + property + " names no usable device: " + e.getMessage(), e);
            }
        }
        defaultBackend = b;
        return b;
    }
}
