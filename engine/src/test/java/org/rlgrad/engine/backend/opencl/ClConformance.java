package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.function.UnaryOperator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Comparing OpenCL results with the CPU backend's: the same strided views of the same data on
 * both devices, and an element-wise check that is exact (bit for bit, so -0.0 differs from +0.0)
 * or within a relative tolerance.
 */
final class ClConformance {
    private ClConformance() {}

    /** A view made the same way of a host tensor and of its copy on the device. */
    record View(String name, UnaryOperator<Tensor> make) {}

    /** Views of a {@code [3, 4, 5]} tensor: all strided, offset or broadcast except the first. */
    static final List<View> VIEWS_345 = List.of(
            new View("contiguous", t -> t),
            new View("transposed", t -> t.transpose(0, 2).transpose(1, 2)),
            new View("narrowed (offset)", t -> t.narrow(1, 1, 3).narrow(2, 2, 3)),
            new View("broadcast", t -> t.select(1, 2).unsqueeze(1).expand(3, 4, 5)),
            new View("permuted", t -> t.permute(2, 0, 1)));

    /** The dtypes' relative tolerances: float math is compared loosely, everything else exactly. */
    static double tolerance(DType t) {
        return switch (t) {
            case FLOAT32 -> 1e-5;
            case FLOAT64 -> 1e-12;
            case INT64, BOOL -> 0;
        };
    }

    static Tensor onDevice(Tensor host) {
        return host.to(Device.opencl(0));
    }

    /** Deterministic values with ties, spread over [-4, 4) in steps of 1/4 (sums of them are exact in float32). */
    static double[] quarters(int n, long seed) {
        double[] v = new double[n];
        long s = seed;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            v[i] = ((s >>> 40) % 32) / 4.0 - 4;
        }
        return v;
    }

    /** Same dtype, shape and values (NaN equals NaN; {@code rel == 0}: bit-exact). */
    static void assertMatches(Tensor expected, Tensor got, double rel, String label) {
        assertEquals(expected.dtype(), got.dtype(), label + ": dtype");
        assertArrayEquals(expected.shape(), got.shape(), label + ": shape");
        assertTrue(got.isContiguous(), label + ": result not contiguous");
        if (expected.dtype() == DType.INT64) {
            assertArrayEquals(expected.toLongArray(), got.toLongArray(), label);
            return;
        }
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean same = Double.doubleToLongBits(e[i]) == Double.doubleToLongBits(g[i])
                    || rel > 0 && Math.abs(e[i] - g[i]) <= rel * Math.max(1, Math.abs(e[i]));
            if (!same) {
                fail(label + ": element " + i + " expected " + e[i] + " but got " + g[i]
                        + "\n expected " + java.util.Arrays.toString(e) + "\n got      " + java.util.Arrays.toString(g));
            }
        }
    }
}
