package org.rlgrad.engine.backend.cpu;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.backend.Storage;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The CPU backend: Java arrays, generic strided loops for every op and dtype, and SIMD fast paths
 * ({@link VectorKernels}) for contiguous float rows.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return new CpuStorage(dtype, size);
    }

    @Override
    public Storage fromDoubles(DType dtype, double[] data) {
        CpuStorage s = CpuStorage.forOverwrite(dtype, data.length);
        for (int i = 0; i < data.length; i++) s.set(i, data[i]);
        return s;
    }

    @Override
    public Storage fromLongs(DType dtype, long[] data) {
        CpuStorage s = CpuStorage.forOverwrite(dtype, data.length);
        for (int i = 0; i < data.length; i++) s.setLong(i, data[i]);
        return s;
    }

    @Override
    public double[] toDoubles(Tensor t) {
        CpuStorage s = storage(t);
        double[] out = new double[t.numel()];
        int[] pos = {0};
        StridedLoop.forEachRow(t.shapeRef(), new int[][] {t.stridesRef()}, new int[] {t.offset()}, (o, n, st) -> {
            for (int i = 0; i < n; i++) out[pos[0]++] = s.get(o[0] + i * st[0]);
        });
        return out;
    }

    @Override
    public long[] toLongs(Tensor t) {
        CpuStorage s = storage(t);
        long[] out = new long[t.numel()];
        int[] pos = {0};
        StridedLoop.forEachRow(t.shapeRef(), new int[][] {t.stridesRef()}, new int[] {t.offset()}, (o, n, st) -> {
            for (int i = 0; i < n; i++) out[pos[0]++] = s.getLong(o[0] + i * st[0]);
        });
        return out;
    }

    @Override
    public Tensor copy(Tensor src, DType dtype) {
        Tensor out = empty(dtype, src.shapeRef());
        copyInto(out, src);
        return out;
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        CpuStorage d = storage(dst);
        if (src.storage() == dst.storage()) src = copy(src, src.dtype()); // overlapping views: read before writing
        CpuStorage s = storage(src);
        int[] shape = dst.shapeRef();
        int[] srcStrides = broadcastStrides(src, shape);
        boolean exactLong = d.dtype() == DType.INT64 || s.dtype() == DType.INT64;
        StridedLoop.forEachRow(shape, new int[][] {dst.stridesRef(), srcStrides}, new int[] {dst.offset(), src.offset()}, (o, n, st) -> {
            if (d.dtype() == s.dtype() && st[0] == 1 && st[1] == 1) {
                System.arraycopy(array(s), o[1], array(d), o[0], n);
            } else if (s.b != null && d.f32 != null && st[0] == 1 && st[1] == 1) { // masks as numbers
                for (int i = 0; i < n; i++) d.f32[o[0] + i] = s.b[o[1] + i] ? 1f : 0f;
            } else if (s.b != null && d.f64 != null && st[0] == 1 && st[1] == 1) {
                for (int i = 0; i < n; i++) d.f64[o[0] + i] = s.b[o[1] + i] ? 1.0 : 0.0;
            } else if (exactLong) {
                for (int i = 0; i < n; i++) d.setLong(o[0] + i * st[0], s.getLong(o[1] + i * st[1]));
            } else {
                for (int i = 0; i < n; i++) d.set(o[0] + i * st[0], s.get(o[1] + i * st[1]));
            }
        });
        d.bumpVersion();
    }

    @Override
    public Tensor full(int[] shape, DType dtype, double value) {
        CpuStorage s = value == 0 ? new CpuStorage(dtype, Shape.numel(shape)) : CpuStorage.forOverwrite(dtype, Shape.numel(shape));
        if (value != 0) {
            switch (dtype) {
                case FLOAT32 -> Arrays.fill(s.f32, (float) value);
                case FLOAT64 -> Arrays.fill(s.f64, value);
                case INT64 -> Arrays.fill(s.i64, (long) value);
                case BOOL -> Arrays.fill(s.b, true);
            }
        }
        return new Tensor(s, shape.clone());
    }

    @Override
    public Tensor arange(int n, double start, double step, DType dtype) {
        CpuStorage s = CpuStorage.forOverwrite(dtype, n);
        for (int i = 0; i < n; i++) s.set(i, start + i * step);
        return new Tensor(s, new int[] {n});
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x, double a, double b) {
        DType outType = op.producesBool() ? DType.BOOL : x.dtype();
        Tensor out = empty(outType, x.shapeRef());
        CpuStorage xs = storage(x), os = storage(out);
        boolean floatFast = xs.dtype() == outType && xs.dtype().isFloating() && VectorKernels.hasUnaryFastPath(op);
        if (floatFast && x.isContiguous()) {
            // The common case without the strided walk (see contiguousBinary).
            int src = x.offset();
            if (xs.f32 != null) inChunks(x.numel(), (lo, hi) -> VectorKernels.unary(op, a, b, xs.f32, src + lo, os.f32, lo, hi - lo));
            else inChunks(x.numel(), (lo, hi) -> VectorKernels.unary(op, a, b, xs.f64, src + lo, os.f64, lo, hi - lo));
            return out;
        }
        if (op == UnaryOp.LOGICAL_NOT && xs.b != null && x.isContiguous()) { // masks: 1 - done
            int src = x.offset();
            for (int i = 0, n = x.numel(); i < n; i++) os.b[i] = !xs.b[src + i];
            return out;
        }
        DoubleUnaryOperator f = ScalarMath.unary(op, a, b);
        StridedLoop.forEachRow(x.shapeRef(), new int[][] {out.stridesRef(), x.stridesRef()}, new int[] {0, x.offset()}, (o, n, st) -> {
            if (floatFast) {
                // A strided row is first gathered into the output, then transformed in place by the
                // same SIMD kernel: the vector math library's results must not depend on layout.
                int from = o[1];
                if (st[1] != 1) {
                    for (int i = 0; i < n; i++) os.set(o[0] + i, xs.get(o[1] + i * st[1]));
                    from = o[0];
                }
                int src = from, dst = o[0];
                if (xs.f32 != null) {
                    float[] in = st[1] == 1 ? xs.f32 : os.f32;
                    inChunks(n, (lo, hi) -> VectorKernels.unary(op, a, b, in, src + lo, os.f32, dst + lo, hi - lo));
                } else {
                    double[] in = st[1] == 1 ? xs.f64 : os.f64;
                    inChunks(n, (lo, hi) -> VectorKernels.unary(op, a, b, in, src + lo, os.f64, dst + lo, hi - lo));
                }
                return;
            }
            for (int i = 0; i < n; i++) os.set(o[0] + i, f.applyAsDouble(xs.get(o[1] + i * st[1])));
        });
        return out;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType) {
        int[] shape = Shape.broadcast(op.displayName(), a.shapeRef(), b.shapeRef());
        DType outType = op.producesBool() ? DType.BOOL : computeType;
        Tensor out = empty(outType, shape);
        CpuStorage as = storage(a), bs = storage(b), os = storage(out);
        boolean floatFast = as.dtype() == computeType && bs.dtype() == computeType && outType == computeType;
        boolean sameFloats = as.dtype() == computeType && bs.dtype() == computeType && computeType.isFloating();
        if (sameFloats && contiguousBinary(op, a, b, shape, as, bs, os)) return out;
        int[][] strides = {out.stridesRef(), broadcastStrides(a, shape), broadcastStrides(b, shape)};
        boolean longExact = computeType == DType.INT64 && !op.isLogical() && op != BinaryOp.DIV && op != BinaryOp.POW;
        DoubleBinaryOperator f = ScalarMath.binary(op);
        StridedLoop.forEachRow(shape, strides, new int[] {0, a.offset(), b.offset()}, (o, n, st) -> {
            if (floatFast && st[1] == 1 && (st[2] == 1 || st[2] == 0)) {
                boolean scalar = st[2] == 0;
                if (VectorKernels.hasBinaryFastPath(op)) {
                    int xa = o[1], ya = o[2], oa = o[0];
                    if (as.f32 != null) {
                        inChunks(n, (lo, hi) -> VectorKernels.binary(op, as.f32, xa + lo, bs.f32, scalar ? ya : ya + lo, scalar, os.f32, oa + lo, hi - lo));
                    } else if (as.f64 != null) {
                        inChunks(n, (lo, hi) -> VectorKernels.binary(op, as.f64, xa + lo, bs.f64, scalar ? ya : ya + lo, scalar, os.f64, oa + lo, hi - lo));
                    }
                    if (as.f32 != null || as.f64 != null) return;
                }
            }
            if (longExact) {
                for (int i = 0; i < n; i++) {
                    os.setLong(o[0] + i, longBinary(op, as.getLong(o[1] + i * st[1]), bs.getLong(o[2] + i * st[2])));
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                os.set(o[0] + i, f.applyAsDouble(as.get(o[1] + i * st[1]), bs.get(o[2] + i * st[2])));
            }
        });
        return out;
    }

    /**
     * The common case without the strided walk: {@code a} contiguous with the output's shape and
     * {@code b} either the same or a single element, in float32 or float64. Small ops (an RL
     * step's bias adds and scalings) spend most of their time outside the kernel, so this path
     * avoids the generic walk's allocations and lambdas. Returns false when it does not apply.
     */
    private static boolean contiguousBinary(BinaryOp op, Tensor a, Tensor b, int[] shape, CpuStorage as, CpuStorage bs, CpuStorage os) {
        boolean compare = op.producesBool();
        if (!(compare ? VectorKernels.hasCompareFastPath(op) : VectorKernels.hasBinaryFastPath(op))) return false;
        if (a.numel() == 1 && b.numel() > 1 && isCommutative(op)) { // s * x: the scalar path with the operands swapped
            Tensor t = a;
            a = b;
            b = t;
            CpuStorage ts = as;
            as = bs;
            bs = ts;
        }
        if (!a.isContiguous() || !Arrays.equals(a.shapeRef(), shape)) return false;
        boolean scalar = b.numel() == 1;
        if (!scalar && !(b.isContiguous() && Arrays.equals(b.shapeRef(), shape))) return false;
        int n = a.numel(), xa = a.offset(), ya = b.offset();
        CpuStorage xs = as, ys = bs;
        if (compare) {
            if (xs.f32 != null) inChunks(n, (lo, hi) -> VectorKernels.compare(op, xs.f32, xa + lo, ys.f32, scalar ? ya : ya + lo, scalar, os.b, lo, hi - lo));
            else inChunks(n, (lo, hi) -> VectorKernels.compare(op, xs.f64, xa + lo, ys.f64, scalar ? ya : ya + lo, scalar, os.b, lo, hi - lo));
            return true;
        }
        if (xs.f32 != null) {
            inChunks(n, (lo, hi) -> VectorKernels.binary(op, xs.f32, xa + lo, ys.f32, scalar ? ya : ya + lo, scalar, os.f32, lo, hi - lo));
        } else if (xs.f64 != null) {
            inChunks(n, (lo, hi) -> VectorKernels.binary(op, xs.f64, xa + lo, ys.f64, scalar ? ya : ya + lo, scalar, os.f64, lo, hi - lo));
        } else {
            return false;
        }
        return true;
    }

    /** Ops whose two operands may be swapped with the same result, bit for bit (IEEE add and multiply, Math.max/min). */
    private static boolean isCommutative(BinaryOp op) {
        return op == BinaryOp.ADD || op == BinaryOp.MUL || op == BinaryOp.MAXIMUM || op == BinaryOp.MINIMUM
                || op == BinaryOp.EQ || op == BinaryOp.NE;
    }

    /**
     * {@code where} without the strided walk: a contiguous bool condition of the output's shape,
     * and float values of the output's dtype, each contiguous of that shape or a single element.
     */
    private static boolean contiguousWhere(Tensor cond, Tensor a, Tensor b, int[] shape, CpuStorage cs, CpuStorage as, CpuStorage bs, CpuStorage os) {
        if (cs.b == null || !cond.isContiguous() || !Arrays.equals(cond.shapeRef(), shape)) return false;
        if (as.dtype() != os.dtype() || bs.dtype() != os.dtype() || !os.dtype().isFloating()) return false;
        boolean aScalar = a.numel() == 1, bScalar = b.numel() == 1;
        if (!aScalar && !(a.isContiguous() && Arrays.equals(a.shapeRef(), shape))) return false;
        if (!bScalar && !(b.isContiguous() && Arrays.equals(b.shapeRef(), shape))) return false;
        int n = cond.numel(), c0 = cond.offset(), a0 = a.offset(), b0 = b.offset();
        if (os.f32 != null) {
            inChunks(n, (lo, hi) -> VectorKernels.where(cs.b, c0 + lo, as.f32, aScalar ? a0 : a0 + lo, aScalar, bs.f32, bScalar ? b0 : b0 + lo, bScalar, os.f32, lo, hi - lo));
        } else {
            inChunks(n, (lo, hi) -> VectorKernels.where(cs.b, c0 + lo, as.f64, aScalar ? a0 : a0 + lo, aScalar, bs.f64, bScalar ? b0 : b0 + lo, bScalar, os.f64, lo, hi - lo));
        }
        return true;
    }

    private static long longBinary(BinaryOp op, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
            default -> throw new IllegalArgumentException("no int64 form of " + op);
        };
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b, DType outType) {
        int[] shape = Shape.broadcast("where", cond.shapeRef(), a.shapeRef(), b.shapeRef());
        Tensor out = empty(outType, shape);
        CpuStorage cs = storage(cond), as = storage(a), bs = storage(b), os = storage(out);
        if (contiguousWhere(cond, a, b, shape, cs, as, bs, os)) return out;
        int[][] strides = {out.stridesRef(), broadcastStrides(cond, shape), broadcastStrides(a, shape), broadcastStrides(b, shape)};
        boolean exactLong = outType == DType.INT64;
        StridedLoop.forEachRow(shape, strides, new int[] {0, cond.offset(), a.offset(), b.offset()}, (o, n, st) -> {
            for (int i = 0; i < n; i++) {
                boolean c = cs.get(o[1] + i * st[1]) != 0;
                if (exactLong) os.setLong(o[0] + i, c ? as.getLong(o[2] + i * st[2]) : bs.getLong(o[3] + i * st[3]));
                else os.set(o[0] + i, c ? as.get(o[2] + i * st[2]) : bs.get(o[3] + i * st[3]));
            }
        });
        return out;
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        int[] inShape = x.shapeRef();
        int[] outShape = Shape.reduced(inShape, dims, keepdim);
        DType outType = op.resultType(x.dtype());
        int outNumel = Shape.numel(outShape);
        int last = inShape.length - 1;
        if (dims.length == 1 && dims[0] == last && x.isContiguous() && x.numel() > 0 && x.dtype().isFloating()
                && (op == ReduceOp.SUM || op == ReduceOp.MAX || op == ReduceOp.MIN)) {
            // Rows of a contiguous tensor: one SIMD reduction per row, rows split across threads.
            Tensor out = empty(outType, outShape);
            CpuStorage xs = storage(x), os = storage(out);
            int n = inShape[last], base = x.offset();
            inRowChunks(outNumel, n, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    os.set(r, xs.f32 != null ? VectorKernels.reduce(op, xs.f32, base + r * n, n) : VectorKernels.reduce(op, xs.f64, base + r * n, n));
                }
            });
            return out;
        }
        // Accumulate in double (exact for int64 sums below 2^53), then store in the output dtype.
        double[] acc = new double[outNumel];
        Arrays.fill(acc, PlainKernels.identity(op));
        int[] accStrides = Shape.contiguousStrides(Shape.reduced(inShape, dims, true));
        for (int d : dims) accStrides[d] = 0;
        CpuStorage xs = storage(x);
        StridedLoop.forEachRow(inShape, new int[][] {accStrides, x.stridesRef()}, new int[] {0, x.offset()}, (o, n, st) -> {
            if (st[0] == 0 && st[1] == 1 && (op == ReduceOp.SUM || op == ReduceOp.MAX || op == ReduceOp.MIN)) {
                if (xs.f32 != null) {
                    acc[o[0]] = PlainKernels.combine(op, acc[o[0]], VectorKernels.reduce(op, xs.f32, o[1], n));
                    return;
                }
                if (xs.f64 != null) {
                    acc[o[0]] = PlainKernels.combine(op, acc[o[0]], VectorKernels.reduce(op, xs.f64, o[1], n));
                    return;
                }
            }
            if (op == ReduceOp.SUM && st[0] == 1 && st[1] == 1 && xs.f32 != null) {
                // Summing over a leading dim (a bias gradient): whole rows add into the accumulators.
                for (int i = 0; i < n; i++) acc[o[0] + i] += xs.f32[o[1] + i];
                return;
            }
            for (int i = 0; i < n; i++) {
                int k = o[0] + i * st[0];
                acc[k] = PlainKernels.combine(op, acc[k], xs.get(o[1] + i * st[1]));
            }
        });
        if ((op == ReduceOp.MAX || op == ReduceOp.MIN) && x.numel() == 0 && outNumel > 0) {
            throw new IllegalArgumentException((op == ReduceOp.MAX ? "amax" : "amin") + ": cannot reduce an empty dim of shape "
                    + Shape.format(inShape) + " (there is no identity)");
        }
        Storage s = fromDoubles(outType, acc);
        return new Tensor(s, outShape);
    }

    @Override
    public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        int[] shape = x.shapeRef();
        int len = shape[dim];
        if (len == 0) throw new IllegalArgumentException((max ? "argmax" : "argmin") + ": dim " + dim + " of shape " + Shape.format(shape) + " is empty");
        int[] outShape = Shape.reduced(shape, new int[] {dim}, keepdim);
        CpuStorage xs = storage(x);
        long[] result = new long[Shape.numel(outShape)];
        int step = x.stridesRef()[dim];
        int[] lineShape = x.shape();
        lineShape[dim] = 1;
        forEachLine(x, Shape.contiguousStrides(lineShape), dim, (base, line) -> {
            int best = 0;
            double bestValue = xs.get(base);
            for (int i = 1; i < len && !Double.isNaN(bestValue); i++) {
                double v = xs.get(base + i * step);
                if (Double.isNaN(v) || (max ? v > bestValue : v < bestValue)) {
                    best = i;
                    bestValue = v;
                }
            }
            result[line] = best;
        });
        return new Tensor(fromLongs(DType.INT64, result), outShape);
    }

    @Override
    public Tensor scan(ScanOp op, Tensor x, int dim) {
        Tensor out = empty(x.dtype(), x.shapeRef());
        CpuStorage xs = storage(x), os = storage(out);
        int len = x.shapeRef()[dim];
        int step = x.stridesRef()[dim];
        int outStep = out.stridesRef()[dim];
        forEachLine(x, out.stridesRef(), dim, (base, outBase) -> {
            double accum = op == ScanOp.CUMSUM ? 0 : 1;
            for (int i = 0; i < len; i++) {
                double v = xs.get(base + i * step);
                accum = op == ScanOp.CUMSUM ? accum + v : accum * v;
                os.set(outBase + i * outStep, accum);
            }
        });
        return out;
    }

    @Override
    public Tensor linearRecurrence(Tensor x, Tensor a, int dim, boolean reverse) {
        Tensor out = empty(x.dtype(), x.shapeRef());
        CpuStorage xs = storage(x), as = storage(a), os = storage(out);
        int len = x.shapeRef()[dim];
        if (len == 0 || out.numel() == 0) return out;
        if (x.isContiguous() && a.isContiguous() && (xs.f32 != null && as.f32 != null || xs.f64 != null && as.f64 != null)) {
            // Contiguous operands: each block of len x inner elements holds `inner` independent lines
            // (the dims after `dim`), advanced side by side; blocks split across threads.
            int inner = 1;
            for (int d = dim + 1; d < x.dim(); d++) inner *= x.shapeRef()[d];
            int blocks = out.numel() / (len * inner), span = len * inner, xo = x.offset(), ao = a.offset(), in = inner;
            inRowChunks(blocks, span, (lo, hi) -> {
                if (xs.f32 != null) {
                    PlainKernels.linearRecurrenceBlocks(xs.f32, xo + lo * span, as.f32, ao + lo * span, os.f32, lo * span, hi - lo, len, in, reverse);
                } else {
                    PlainKernels.linearRecurrenceBlocks(xs.f64, xo + lo * span, as.f64, ao + lo * span, os.f64, lo * span, hi - lo, len, in, reverse);
                }
            });
            return out;
        }
        int xStep = x.stridesRef()[dim], aStep = a.stridesRef()[dim], outStep = out.stridesRef()[dim];
        int[] lines = x.shape();
        lines[dim] = 1;
        StridedLoop.forEachRow(lines, new int[][] {x.stridesRef(), a.stridesRef(), out.stridesRef()},
                new int[] {x.offset(), a.offset(), 0}, (o, n, st) -> {
                    for (int r = 0; r < n; r++) {
                        int xb = o[0] + r * st[0], ab = o[1] + r * st[1], ob = o[2] + r * st[2];
                        double carry = 0; // carried in double, as the CPU's cumsum is
                        for (int k = 0; k < len; k++) {
                            int i = reverse ? len - 1 - k : k;
                            carry = xs.get(xb + i * xStep) + as.get(ab + i * aStep) * carry;
                            os.set(ob + i * outStep, carry);
                        }
                    }
                });
        return out;
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        Tensor rows = rowsAlong(x, dim);
        int n = x.shapeRef()[dim];
        Tensor out = empty(x.dtype(), rows.shapeRef());
        CpuStorage xs = storage(rows), os = storage(out);
        int count = n == 0 ? 0 : rows.numel() / n;
        int base = rows.offset();
        inRowChunks(count, n, (lo, hi) -> {
            if (xs.f32 != null) SoftmaxKernels.softmax(xs.f32, base + lo * n, os.f32, lo * n, hi - lo, n, log);
            else SoftmaxKernels.softmax(xs.f64, base + lo * n, os.f64, lo * n, hi - lo, n, log);
        });
        if (rows == x) return out;
        // Undo the move of `dim` to the end.
        int[] perm = new int[x.dim()];
        for (int i = 0, k = 0; i < perm.length; i++) perm[i] = i == dim ? perm.length - 1 : k++;
        int[] shape = new int[perm.length], strides = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            shape[i] = out.shapeRef()[perm[i]];
            strides[i] = out.stridesRef()[perm[i]];
        }
        return copy(new Tensor(out.storage(), shape, strides, 0), x.dtype());
    }

    @Override
    public Tensor logSumExp(Tensor x, int dim, boolean keepdim) {
        Tensor rows = rowsAlong(x, dim);
        int n = x.shapeRef()[dim];
        int[] outShape = Shape.reduced(x.shapeRef(), new int[] {dim}, keepdim);
        Tensor out = empty(x.dtype(), outShape);
        CpuStorage xs = storage(rows), os = storage(out);
        int count = out.numel();
        int base = rows.offset();
        inRowChunks(count, n, (lo, hi) -> {
            if (xs.f32 != null) SoftmaxKernels.logSumExp(xs.f32, base + lo * n, new float[n], os.f32, lo, hi - lo, n);
            else SoftmaxKernels.logSumExp(xs.f64, base + lo * n, new double[n], os.f64, lo, hi - lo, n);
        });
        return out;
    }

    /** {@code x} with {@code dim} moved last and laid out contiguously (x itself when it already is). */
    private Tensor rowsAlong(Tensor x, int dim) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException("softmax/logsumexp: expected a float tensor, got " + x.dtype());
        int last = x.dim() - 1;
        if (dim == last && x.isContiguous()) return x;
        int[] shape = new int[x.dim()], strides = new int[x.dim()];
        for (int i = 0, k = 0; i < x.dim(); i++) {
            if (i == dim) continue;
            shape[k] = x.shapeRef()[i];
            strides[k++] = x.stridesRef()[i];
        }
        shape[last] = x.shapeRef()[dim];
        strides[last] = x.stridesRef()[dim];
        return copy(new Tensor(x.storage(), shape, strides, x.offset()), x.dtype());
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int r = a.dim();
        int n = a.shapeRef()[r - 2], k = a.shapeRef()[r - 1], m = b.shapeRef()[r - 1];
        int[] batch = Arrays.copyOf(a.shapeRef(), r - 2);
        int[] outShape = Shape.concat(batch, new int[] {n, m});
        DType dtype = a.dtype();
        Tensor out = empty(dtype, outShape);
        CpuStorage as = storage(a), bs = storage(b), os = storage(out);
        int[] aStr = a.stridesRef(), bStr = b.stridesRef();
        if (r == 2) {
            Gemm.multiply(as, a.offset(), aStr[0], aStr[1], bs, b.offset(), bStr[0], bStr[1], os, 0, n, k, m);
            return out;
        }
        int[][] batchStrides = {
            Arrays.copyOf(out.stridesRef(), r - 2), Arrays.copyOf(aStr, r - 2), Arrays.copyOf(bStr, r - 2)
        };
        int[] batchShape = batch.length == 0 ? new int[0] : batch;
        StridedLoop.forEachRow(batchShape, batchStrides, new int[] {0, a.offset(), b.offset()}, (o, count, st) -> {
            for (int i = 0; i < count; i++) {
                Gemm.multiply(as, o[1] + i * st[1], aStr[r - 2], aStr[r - 1], bs, o[2] + i * st[2], bStr[r - 2], bStr[r - 1],
                        os, o[0] + i * st[0], n, k, m);
            }
        });
        return out;
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        int[] shape = index.shapeRef();
        Tensor out = empty(x.dtype(), shape);
        CpuStorage xs = storage(x), is = storage(index), os = storage(out);
        int[] xStrides = x.stridesRef().clone();
        int dimStride = xStrides[dim];
        int dimSize = x.shapeRef()[dim];
        xStrides[dim] = 0;
        boolean exactLong = x.dtype() == DType.INT64;
        StridedLoop.forEachRow(shape, new int[][] {out.stridesRef(), index.stridesRef(), xStrides},
                new int[] {0, index.offset(), x.offset()}, (o, n, st) -> {
                    for (int i = 0; i < n; i++) {
                        long idx = checkIndex("gather", is.getLong(o[1] + i * st[1]), dimSize, dim);
                        int src = o[2] + i * st[2] + (int) idx * dimStride;
                        if (exactLong) os.setLong(o[0] + i, xs.getLong(src));
                        else os.set(o[0] + i, xs.get(src));
                    }
                });
        return out;
    }

    @Override
    public Tensor scatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate) {
        Tensor out = copy(base, base.dtype());
        CpuStorage os = storage(out), is = storage(index), ss = storage(src);
        int[] outStrides = out.stridesRef().clone();
        int dimStride = outStrides[dim];
        int dimSize = out.shapeRef()[dim];
        outStrides[dim] = 0;
        int[] srcStrides = src.stridesRef();
        boolean exactLongs = out.dtype() == DType.INT64;
        StridedLoop.forEachRow(index.shapeRef(), new int[][] {outStrides, index.stridesRef(), srcStrides},
                new int[] {0, index.offset(), src.offset()}, (o, n, st) -> {
                    for (int i = 0; i < n; i++) {
                        long idx = checkIndex(accumulate ? "scatter_add" : "scatter", is.getLong(o[1] + i * st[1]), dimSize, dim);
                        int dst = o[0] + i * st[0] + (int) idx * dimStride;
                        if (exactLongs) { // int64 values past 2^53 do not survive a trip through double
                            long v = ss.getLong(o[2] + i * st[2]);
                            os.setLong(dst, accumulate ? os.getLong(dst) + v : v);
                        } else {
                            double v = ss.get(o[2] + i * st[2]);
                            os.set(dst, accumulate ? os.get(dst) + v : v);
                        }
                    }
                });
        return out;
    }

    @Override
    public Tensor sortIndices(Tensor x, int dim, boolean descending) {
        Tensor out = empty(DType.INT64, x.shapeRef());
        CpuStorage xs = storage(x), os = storage(out);
        int len = x.shapeRef()[dim];
        int step = x.stridesRef()[dim];
        int outStep = out.stridesRef()[dim];
        // NaN sorts as the largest value, as in PyTorch.
        Comparator<Double> ascending = (p, q) -> Double.isNaN(p) ? (Double.isNaN(q) ? 0 : 1) : Double.isNaN(q) ? -1 : Double.compare(p, q);
        forEachLine(x, out.stridesRef(), dim, (base, outBase) -> {
            Double[] values = new Double[len];
            Integer[] order = new Integer[len];
            for (int i = 0; i < len; i++) {
                values[i] = xs.get(base + i * step);
                order[i] = i;
            }
            Comparator<Integer> byValue = (p, q) -> ascending.compare(values[p], values[q]);
            Arrays.sort(order, descending ? (p, q) -> byValue.compare(q, p) : byValue);
            for (int i = 0; i < len; i++) os.setLong(outBase + i * outStep, order[i]);
        });
        return out;
    }

    @Override
    public boolean adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                        double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        return OptimKernels.adam(param, grad, expAvg, expAvgSq, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
    }

    // ------------------------------------------------------------------ helpers

    /** Elements per task below which splitting work across threads costs more than it saves. */
    private static final int PARALLEL_GRAIN = 32_768;

    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over [0, n), split into contiguous chunks on the CPU pool when n is large. */
    private static void inChunks(int n, Range body) {
        int tasks = Math.min(CpuThreads.threads(), n / PARALLEL_GRAIN);
        if (tasks <= 1) {
            body.run(0, n);
            return;
        }
        CpuThreads.run(tasks, t -> body.run((int) ((long) n * t / tasks), (int) ((long) n * (t + 1) / tasks)));
    }

    /** Like {@link #inChunks}, over {@code rows} rows of {@code width} elements; chunks hold whole rows. */
    private static void inRowChunks(int rows, int width, Range body) {
        int tasks = Math.min(CpuThreads.threads(), Math.min(rows, (int) Math.min(Integer.MAX_VALUE, (long) rows * width / PARALLEL_GRAIN)));
        if (tasks <= 1) {
            body.run(0, rows);
            return;
        }
        CpuThreads.run(tasks, t -> body.run(rows * t / tasks, rows * (t + 1) / tasks));
    }

    /** Receives one 1-d line along a dim: the offset of its first element in x and in the output. */
    private interface LineBody {
        void line(int xOffset, int outOffset);
    }

    /**
     * Visits each 1-d line of {@code x} along {@code dim} together with the same line of an output
     * laid out with {@code outStrides} (offset 0); the size along {@code dim} is ignored.
     */
    private static void forEachLine(Tensor x, int[] outStrides, int dim, LineBody body) {
        int[] shape = x.shape();
        shape[dim] = 1;
        StridedLoop.forEachRow(shape, new int[][] {x.stridesRef(), outStrides}, new int[] {x.offset(), 0}, (o, n, st) -> {
            for (int i = 0; i < n; i++) body.line(o[0] + i * st[0], o[1] + i * st[1]);
        });
    }

    @Override
    public Tensor philox(int[] shape, DType dtype, boolean normal, long key, long stream, long offset) {
        Tensor out = empty(dtype, shape);
        CpuStorage os = storage(out);
        int n = out.numel();
        // Chunks start on block boundaries (4 float32 or 2 float64 elements), so no block is split.
        int per = dtype == DType.FLOAT32 ? 4 : 2;
        int blocks = (n + per - 1) / per;
        inChunks(blocks, (lo, hi) -> {
            int from = lo * per, to = Math.min(n, hi * per);
            if (os.f32 != null) RandomKernels.fill(os.f32, from, to, normal, key, stream, offset);
            else RandomKernels.fill(os.f64, from, to, normal, key, stream, offset);
        });
        return out;
    }

    private static long checkIndex(String op, long idx, int size, int dim) {
        if (idx < 0 || idx >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + idx + " is out of range for dim " + dim + " of size " + size);
        }
        return idx;
    }

    /** A contiguous output of unspecified contents: every caller writes all of its elements. */
    private static Tensor empty(DType dtype, int[] shape) {
        return new Tensor(CpuStorage.forOverwrite(dtype, Shape.numel(shape)), shape.clone());
    }

    static CpuStorage storage(Tensor t) {
        if (!(t.storage() instanceof CpuStorage s)) {
            throw new IllegalArgumentException("cpu backend: got a tensor on " + t.device() + "; move it to cpu first");
        }
        s.checkLive();
        return s;
    }

    private static Object array(CpuStorage s) {
        return switch (s.dtype()) {
            case FLOAT32 -> s.f32;
            case FLOAT64 -> s.f64;
            case INT64 -> s.i64;
            case BOOL -> s.b;
        };
    }

    /** Strides that read {@code t} as if broadcast to {@code shape}: 0 along stretched and missing leading dims. */
    static int[] broadcastStrides(Tensor t, int[] shape) {
        int[] ts = t.shapeRef(), tst = t.stridesRef();
        int[] out = new int[shape.length];
        int lead = shape.length - ts.length;
        for (int i = 0; i < ts.length; i++) out[lead + i] = ts[i] == 1 && shape[lead + i] != 1 ? 0 : tst[i];
        return out;
    }
}
