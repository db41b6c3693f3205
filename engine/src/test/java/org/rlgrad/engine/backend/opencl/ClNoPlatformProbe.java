package org.rlgrad.engine.backend.opencl;

/**
 * Run in a child JVM by {@link ClLibraryTest}: prints what discovery finds, the error for device 0,
 * and the error a program gets that asks for {@code -Drlgrad.device=opencl:0}.
 */
final class ClNoPlatformProbe {
    private ClNoPlatformProbe() {}

    public static void main(String[] args) {
        OpenClDevices found = OpenClDevices.system();
        System.out.println("available=" + found.isAvailable());
        System.out.println(found.describe());
        try {
            found.device(0);
            System.out.println("device 0 was found");
        } catch (OpenClUnavailableException e) {
            System.out.println(e.getMessage());
        }
        System.setProperty("rlgrad.device", "opencl:0");
        try {
            org.rlgrad.engine.backend.Backends.defaultBackend();
            System.out.println("the default device opened");
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
