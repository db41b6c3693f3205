package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.cpu.CpuBackend;
import org.rlgrad.engine.random.Philox;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** The OpenCL Philox fill against the CPU backend's: the same numbers for the same key, stream and offset. */
class ClRandomTest {
    static OpenClBackend cl;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    /** Keys and streams with their high words set (negative longs), and offsets past 2^32 blocks. */
    private static final long[][] KEY_STREAM_OFFSET = {
        {0, 0, 0}, {42, 7, 13}, {0x9E3779B97F4A7C15L, -3, (1L << 32) - 2}, {-1, Long.MIN_VALUE, (5L << 32) + 17},
    };
    private static final int[][] SHAPES = {{1}, {3}, {5}, {2, 3}, {4097}, {37, 129}};

    private static void compare(DType dtype, boolean normal, double tol) {
        for (long[] kso : KEY_STREAM_OFFSET) {
            for (int[] shape : SHAPES) {
                String what = dtype + (normal ? " normal" : " uniform") + " key " + kso[0] + " stream " + kso[1] + " offset " + kso[2]
                        + " shape " + Arrays.toString(shape);
                Tensor expected = CpuBackend.INSTANCE.philox(shape, dtype, normal, kso[0], kso[1], kso[2]);
                Tensor got = cl.philox(shape, dtype, normal, kso[0], kso[1], kso[2]);
                assertEquals(dtype, got.dtype(), what);
                assertArrayEquals(shape, got.shape(), what);
                double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
                for (int i = 0; i < e.length; i++) {
                    if (tol == 0) {
                        assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(g[i]), what + " element " + i + ": " + e[i] + " vs " + g[i]);
                    } else {
                        // Relative, with an absolute floor where cos or sin of the angle is near 0.
                        assertEquals(e[i], g[i], tol * Math.max(1, Math.abs(e[i])), what + " element " + i);
                    }
                }
            }
        }
    }

    @Test
    void float32UniformsAreBitExact() {
        compare(DType.FLOAT32, false, 0);
    }

    @Test
    void float64UniformsAreBitExact() {
        compare(DType.FLOAT64, false, 0);
    }

    @Test
    void float32NormalsMatchTheCpu() {
        compare(DType.FLOAT32, true, 1e-6);
    }

    @Test
    void float64NormalsMatchTheCpu() {
        compare(DType.FLOAT64, true, 1e-12);
    }

    @Test
    void theFirstBlockIsTheRandom123KnownAnswer() {
        // Random123's kat_vectors, philox4x32_10 with counter and key all ones:
        // 408f276d 41c83b0e a20bc7c6 6d5451fd. Counter (c0, c1) = offset, (c2, c3) = stream.
        Tensor u = cl.philox(new int[] {4}, DType.FLOAT32, false, -1L, -1L, -1L);
        int[] words = {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd};
        for (int j = 0; j < 4; j++) assertEquals(Philox.uniformFloat(words[j]), (float) u.toDoubleArray()[j], 0, "word " + j);
    }

    @Test
    void consecutiveDrawsContinueOneStream() {
        // A draw of 10 float32 uses blocks 0..2; the next draw starts at block 3, element 12.
        double[] whole = cl.philox(new int[] {20}, DType.FLOAT32, true, 5, 6, 0).toDoubleArray();
        double[] tail = cl.philox(new int[] {8}, DType.FLOAT32, true, 5, 6, Philox.blocksFor(10, DType.FLOAT32)).toDoubleArray();
        assertArrayEquals(Arrays.copyOfRange(whole, 12, 20), tail, 0);
        double[] uniform = cl.philox(new int[] {4099}, DType.FLOAT64, false, 1, 2, 3).toDoubleArray();
        for (double v : uniform) assertTrue(v >= 0 && v < 1, "uniform in [0, 1): " + v);
    }

    @Test
    void emptyShapesAndNonFloatDtypes() {
        Tensor empty = cl.philox(new int[] {3, 0}, DType.FLOAT64, true, 1, 2, 3);
        assertArrayEquals(new int[] {3, 0}, empty.shape());
        assertEquals(0, empty.toDoubleArray().length);
        var e = assertThrows(IllegalArgumentException.class, () -> cl.philox(new int[] {2}, DType.INT64, false, 1, 2, 3));
        assertTrue(e.getMessage().contains("INT64") || e.getMessage().contains("int64"), e.getMessage());
    }
}
