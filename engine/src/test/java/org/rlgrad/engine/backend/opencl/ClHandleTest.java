package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A native handle is released exactly once: by close, or by the cleaner when its owner is lost. */
class ClHandleTest {

    @Test
    void closeReleasesOnceAndLaterUseNamesTheObject() {
        var releases = new AtomicInteger();
        var owner = new Object();
        var handle = new ClHandle(owner, MemorySegment.ofAddress(0x1234), raw -> releases.incrementAndGet(), "test object");
        assertEquals(0x1234, handle.get().address());
        handle.release();
        handle.release();
        assertEquals(1, releases.get());
        assertTrue(handle.isReleased());
        var e = assertThrows(IllegalStateException.class, handle::get);
        assertEquals("test object was used after it was closed", e.getMessage());
    }

    @Test
    void anUnreachableOwnersHandleIsReleasedByTheCleaner() throws InterruptedException {
        var releases = new AtomicInteger();
        register(releases);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (releases.get() == 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(1, releases.get(), "the cleaner released the leaked handle");
    }

    private static void register(AtomicInteger releases) {
        new ClHandle(new Object(), MemorySegment.ofAddress(0x5678), raw -> releases.incrementAndGet(), "leaked");
    }
}
