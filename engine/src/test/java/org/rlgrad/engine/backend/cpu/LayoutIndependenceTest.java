package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A contiguous row takes the SIMD fast path; the same values read through a flipped view
 * (negative stride) take the generic strided loop. Both must give the same bits, or a result
 * would depend on how its input happened to be laid out in memory.
 */
class LayoutIndependenceTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    private final Random random = new Random(7);

    @Test
    void unaryOpsGiveTheSameBitsOnContiguousAndStridedInputs() {
        int checked = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = randomTensor(dtype, 203);
            for (UnaryOp op : UnaryOp.values()) {
                // Parameters that are not representable in float32, so a rounding difference would show.
                double a = op == UnaryOp.CLAMP ? -0.3 : 0.1, b = op == UnaryOp.CLAMP ? 0.7 : 0.3;
                Tensor fast = CPU.unary(op, x, a, b);
                Tensor strided = CPU.unary(op, x.flip(0), a, b).flip(0);
                assertSameBits(fast.toDoubleArray(), strided.toDoubleArray(), op + " " + dtype);
                checked++;
            }
        }
        assertEquals(2 * UnaryOp.values().length, checked);
    }

    @Test
    void arithmeticGivesTheSameBitsOnContiguousAndStridedInputs() {
        int checked = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = randomTensor(dtype, 203), y = randomTensor(dtype, 203);
            Tensor s = Tensor.scalar(0.1, dtype);
            for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW, BinaryOp.MAXIMUM}) {
                Tensor fast = CPU.binary(op, x, y, dtype);
                Tensor strided = CPU.binary(op, x.flip(0), y.flip(0), dtype).flip(0);
                assertSameBits(fast.toDoubleArray(), strided.toDoubleArray(), op + " " + dtype);
                Tensor fastScalar = CPU.binary(op, x, s, dtype);
                Tensor stridedScalar = CPU.binary(op, x.flip(0), s, dtype).flip(0);
                assertSameBits(fastScalar.toDoubleArray(), stridedScalar.toDoubleArray(), op + " with a scalar, " + dtype);
                checked++;
            }
        }
        assertEquals(12, checked);
    }

    @Test
    void scalingByAJavaScalarDoesNotDependOnLayout() {
        // The user-visible form of the check above: x * 0.1 + 0.3 on a tensor and on its transpose.
        Tensor x = randomTensor(DType.FLOAT32, 12 * 17).reshape(12, 17);
        Tensor viaTranspose = x.mT().contiguous().mT().mul(0.1).add(0.3);
        assertSameBits(x.mul(0.1).add(0.3).toDoubleArray(), viaTranspose.toDoubleArray(), "x * 0.1 + 0.3");
    }

    private Tensor randomTensor(DType dtype, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.nextGaussian() * 3;
        return Tensor.of(dtype, v, n);
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + expected[i] + " from the contiguous input but "
                        + actual[i] + " from the strided one");
            }
        }
    }
}
