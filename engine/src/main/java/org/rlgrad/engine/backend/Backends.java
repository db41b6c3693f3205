package org.rlgrad.engine.backend;

import org.rlgrad.engine.backend.cpu.CpuBackend;

/** Where new tensors are created when no backend is named. */
public final class Backends {
    private static volatile Backend defaultBackend = CpuBackend.INSTANCE;

    private Backends() {}

    public static Backend cpu() {
        return CpuBackend.INSTANCE;
    }

    public static Backend defaultBackend() {
        return defaultBackend;
    }

    public static void setDefault(Backend backend) {
        defaultBackend = backend;
    }
}
