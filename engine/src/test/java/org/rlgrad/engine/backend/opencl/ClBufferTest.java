package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Buffers on the device: every array type round-trips bit for bit; copies, fills and bounds. */
class ClBufferTest {
    private static ClContext cl;

    @BeforeAll
    static void open() {
        cl = ClTestDevice.require().openContext();
    }

    @AfterAll
    static void close() {
        if (cl != null) {
            cl.close();
        }
    }

    @Test
    void floatsRoundTripBitForBit() {
        float[] values = {0f, -0f, 1.5f, -3.25e-38f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-45f, 12345.678f};
        float[] back = new float[values.length];
        try (ClBuffer b = cl.allocate(4L * values.length).write(values)) {
            b.read(back);
        }
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(back[i]), "index " + i);
        }
    }

    @Test
    void doublesRoundTripBitForBit() {
        double[] values = {0d, -0d, Math.PI, -Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
            Double.NEGATIVE_INFINITY, 1e-300, Math.nextUp(1d)};
        double[] back = new double[values.length];
        try (ClBuffer b = cl.allocate(8L * values.length).write(values)) {
            b.read(back);
        }
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back[i]), "index " + i);
        }
    }

    @Test
    void longsAndIntsRoundTrip() {
        long[] longs = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789abcdefL, 42};
        int[] ints = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x01234567, 7};
        long[] longsBack = new long[longs.length];
        int[] intsBack = new int[ints.length];
        try (ClBuffer l = cl.allocate(8L * longs.length).write(longs);
                ClBuffer i = cl.allocate(4L * ints.length).write(ints)) {
            l.read(longsBack);
            i.read(intsBack);
        }
        assertArrayEquals(longs, longsBack);
        assertArrayEquals(ints, intsBack);
    }

    @Test
    void bytesRoundTripAndFill() {
        byte[] values = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};
        byte[] back = new byte[values.length];
        try (ClBuffer b = cl.allocate(values.length).write(values)) {
            b.read(back);
            assertArrayEquals(values, back);
            b.fill((byte) 1, 1, 3);
            b.read(back);
        }
        assertArrayEquals(new byte[] {0, 1, 1, 1, Byte.MAX_VALUE}, back);
    }

    @Test
    void partialWritesAndReadsUseByteOffsetsInTheBufferAndIndicesInTheArray() {
        try (ClBuffer b = cl.allocate(4L * 8)) {
            b.fill(-1);
            b.write(8, new int[] {10, 20, 30, 40}, 1, 2);          // elements 20, 30 at ints 2 and 3
            int[] all = new int[8];
            b.read(all);
            assertArrayEquals(new int[] {-1, -1, 20, 30, -1, -1, -1, -1}, all);
            int[] part = {0, 0, 0, 0};
            b.read(12, part, 1, 2);                                   // ints 3 and 4 into part[1..2]
            assertArrayEquals(new int[] {0, 30, -1, 0}, part);
        }
    }

    @Test
    void nativeSegmentsAreWrittenAndReadDirectly() {
        try (Arena arena = Arena.ofConfined(); ClBuffer b = cl.allocate(8L * 4)) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1, 2, 3, 4);
            b.write(0, src);
            MemorySegment dst = arena.allocate(8L * 2);
            b.read(16, dst);
            assertArrayEquals(new double[] {3, 4}, dst.toArray(ValueLayout.JAVA_DOUBLE));
        }
    }

    @Test
    void copiesAndFillsRunOnTheDevice() {
        try (ClBuffer a = cl.allocate(4L * 6).write(new float[] {1, 2, 3, 4, 5, 6});
                ClBuffer b = cl.allocate(4L * 6);
                ClBuffer d = cl.allocate(8L * 3);
                ClBuffer l = cl.allocate(8L * 3)) {
            b.fill(0f);
            a.copyTo(4, b, 8, 8);                                     // floats 2, 3 to floats 2, 3 of b
            float[] got = new float[6];
            b.read(got);
            assertArrayEquals(new float[] {0, 0, 2, 3, 0, 0}, got);
            a.copyTo(b);
            b.fill(-2.5f, 12, 8);
            b.read(got);
            assertArrayEquals(new float[] {1, 2, 3, -2.5f, -2.5f, 6}, got);
            d.fill(Math.E);
            double[] ds = new double[3];
            d.read(ds);
            assertArrayEquals(new double[] {Math.E, Math.E, Math.E}, ds);
            l.fill(Long.MIN_VALUE + 3);
            long[] ls = new long[3];
            l.read(ls);
            assertArrayEquals(new long[] {Long.MIN_VALUE + 3, Long.MIN_VALUE + 3, Long.MIN_VALUE + 3}, ls);
        }
    }

    @Test
    void outOfRangeAndMisalignedRequestsSayWhatDoesNotFit() {
        try (ClBuffer b = cl.allocate(16); ClBuffer other = cl.allocate(8)) {
            var e = assertThrows(IndexOutOfBoundsException.class, () -> b.write(8, new float[] {1, 2, 3}, 0, 3));
            assertEquals("ClBuffer.write: 12 bytes at byte offset 8 do not fit a buffer of 16 bytes", e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> b.read(new double[3]));
            assertThrows(IndexOutOfBoundsException.class, () -> b.copyTo(other));
            assertThrows(IndexOutOfBoundsException.class, () -> b.write(0, new float[2], 1, 2));
            var f = assertThrows(IllegalArgumentException.class, () -> b.fill(1d, 4, 8));
            assertTrue(f.getMessage().contains("multiples of 8, got offset 4"), f.getMessage());
        }
    }

    @Test
    void anEmptyBufferIsAllowedAndAClosedOneRefusesUse() {
        try (ClBuffer empty = cl.allocate(0)) {
            assertEquals(0, empty.byteSize());
            empty.write(new float[0]);
            empty.read(new float[0]);
            empty.fill(0f);
        }
        ClBuffer b = cl.allocate(4);
        b.close();
        b.close(); // idempotent
        var e = assertThrows(IllegalStateException.class, () -> b.write(new int[] {1}));
        assertEquals("OpenCL buffer of 4 bytes was used after it was closed", e.getMessage());
    }
}
