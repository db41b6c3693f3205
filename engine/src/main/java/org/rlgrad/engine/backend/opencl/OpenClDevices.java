package org.rlgrad.engine.backend.opencl;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * What OpenCL this machine has: the platforms and their devices, numbered in one list in
 * platform order and, within a platform, in the driver's order ({@code Device.opencl(i)} is
 * device i of that list). Discovery never throws: when there is no library or no platform, the
 * list is empty and {@link #describe()} says what was looked for and what was found.
 */
public final class OpenClDevices {
    private final String libraryName;
    private final List<ClPlatform> platforms;
    private final List<ClDevice> devices;
    private final List<String> problems;

    private OpenClDevices(String libraryName, List<ClPlatform> platforms, List<String> problems) {
        this.libraryName = libraryName;
        this.platforms = List.copyOf(platforms);
        this.devices = platforms.stream().flatMap(p -> p.devices().stream()).toList();
        this.problems = List.copyOf(problems);
    }

    /** The system's OpenCL ({@link ClLibrary#system()}), discovered once. */
    public static OpenClDevices system() {
        return SystemDevices.DEVICES;
    }

    private static final class SystemDevices {
        static final OpenClDevices DEVICES = discoverSystem();

        private static OpenClDevices discoverSystem() {
            ClLibrary library;
            try {
                library = ClLibrary.system();
            } catch (OpenClUnavailableException e) {
                return new OpenClDevices(null, List.of(), List.of(e.getMessage()));
            }
            return discover(library);
        }
    }

    /** Discovers through the first of {@code libraryNames} that loads (see {@link ClLibrary#load}). */
    public static OpenClDevices discover(List<String> libraryNames) {
        ClLibrary library;
        try {
            library = ClLibrary.load(libraryNames);
        } catch (OpenClUnavailableException e) {
            return new OpenClDevices(null, List.of(), List.of(e.getMessage()));
        }
        return discover(library);
    }

    /** Discovers the platforms and devices of a loaded library. */
    public static OpenClDevices discover(ClLibrary library) {
        var platforms = new ArrayList<ClPlatform>();
        var problems = new ArrayList<String>();
        List<MemorySegment> ids;
        try {
            ids = library.getPlatformIds();
        } catch (ClException e) {
            return new OpenClDevices(library.libraryName(), List.of(), List.of(e.getMessage()));
        }
        for (int i = 0; i < ids.size(); i++) {
            try {
                platforms.add(ClPlatform.describe(library, ids.get(i), i));
            } catch (ClException e) {
                problems.add("platform " + i + " could not be described: " + e.getMessage());
            }
        }
        return new OpenClDevices(library.libraryName(), platforms, problems);
    }

    public List<ClPlatform> platforms() {
        return platforms;
    }

    /** Every device of every platform, numbered as {@link #device(int)} numbers them. */
    public List<ClDevice> devices() {
        return devices;
    }

    /** Whether there is at least one device to run on. */
    public boolean isAvailable() {
        return !devices.isEmpty();
    }

    /**
     * Device {@code index} of {@link #devices()}.
     *
     * @throws OpenClUnavailableException when there is no such device, saying what there is
     */
    public ClDevice device(int index) {
        if (index < 0 || index >= devices.size()) {
            throw new OpenClUnavailableException("no OpenCL device " + index + " (expected an index in [0, "
                    + devices.size() + ")); " + describe());
        }
        return devices.get(index);
    }

    /** The problems discovery met: the library that would not load, a platform it could not read. */
    public List<String> problems() {
        return problems;
    }

    /**
     * One line for error messages and logs, e.g. {@code OpenCL (libOpenCL.so.1): 1 platform, 1
     * device: [0] cpu-haswell (CPU) on Portable Computing Language (OpenCL 3.0 PoCL 3.1)}.
     */
    public String describe() {
        if (libraryName == null) {
            return "OpenCL: " + String.join("; ", problems);
        }
        var sb = new StringBuilder("OpenCL (").append(libraryName).append("): ");
        if (platforms.isEmpty()) {
            sb.append("no platforms (no OpenCL driver is installed; the ICD loader lists drivers in"
                    + " /etc/OpenCL/vendors/*.icd, e.g. PoCL's from the package pocl-opencl-icd)");
        } else {
            sb.append(count(platforms.size(), "platform")).append(", ").append(count(devices.size(), "device"));
            if (!devices.isEmpty()) {
                sb.append(": ");
                for (int i = 0; i < devices.size(); i++) {
                    ClDevice d = devices.get(i);
                    if (i > 0) {
                        sb.append("; ");
                    }
                    sb.append('[').append(i).append("] ").append(d.name()).append(" (").append(d.type()).append(") on ")
                            .append(platformOf(d));
                }
            } else {
                sb.append(" (platforms: ");
                sb.append(String.join(", ", platforms.stream().map(ClPlatform::toString).toList())).append(')');
            }
        }
        if (!problems.isEmpty()) {
            sb.append("; problems: ").append(String.join("; ", problems));
        }
        return sb.toString();
    }

    private String platformOf(ClDevice device) {
        for (ClPlatform p : platforms) {
            if (p.handle().equals(device.platform())) {
                return p.toString();
            }
        }
        return "an unknown platform";
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return describe();
    }
}
