package org.rlgrad.engine.backend.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The calling thread's CPU time and allocated bytes, from the platform's ThreadMXBean. Reached
 * through method handles because the tests are compiled inside the engine module, which does not
 * read {@code java.management}; they run on the class path, where it is readable.
 */
final class ThreadMeters {
    private static final MethodHandle CPU_NANOS = handle("java.lang.management.ThreadMXBean", "getCurrentThreadCpuTime");
    private static final MethodHandle ALLOCATED = handle("com.sun.management.ThreadMXBean", "getCurrentThreadAllocatedBytes");

    private ThreadMeters() {}

    /** CPU time of the calling thread in nanoseconds (it does not advance while other processes run). */
    static long cpuNanos() {
        try {
            return (long) CPU_NANOS.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes the calling thread has allocated on the heap so far. */
    static long allocatedBytes() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodHandle handle(String iface, String method) {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return MethodHandles.publicLookup().findVirtual(Class.forName(iface), method, MethodType.methodType(long.class)).bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
