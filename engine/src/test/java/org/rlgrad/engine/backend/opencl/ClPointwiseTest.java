package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.backend.cpu.CpuBackend;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The OpenCL unary, binary and where kernels against the CPU backend, op by op and dtype by dtype,
 * on edge values (NaN, +-inf, -0.0, ties, int64 overflow) and on contiguous, transposed,
 * offset, broadcast and empty views.
 */
class ClPointwiseTest {
    static OpenClBackend cl;
    static final Backend CPU = CpuBackend.INSTANCE;
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    /** Values every float op sees: specials, signed zeros, ties for rounding, poles and near-poles, large and tiny. */
    static final double[] FLOATS = {
        NAN, INF, -INF, 0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 2, 3, -3, 0.3, -0.7, 0.999, -0.9999,
        1e-8, -1e-30, 7.25, -4.5, 19.5, -19.5, 100, 1e30, -1e30, 0.1, 1.4616321449683622, -2.7, 40
    };

    static final long[] LONGS = {0, 1, -1, 2, -3, 7, 5, 100, -100, 20, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53 | 1};

    /** Ops whose float results must equal the CPU's bit for bit in both float dtypes. */
    static final Set<UnaryOp> EXACT_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU,
            UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.ROUND, UnaryOp.TRUNC, UnaryOp.SQUARE, UnaryOp.ONE_MINUS_SQUARE,
            UnaryOp.AFFINE, UnaryOp.CLAMP, UnaryOp.LOGICAL_NOT, UnaryOp.IS_NAN, UnaryOp.IS_INF, UnaryOp.IS_FINITE);

    /** An op with its parameters. */
    record Case(UnaryOp op, double a, double b) {
        @Override
        public String toString() {
            return op + "(a=" + a + ", b=" + b + ")";
        }
    }

    /** Every op once, parameterised ops with several parameter pairs (NaN clamp bounds, integer and fractional powers). */
    static List<Case> unaryCases() {
        List<Case> cases = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            switch (op) {
                case AFFINE -> {
                    cases.add(new Case(op, 1.5, -0.25));
                    cases.add(new Case(op, -2, 3));
                }
                case POW_SCALAR -> {
                    cases.add(new Case(op, 2, 0));
                    cases.add(new Case(op, 3, 0));
                    cases.add(new Case(op, 0.5, 0));
                    cases.add(new Case(op, -1, 0));
                    cases.add(new Case(op, 0, 0));
                    cases.add(new Case(op, NAN, 0));
                    cases.add(new Case(op, INF, 0));
                }
                case SCALAR_POW -> {
                    cases.add(new Case(op, 2, 0));
                    cases.add(new Case(op, -2, 0));
                    cases.add(new Case(op, 1, 0));
                    cases.add(new Case(op, 0, 0));
                    cases.add(new Case(op, 0.5, 0));
                }
                case CLAMP -> {
                    cases.add(new Case(op, -1, 2));
                    cases.add(new Case(op, NAN, 0.5));
                    cases.add(new Case(op, 0.5, NAN));
                    cases.add(new Case(op, 0.1, 0.3));
                }
                case SOFTPLUS -> {
                    cases.add(new Case(op, 1, 20));
                    cases.add(new Case(op, 2, 5));
                }
                case ELU -> cases.add(new Case(op, 1.0, 0));
                case LEAKY_RELU -> {
                    cases.add(new Case(op, 0.01, 0));
                    cases.add(new Case(op, 0.5, 0));
                }
                default -> cases.add(new Case(op, 0, 0));
            }
        }
        return cases;
    }

    /** A host tensor and the same values on the device, for each of the views a test walks. */
    record Pair(String name, Tensor host, Tensor dev) {}

    static Tensor host(double[] values, DType dtype, int... shape) {
        return Tensor.of(DType.FLOAT64, values, shape).to(dtype);
    }

    static Tensor hostLongs(long[] values, int... shape) {
        return Tensor.of(values, shape);
    }

    static Tensor onDevice(Tensor host) {
        return host.to(Device.opencl(0));
    }

    /**
     * The views of {@code base} (2-d, rows x cols) the kernels must walk: itself, its transpose,
     * a narrowed (offset) column range, a row broadcast with stride 0, and an empty slice.
     */
    static List<Pair> views(Tensor base) {
        Tensor dev = onDevice(base);
        int rows = base.shape()[0], cols = base.shape()[1];
        List<UnaryOperator<Tensor>> fs = List.of(
                t -> t,
                t -> t.transpose(0, 1),
                t -> t.narrow(1, 1, cols - 2),
                t -> t.select(0, 1).unsqueeze(0).expand(3, cols),
                t -> t.narrow(0, 0, 0));
        String[] names = {"contiguous", "transposed", "narrowed", "broadcast", "empty"};
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) out.add(new Pair(names[i] + " " + rows + "x" + cols, fs.get(i).apply(base), fs.get(i).apply(dev)));
        return out;
    }

    @Test
    void everyUnaryOpMatchesTheCpuOnFloatsInEveryView() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor base = host(FLOATS, dtype, 4, 8);
            for (Pair v : views(base)) {
                for (Case c : unaryCases()) {
                    Tensor want = CPU.unary(c.op(), v.host(), c.a(), c.b());
                    Tensor got = cl.unary(c.op(), v.dev(), c.a(), c.b());
                    boolean exact = EXACT_UNARY.contains(c.op()) || dtype == DType.FLOAT64 && c.op() == UnaryOp.LEAKY_RELU;
                    assertMatches(want, got, exact, c + " on " + dtype + " " + v.name());
                }
            }
        }
    }

    @Test
    void everyUnaryOpMatchesTheCpuOnInt64AndBool() {
        Tensor longs = hostLongs(LONGS, LONGS.length);
        Tensor bools = host(new double[] {0, 1, 1, 0}, DType.BOOL, 4);
        for (Tensor base : new Tensor[] {longs, bools, longs.narrow(0, 3, 6).unsqueeze(0).expand(2, 6)}) {
            Tensor dev = onDevice(base);
            for (Case c : unaryCases()) {
                Tensor want = CPU.unary(c.op(), base, c.a(), c.b());
                Tensor got = cl.unary(c.op(), dev, c.a(), c.b());
                assertMatches(want, got, true, c + " on " + base.dtype());
            }
        }
    }

    @Test
    void int64NegationAndAbsoluteValueGoThroughDoubleAsOnTheCpu() {
        // -Long.MIN_VALUE overflows in long arithmetic; the CPU's double form saturates to Long.MAX_VALUE.
        Tensor x = onDevice(hostLongs(new long[] {Long.MIN_VALUE, -5, 3}, 3));
        assertArrayEquals(new long[] {Long.MAX_VALUE, 5, -3}, cl.toLongs(cl.unary(UnaryOp.NEG, x, 0, 0)));
        assertArrayEquals(new long[] {Long.MAX_VALUE, 5, 3}, cl.toLongs(cl.unary(UnaryOp.ABS, x, 0, 0)));
    }

    @Test
    void specialFunctionsAreAccurateAcrossTheirRange() {
        // Dense grids through the regions where each algorithm switches branch (erf at 2.5 and 6,
        // lgamma's reflection at 1/2, digamma's recurrence up to 20, erfinv near +-1).
        double[] xs = new double[400];
        for (int i = 0; i < xs.length; i++) xs[i] = -9.95 + i * 0.05 + 1e-3;
        double[] ys = new double[399];
        for (int i = 0; i < ys.length; i++) ys[i] = -0.9975 + i * 0.005;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (UnaryOp op : new UnaryOp[] {UnaryOp.ERF, UnaryOp.LGAMMA, UnaryOp.DIGAMMA, UnaryOp.TRIGAMMA, UnaryOp.ERFINV, UnaryOp.ATANH}) {
                double[] values = op == UnaryOp.ERFINV || op == UnaryOp.ATANH ? ys : xs;
                Tensor x = host(values, dtype, values.length);
                assertMatches(CPU.unary(op, x, 0, 0), cl.unary(op, onDevice(x), 0, 0), false, op + " on " + dtype);
            }
        }
    }

    @Test
    void zeroDimTensorsGiveZeroDimResults() {
        for (DType dtype : DType.values()) {
            Tensor x = host(new double[] {-2.5}, dtype), y = host(new double[] {3}, dtype);
            assertMatches(CPU.unary(UnaryOp.NEG, x, 0, 0), cl.unary(UnaryOp.NEG, onDevice(x), 0, 0), true, "neg of a 0-dim " + dtype);
            assertMatches(CPU.unary(UnaryOp.IS_FINITE, x, 0, 0), cl.unary(UnaryOp.IS_FINITE, onDevice(x), 0, 0), true, "is_finite of a 0-dim " + dtype);
            assertMatches(CPU.binary(BinaryOp.SUB, x, y, dtype), cl.binary(BinaryOp.SUB, onDevice(x), onDevice(y), dtype), true, "sub of 0-dim " + dtype);
        }
    }

    @Test
    void roundIsHalfToEven() {
        Tensor x = onDevice(host(new double[] {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5}, DType.FLOAT32, 7));
        assertArrayEquals(new double[] {0, 2, 2, -0.0, -2, -2, 4}, cl.unary(UnaryOp.ROUND, x, 0, 0).toDoubleArray());
    }

    /** Values whose every pair is tested: specials, signed zeros, integers for pow, ties. */
    static final double[] PAIR_FLOATS = {NAN, INF, -INF, 0.0, -0.0, 1, -1, 2, -2.5, 0.5, 3, 1e-30, 0.1};

    @Test
    void everyBinaryOpMatchesTheCpuOnFloatsForEveryPair() {
        int n = PAIR_FLOATS.length;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            // [n, 1] against [n]: the broadcast walks every ordered pair.
            Tensor a = host(PAIR_FLOATS, dtype, n, 1), b = host(PAIR_FLOATS, dtype, n);
            for (BinaryOp op : BinaryOp.values()) {
                DType compute = op.isLogical() ? DType.BOOL : dtype;
                Tensor want = CPU.binary(op, a, b, compute);
                Tensor got = cl.binary(op, onDevice(a), onDevice(b), compute);
                assertMatches(want, got, op != BinaryOp.POW, op + " on " + dtype);
            }
        }
    }

    @Test
    void binaryOpsWalkStridedOffsetScalarAndEmptyOperands() {
        double[] data = new double[24];
        for (int i = 0; i < data.length; i++) data[i] = (i % 7) * 0.75 - 2;
        for (DType dtype : DType.values()) {
            Tensor base = host(data, dtype, 4, 6);
            Tensor scalar = host(new double[] {1.5}, dtype);
            Tensor col = host(new double[] {2, -1, 0, 3}, dtype, 4, 1);
            Tensor[][] pairs = {
                {base.narrow(1, 2, 3), col},                                                    // offset view with a broadcast column
                {col, base.select(0, 2).unsqueeze(0)},                                          // [4, 1] x [1, 6]
                {base, scalar},                                                                 // a 0-dim operand
                {scalar, base.narrow(0, 1, 2)},
                {base.narrow(0, 0, 0), col.narrow(0, 0, 1)},                                    // empty
                {base.transpose(0, 1).narrow(0, 1, 4), base.narrow(1, 2, 4)},                   // [4, 4] x [4, 4], both strided
            };
            for (Tensor[] p : pairs) {
                for (BinaryOp op : BinaryOp.values()) {
                    DType compute = op.isLogical() ? DType.BOOL : dtype;
                    Tensor want = CPU.binary(op, p[0], p[1], compute);
                    Tensor got = cl.binary(op, onDevice(p[0]), onDevice(p[1]), compute);
                    assertMatches(want, got, op != BinaryOp.POW || !dtype.isFloating(), op + " on " + dtype + " "
                            + java.util.Arrays.toString(p[0].shape()) + " x " + java.util.Arrays.toString(p[1].shape()));
                }
            }
        }
    }

    @Test
    void int64BinaryOpsWrapTruncateAndSaturateAsTheCpuDoes() {
        int n = LONGS.length;
        Tensor a = hostLongs(LONGS, n, 1), b = hostLongs(LONGS, n);
        for (BinaryOp op : BinaryOp.values()) {
            DType compute = op.isLogical() ? DType.BOOL : DType.INT64;
            assertMatches(CPU.binary(op, a, b, compute), cl.binary(op, onDevice(a), onDevice(b), compute), true, op + " on int64");
        }
        // Division and pow as the op layer sends them: int64 operands, float32 results.
        for (BinaryOp op : new BinaryOp[] {BinaryOp.DIV, BinaryOp.POW}) {
            assertMatches(CPU.binary(op, a, b, DType.FLOAT32), cl.binary(op, onDevice(a), onDevice(b), DType.FLOAT32), false, op + " int64 -> float32");
        }
        // Long.MAX_VALUE + 1 wraps; 7 / 0 saturates; 0 / 0 is NaN, which truncates to 0.
        Tensor x = onDevice(hostLongs(new long[] {Long.MAX_VALUE, 7, 0, -7}, 4)), y = onDevice(hostLongs(new long[] {1, 0, 0, 2}, 4));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 7, 0, -5}, cl.toLongs(cl.binary(BinaryOp.ADD, x, y, DType.INT64)));
        assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MAX_VALUE, 0, -3}, cl.toLongs(cl.binary(BinaryOp.DIV, x, y, DType.INT64)));
        assertArrayEquals(new long[] {Long.MAX_VALUE, 1, 1, 49}, cl.toLongs(cl.binary(BinaryOp.POW, x, y, DType.INT64)));
    }

    @Test
    void boolBinaryOpsMatchTheCpuForEveryPair() {
        Tensor a = host(new double[] {0, 1}, DType.BOOL, 2, 1), b = host(new double[] {0, 1}, DType.BOOL, 2);
        for (BinaryOp op : BinaryOp.values()) {
            assertMatches(CPU.binary(op, a, b, DType.BOOL), cl.binary(op, onDevice(a), onDevice(b), DType.BOOL), true, op + " on bool");
        }
    }

    @Test
    void mixedOperandDtypesAreReadAsTheCpuReadsThem() {
        int n = PAIR_FLOATS.length;
        Tensor f32 = host(PAIR_FLOATS, DType.FLOAT32, n);
        // A float64 0-dim scalar with a float32 tensor computes in float32 (DType.promote), but the
        // CPU compares and adds the unrounded double: 0.1f == 0.1 is false.
        Tensor tenth = host(new double[] {0.1}, DType.FLOAT64);
        Tensor longs = hostLongs(LONGS, LONGS.length);
        Tensor bools = host(new double[] {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0}, DType.BOOL, LONGS.length);
        Tensor[][] pairs = {{f32, tenth}, {longs, host(new double[] {2.5}, DType.FLOAT32)}, {longs, bools}};
        DType[] computes = {DType.FLOAT32, DType.FLOAT32, DType.INT64};
        for (int p = 0; p < pairs.length; p++) {
            for (BinaryOp op : BinaryOp.values()) {
                DType compute = op.isLogical() ? DType.BOOL : computes[p];
                Tensor a = pairs[p][0], b = pairs[p][1];
                assertMatches(CPU.binary(op, a, b, compute), cl.binary(op, onDevice(a), onDevice(b), compute),
                        op != BinaryOp.POW || compute == DType.INT64, op + " " + a.dtype() + " x " + b.dtype() + " as " + compute);
            }
        }
    }

    @Test
    void maximumAndMinimumPropagateNaNAndOrderSignedZeros() {
        Tensor a = onDevice(host(new double[] {NAN, 1, 0.0, -0.0, -INF}, DType.FLOAT32, 5));
        Tensor b = onDevice(host(new double[] {1, NAN, -0.0, 0.0, 2}, DType.FLOAT32, 5));
        double[] max = cl.binary(BinaryOp.MAXIMUM, a, b, DType.FLOAT32).toDoubleArray();
        double[] min = cl.binary(BinaryOp.MINIMUM, a, b, DType.FLOAT32).toDoubleArray();
        assertArrayEquals(new double[] {NAN, NAN, 0.0, 0.0, 2}, max);
        assertArrayEquals(new double[] {NAN, NAN, -0.0, -0.0, -INF}, min);
        assertEquals(Double.doubleToLongBits(0.0), Double.doubleToLongBits(max[3]), "maximum(-0, +0) is +0");
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(min[2]), "minimum(+0, -0) is -0");
    }

    @Test
    void binaryShapesThatDoNotBroadcastFailAsOnTheCpu() {
        Tensor a = host(new double[6], DType.FLOAT32, 2, 3), b = host(new double[4], DType.FLOAT32, 4);
        String want = assertThrows(IllegalArgumentException.class, () -> CPU.binary(BinaryOp.ADD, a, b, DType.FLOAT32)).getMessage();
        String got = assertThrows(IllegalArgumentException.class, () -> cl.binary(BinaryOp.ADD, onDevice(a), onDevice(b), DType.FLOAT32)).getMessage();
        assertEquals(want, got);
    }

    @Test
    void whereBroadcastsAllThreeAndConvertsToTheResultType() {
        Tensor cond = host(new double[] {1, 0, 1, 0, 0, 1}, DType.BOOL, 3, 2).transpose(0, 1); // [2, 3], strided
        Tensor c = cond.narrow(1, 1, 2).unsqueeze(1); // [2, 1, 2], offset
        double[] values = {NAN, -INF, 2.75, -2.75, 1e30, -0.0};
        // 2^60 + 2^36 + 1 rounds to float32 as 2^60 through double (a tie to even there) but as
        // 2^60 + 2^37 directly; the CPU goes through double.
        long big = (1L << 60) + (1L << 36) + 1;
        DType[] types = DType.values();
        // Every dtype as a, and as b, into every result dtype (b is a's successor, so that a and b differ).
        for (int i = 0; i < types.length; i++) {
            DType aType = types[i], bType = types[(i + 1) % types.length];
            Tensor a = host(values, aType, 2, 1, 3).narrow(2, 1, 2).expand(2, 3, 2); // [2, 3, 2], broadcast and offset
            Tensor b = bType == DType.INT64 ? hostLongs(new long[] {big}) : host(new double[] {-0.0}, bType);
            for (DType out : types) {
                Tensor want = CPU.where(c, a, b, out);
                Tensor got = cl.where(onDevice(c), onDevice(a), onDevice(b), out);
                assertMatches(want, got, true, "where " + aType + ", " + bType + " -> " + out);
            }
        }
        Tensor empty = host(new double[0], DType.FLOAT32, 0, 3);
        Tensor got = cl.where(onDevice(cond.narrow(0, 0, 1)), onDevice(empty), onDevice(host(new double[] {1}, DType.FLOAT32)), DType.FLOAT32);
        assertArrayEquals(new int[] {0, 3}, got.shape());
    }

    @Test
    void whereWithAnUnbroadcastableShapeFailsAsOnTheCpu() {
        Tensor c = host(new double[2], DType.BOOL, 2), a = host(new double[3], DType.FLOAT32, 3), b = host(new double[1], DType.FLOAT32, 1);
        String want = assertThrows(IllegalArgumentException.class, () -> CPU.where(c, a, b, DType.FLOAT32)).getMessage();
        String got = assertThrows(IllegalArgumentException.class, () -> cl.where(onDevice(c), onDevice(a), onDevice(b), DType.FLOAT32)).getMessage();
        assertEquals(want, got);
    }

    /**
     * Same dtype, shape and contiguity; then every element equal bit for bit (exact, or any
     * integer or bool result), or within the dtype's tolerance: relative 1e-5 for float32 and
     * 1e-10 for float64, with an absolute floor a hundred times smaller for results that cancel to
     * near zero. NaN must meet NaN, an infinity the same infinity, and a zero a zero of the same sign.
     */
    static void assertMatches(Tensor want, Tensor got, boolean exact, String what) {
        assertEquals(want.dtype(), got.dtype(), what + ": dtype");
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        assertTrue(got.isContiguous(), what + ": the result must be contiguous");
        assertEquals(Device.opencl(0), got.device(), what + ": device");
        if (want.dtype() == DType.INT64) {
            assertArrayEquals(CPU.toLongs(want), cl.toLongs(got), what);
            return;
        }
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        double rtol = want.dtype() == DType.FLOAT32 ? 1e-5 : 1e-10;
        for (int i = 0; i < w.length; i++) {
            boolean same = Double.compare(w[i], g[i]) == 0;
            if (same) continue;
            boolean ok = !exact && want.dtype().isFloating() && Double.isFinite(w[i]) && Double.isFinite(g[i])
                    && Math.abs(w[i] - g[i]) <= rtol * Math.abs(w[i]) + rtol * 1e-2
                    && !(w[i] == 0 && g[i] == 0); // only a zero of the other sign gets here
            if (!ok) fail(what + ": element " + i + " expected " + w[i] + " but got " + g[i] + (exact ? " (exact)" : ""));
        }
    }
}
