package org.rlgrad.testsuite.conformance;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.backend.opencl.OpenClUnavailableException;
import org.rlgrad.engine.tensor.Device;

/**
 * {@code conformance DIR [--filter REGEX] [--device DEVICE]}: runs the reference vectors in DIR
 * against rlgrad (see {@link ConformanceRunner}), with every tensor on DEVICE ({@code cpu}, the
 * default, or {@code opencl} / {@code opencl:N}). Exit status: 0 when every case passed, 1 when some failed, 2 when
 * the vectors could not be run (bad arguments, a malformed or unreadable file, no files).
 */
public final class ConformanceMain {
    static final String USAGE = "usage: conformance DIR [--filter REGEX] [--device cpu|opencl[:N]]";

    private ConformanceMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Everything {@link #main} does except exiting; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = null;
        Pattern filter = null;
        Device device = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--filter") || a.startsWith("--filter=")) {
                String regex;
                if (a.startsWith("--filter=")) {
                    regex = a.substring("--filter=".length());
                } else if (i + 1 < args.length) {
                    regex = args[++i];
                } else {
                    err.println("conformance: --filter needs a regular expression\n" + USAGE);
                    return 2;
                }
                if (filter != null) {
                    err.println("conformance: --filter given twice\n" + USAGE);
                    return 2;
                }
                try {
                    filter = Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    err.println("conformance: --filter: not a valid regular expression: " + e.getMessage());
                    return 2;
                }
            } else if (a.equals("--device") || a.startsWith("--device=")) {
                String name = a.startsWith("--device=") ? a.substring("--device=".length()) : i + 1 < args.length ? args[++i] : null;
                if (name == null) {
                    err.println("conformance: --device needs a device (cpu, opencl or opencl:N)\n" + USAGE);
                    return 2;
                }
                try {
                    device = Device.parse(name);
                } catch (IllegalArgumentException e) {
                    err.println("conformance: --device: " + e.getMessage());
                    return 2;
                }
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (a.startsWith("--")) {
                err.println("conformance: unknown option " + a + "\n" + USAGE);
                return 2;
            } else if (dir == null) {
                dir = Path.of(a);
            } else {
                err.println("conformance: more than one DIR given (" + dir + ", " + a + ")\n" + USAGE);
                return 2;
            }
        }
        if (dir == null) {
            err.println(USAGE);
            return 2;
        }
        Backend previous = Backends.defaultBackend();
        try {
            if (device != null) {
                Backend backend = Backends.of(device);
                Backends.setDefault(backend);
                out.println("device: " + backend);
            }
            Summary summary = new ConformanceRunner().run(dir, filter, out);
            return summary.allPassed() ? 0 : 1;
        } catch (ConformanceException e) {
            out.flush();
            err.println("conformance: error: " + e.getMessage());
            return 2;
        } catch (OpenClUnavailableException e) {
            err.println("conformance: --device " + device + ": " + e.getMessage());
            return 2;
        } finally {
            Backends.setDefault(previous);
        }
    }
}
