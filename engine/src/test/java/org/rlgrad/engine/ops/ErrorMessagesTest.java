package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.backend.Storage;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Bad input fails with a message that names the op and both sides (shapes, dtypes or devices),
 * and before any number is computed.
 */
class ErrorMessagesTest {

    private static Tensor t(int... shape) {
        return Tensor.zeros(DType.FLOAT64, shape);
    }

    private static String message(Class<? extends Throwable> type, Executable op) {
        return assertThrows(type, op).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "expected \"" + p + "\" in: " + message);
    }

    @Test
    void broadcastingOpsNameTheOpAndBothShapes() {
        Map<String, BinaryOperator<Tensor>> ops = Map.of("add", Tensor::add, "sub", Tensor::sub, "mul", Tensor::mul, "div", Tensor::div,
                "pow", Tensor::pow, "maximum", Tensor::maximum, "minimum", Tensor::minimum, "lt", Tensor::lt, "eq", Tensor::eq);
        for (Map.Entry<String, BinaryOperator<Tensor>> e : ops.entrySet()) {
            String m = message(IllegalArgumentException.class, () -> e.getValue().apply(t(2, 3), t(4)));
            assertMentions(m, e.getKey() + ":", "[2, 3]", "[4]", "3 vs 4");
        }
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).lerp(t(2, 3), t(3, 1))), "[2, 3]", "[3, 1]");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).clamp(t(5), null)), "clamp", "[2, 3]", "[5]");
    }

    @Test
    void matmulNamesBothShapesAsGiven() {
        assertMentions(message(IllegalArgumentException.class, () -> t(3, 4).matmul(t(5, 2))), "matmul:", "[3, 4]", "[5, 2]", "4 != 5");
        // 1-d operands: the message shows the shapes the caller passed, not the promoted ones.
        assertMentions(message(IllegalArgumentException.class, () -> t(3).matmul(t(4))), "matmul:", "[3]", "[4]", "3 != 4");
        assertMentions(message(IllegalArgumentException.class, () -> t(3).matmul(t(4, 2))), "matmul:", "[3]", "[4, 2]");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).matmul(t(4))), "matmul:", "[2, 3]", "[4]");
        // Batch dims that do not broadcast: both full shapes.
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3, 4).matmul(t(5, 4, 6))), "matmul:", "[2, 3, 4]", "[5, 4, 6]");
        assertMentions(message(IllegalArgumentException.class, () -> t(3).matmul(Tensor.scalar(1, DType.FLOAT64))), "matmul:", "[3]", "[]");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3, 4).bmm(t(3, 4, 2))), "bmm:", "[2, 3, 4]", "[3, 4, 2]");
    }

    @Test
    void catAndStackNameBothShapes() {
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(List.of(t(2, 3), t(2, 4)), 0)),
                "cat:", "[2, 3]", "[2, 4]", "dim 1");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.cat(List.of(t(2, 3), t(3)), 0)), "cat:", "[2, 3]", "[3]");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.stack(List.of(t(2, 3), t(3, 2)), 0)), "stack:", "[2, 3]", "[3, 2]");
    }

    @Test
    void gatherAndScatterNameTheIndexAndTheInput() {
        Tensor index = Tensor.of(new long[] {0, 1}, 2);
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).gather(1, index)), "gather:", "[2]", "[2, 3]");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).gather(1, Tensor.of(new long[] {0, 0, 0, 0, 0, 0}, 3, 2))),
                "gather:", "[3, 2]", "[2, 3]");
        assertMentions(message(IndexOutOfBoundsException.class, () -> t(2, 3).gather(1, Tensor.of(new long[] {5, 0}, 2, 1))),
                "gather:", "index 5", "size 3");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).scatterAdd(0, Tensor.of(new long[] {0, 1, 0}, 1, 3), t(1, 2))),
                "scatter_add:", "[1, 3]", "[1, 2]");
    }

    @Test
    void whereNamesTheShapesThatDoNotBroadcast() {
        Tensor cond = Tensor.of(new boolean[] {true, false, true, false, true, false}, 2, 3);
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.where(cond, t(2, 3), t(4))), "where:", "[2, 3]", "[4]");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.where(Tensor.of(new boolean[] {true, false, true, false}, 4), t(2, 3), t(2, 3))),
                "where:", "[4]", "[2, 3]");
    }

    @Test
    void dtypesThatMustMatchAreNamedExpectedAndGot() {
        Tensor floatIndex = Tensor.of(DType.FLOAT32, new double[] {0, 1}, 2, 1);
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).gather(1, floatIndex)), "gather:", "int64", "float32");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).scatterAdd(1, floatIndex, t(2, 1))), "scatter_add:", "int64", "float32");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).indexSelect(0, Tensor.of(new boolean[] {true}, 1))),
                "index_select:", "int64", "bool");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).takeAlongDim(floatIndex, 1)), "take_along_dim:", "int64", "float32");
        assertMentions(message(IllegalArgumentException.class, () -> Tensor.where(t(2, 3), t(2, 3), t(2, 3))),
                "where:", "condition must be bool", "float64");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).maskedFill(Tensor.of(new long[] {1, 0, 1}, 3), 0)),
                "masked_fill:", "bool", "int64");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).maskedSelect(Tensor.of(new long[] {1, 0, 1}, 3))),
                "masked_select:", "bool", "int64");
        assertMentions(message(IllegalArgumentException.class,
                () -> Functional.crossEntropy(t(2, 3), Tensor.of(DType.FLOAT64, new double[] {0, 1}, 2), Reduction.MEAN)),
                "cross_entropy:", "int64", "float64");
        assertMentions(message(IndexOutOfBoundsException.class, () -> Tensor.of(new long[] {3}, 1).oneHot(2)), "one_hot:", "class 3", "2 classes");
    }

    @Test
    void badDimsAndSizesNameTheOp() {
        assertMentions(message(IndexOutOfBoundsException.class, () -> t(2, 3).sum(2)), "sum:", "dim 2", "rank 2");
        assertMentions(message(IndexOutOfBoundsException.class, () -> t(2, 3).softmax(-3)), "softmax:", "dim -3");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).reshape(4, 2)), "reshape:", "[4, 2]", "6");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).expand(4, 3)), "expand:", "[2, 3]", "[4, 3]");
        assertMentions(message(IndexOutOfBoundsException.class, () -> t(2, 3).narrow(1, 2, 2)), "narrow:", "size 3");
        assertMentions(message(IllegalArgumentException.class, () -> t(2, 3).view(3, 2).transpose(0, 1).view(6)), "view:", "reshape");
    }

    // ------------------------------------------------------------------ devices

    /**
     * A backend on a device that is not the CPU, built on the public Backend SPI. Its kernels are
     * never reached: every op must reject mixed devices before computing.
     */
    static final class ElsewhereBackend implements Backend {
        static final ElsewhereBackend INSTANCE = new ElsewhereBackend();
        private static final Device DEVICE = new Device("elsewhere", 1);

        @Override public Device device() { return DEVICE; }
        @Override public Storage allocate(DType dtype, int size) { return new ElsewhereStorage(dtype, size); }
        @Override public Storage fromDoubles(DType dtype, double[] data) { return new ElsewhereStorage(dtype, data.length); }
        @Override public Storage fromLongs(DType dtype, long[] data) { return new ElsewhereStorage(dtype, data.length); }
        @Override public double[] toDoubles(Tensor t) { throw unreached(); }
        @Override public long[] toLongs(Tensor t) { throw unreached(); }
        @Override public Tensor copy(Tensor src, DType dtype) { throw unreached(); }
        @Override public void copyInto(Tensor dst, Tensor src) { throw unreached(); }
        @Override public Tensor full(int[] shape, DType dtype, double value) { throw unreached(); }
        @Override public Tensor arange(int n, double start, double step, DType dtype) { throw unreached(); }
        @Override public Tensor unary(UnaryOp op, Tensor x, double a, double b) { throw unreached(); }
        @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType) { throw unreached(); }
        @Override public Tensor where(Tensor cond, Tensor a, Tensor b, DType outType) { throw unreached(); }
        @Override public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) { throw unreached(); }
        @Override public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) { throw unreached(); }
        @Override public Tensor scan(ScanOp op, Tensor x, int dim) { throw unreached(); }
        @Override public Tensor linearRecurrence(Tensor x, Tensor a, int dim, boolean reverse) { throw unreached(); }
        @Override public Tensor softmax(Tensor x, int dim, boolean log) { throw unreached(); }
        @Override public Tensor logSumExp(Tensor x, int dim, boolean keepdim) { throw unreached(); }
        @Override public Tensor matmul(Tensor a, Tensor b) { throw unreached(); }
        @Override public Tensor gather(Tensor x, int dim, Tensor index) { throw unreached(); }
        @Override public Tensor scatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate) { throw unreached(); }
        @Override public Tensor sortIndices(Tensor x, int dim, boolean descending) { throw unreached(); }
        @Override public Tensor philox(int[] shape, DType dtype, boolean normal, long key, long stream, long offset) { throw unreached(); }

        private static AssertionError unreached() {
            return new AssertionError("a kernel ran on mixed devices instead of the op rejecting them");
        }
    }

    static final class ElsewhereStorage extends Storage {
        ElsewhereStorage(DType dtype, int size) {
            super(dtype, size);
        }

        @Override
        protected void recycle() {}

        @Override
        public Backend backend() {
            return ElsewhereBackend.INSTANCE;
        }
    }

    private static Tensor elsewhere(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return new Tensor(ElsewhereBackend.INSTANCE.allocate(DType.FLOAT64, n), shape);
    }

    @Test
    void opsOnTwoDevicesNameBothDevicesAndShapes() {
        Tensor far = elsewhere(2, 3);
        Tensor near = t(2, 3);
        assertArrayEquals(new int[] {2, 3}, far.shape());
        Map<String, Executable> ops = Map.of(
                "add", () -> near.add(far),
                "mul", () -> far.mul(near),
                "matmul", () -> near.matmul(elsewhere(3, 2)),
                "cat", () -> Tensor.cat(List.of(near, far), 0),
                "where", () -> Tensor.where(Tensor.of(new boolean[] {true, false, true, false, true, false}, 2, 3), near, far),
                "copy_", () -> near.copy_(far),
                "scatter_add", () -> near.scatterAdd(0, Tensor.of(new long[] {0, 1, 0}, 1, 3), far));
        for (Map.Entry<String, Executable> e : ops.entrySet()) {
            String m = message(IllegalArgumentException.class, e.getValue());
            assertMentions(m, e.getKey() + ":", "different devices", "cpu", "elsewhere:1", "[2, 3]");
        }
    }
}
