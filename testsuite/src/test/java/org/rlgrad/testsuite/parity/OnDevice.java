package org.rlgrad.testsuite.parity;

import java.util.function.Supplier;

import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.tensor.Device;

/** Runs a parity test's body with a device as the default backend, then puts the previous one back. */
final class OnDevice {
    private OnDevice() {}

    static <T> T on(Device device, Supplier<T> body) {
        Backend previous = Backends.defaultBackend();
        Backends.setDefault(device);
        try {
            return body.get();
        } finally {
            Backends.setDefault(previous);
        }
    }
}
