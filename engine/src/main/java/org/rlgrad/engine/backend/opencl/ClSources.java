package org.rlgrad.engine.backend.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenCL C sources of the backend's kernels, kept as resources beside this class
 * ({@code elementwise.cl}, {@code reduce.cl}, ...). Each is returned with {@code common.cl}
 * (element-type macros and the {@code Layout} struct) in front, ready for
 * {@link ClContext#program(String, String)}, which compiles it once per context and options.
 */
final class ClSources {
    private static final Map<String, String> LOADED = new ConcurrentHashMap<>();

    private ClSources() {}

    /** {@code common.cl} followed by the resource {@code name}. */
    static String program(String name) {
        return LOADED.computeIfAbsent(name, n -> read("common.cl") + "\n" + read(n));
    }

    private static String read(String name) {
        try (InputStream in = ClSources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("OpenCL kernel source '" + name + "' is missing from the engine's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading OpenCL kernel source '" + name + "'", e);
        }
    }
}
