package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Discovery on the machine's OpenCL: PoCL's CPU device, its description, and device numbering. */
class ClDevicesTest {

    @Test
    void poclsCpuDeviceIsListedWithItsLimits() {
        ClPlatform pocl = ClTestDevice.requirePocl();
        assertTrue(pocl.version().startsWith("OpenCL "), pocl.version());
        assertFalse(pocl.vendor().isBlank());
        ClDevice cpu = pocl.devices().stream().filter(d -> d.type() == ClDeviceType.CPU).findFirst()
                .orElseThrow(() -> new AssertionError("PoCL lists no CPU device: " + pocl.devices()));
        assertFalse(cpu.name().isBlank());
        assertTrue(cpu.version().startsWith("OpenCL "), cpu.version());
        assertTrue(cpu.available());
        assertTrue(cpu.compilerAvailable());
        assertTrue(cpu.maxComputeUnits() >= 1, "compute units " + cpu.maxComputeUnits());
        assertTrue(cpu.maxWorkGroupSize() >= 1, "max work-group size " + cpu.maxWorkGroupSize());
        assertTrue(cpu.maxWorkItemSizes().length >= 1);
        assertTrue(cpu.maxWorkItemSizes()[0] >= 1);
        // OpenCL 1.2's minimum for a full-profile device is 32 KiB of local memory.
        assertTrue(cpu.localMemSize() >= 32 * 1024, "local memory " + cpu.localMemSize());
        assertTrue(cpu.globalMemSize() >= cpu.maxMemAllocSize() && cpu.maxMemAllocSize() > 0,
                "global " + cpu.globalMemSize() + ", largest buffer " + cpu.maxMemAllocSize());
        assertTrue(cpu.supportsDouble(), "PoCL's CPU device has cl_khr_fp64");
    }

    @Test
    void devicesAreNumberedAcrossPlatformsAndDescribedOnOneLine() {
        ClTestDevice.require();
        OpenClDevices found = OpenClDevices.system();
        assertSame(found, OpenClDevices.system(), "discovered once");
        int total = found.platforms().stream().mapToInt(p -> p.devices().size()).sum();
        assertEquals(total, found.devices().size());
        for (int i = 0; i < total; i++) {
            assertSame(found.devices().get(i), found.device(i));
        }
        String line = found.describe();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("OpenCL (libOpenCL"), line);
        assertTrue(line.contains("[0] " + found.device(0).name()), line);
        var e = assertThrows(OpenClUnavailableException.class, () -> found.device(total));
        assertTrue(e.getMessage().startsWith("no OpenCL device " + total + " (expected an index in [0, " + total + "))"),
                e.getMessage());
        assertTrue(e.getMessage().contains(found.device(0).name()), e.getMessage());
        assertThrows(OpenClUnavailableException.class, () -> found.device(-1));
    }
}
