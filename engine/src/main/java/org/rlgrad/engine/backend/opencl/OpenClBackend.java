package org.rlgrad.engine.backend.opencl;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * The {@link Backend} that keeps tensors in OpenCL device buffers and computes them with kernels
 * compiled from the {@code .cl} resources beside this class, one backend per device
 * ({@code opencl:0}, {@code opencl:1}, ... in the order {@link OpenClDevices#system()} lists
 * them). Tensors stay on the device from op to op; only {@link #toDoubles}, {@link #toLongs} and
 * moves between devices copy to or from the host.
 *
 * <p>Each kernel group lives in its own class: {@link ClElementwise} (copies, casts, fills),
 * {@link ClPointwise} (unary, binary, where), {@link ClReductions} (reductions, softmax,
 * logsumexp), {@link ClScans} (cumulative ops, sorting), {@link ClMatmul} (the tiled matrix
 * product), {@link ClIndexing} (gather, scatter), {@link ClRandom} (the Philox fill) and
 * {@link ClAdam} (the fused optimiser step).
 *
 * <p>Kernels run on the context's one in-order queue, so each sees the results of the ones
 * enqueued before it. A {@link ClKernel}'s arguments belong to one thread, so each thread gets its
 * own kernel objects.
 */
public final class OpenClBackend implements Backend {
    private static final Map<Integer, OpenClBackend> OPENED = new ConcurrentHashMap<>();
    /** Bytes of released buffers kept for reuse ({@code -Drlgrad.opencl.poolMiB}, default 256). */
    private static final long POOL_BYTES = Long.getLong("rlgrad.opencl.poolMiB", 256) << 20;

    private final Device device;
    private final ClContext context;
    private final ClBufferPool pool = new ClBufferPool(POOL_BYTES);
    private final ThreadLocal<Map<KernelKey, ClKernel>> kernels = ThreadLocal.withInitial(HashMap::new);
    /** Host-device copies of tensor data so far (uploads and read-backs), for tests that keep them out of hot paths. */
    private final AtomicLong hostTransfers = new AtomicLong();

    final ClElementwise elementwise = new ClElementwise(this);
    final ClPointwise pointwise = new ClPointwise(this);
    final ClReductions reductions = new ClReductions(this);
    final ClScans scans = new ClScans(this);
    final ClMatmul matmul = new ClMatmul(this);
    final ClIndexing indexing = new ClIndexing(this);
    final ClRandom random = new ClRandom(this);
    final ClAdam adam = new ClAdam(this);

    private record KernelKey(String source, String options, String name) {}

    private OpenClBackend(int index, ClDevice clDevice) {
        this.device = new Device("opencl", index);
        this.context = ClContext.open(clDevice);
    }

    /**
     * The backend of OpenCL device {@code index} (as {@link OpenClDevices#system()} numbers them),
     * opened on first use and kept for the life of the program.
     *
     * @throws OpenClUnavailableException when there is no OpenCL or no such device; the message
     *     lists what was found
     */
    public static OpenClBackend device(int index) {
        return OPENED.computeIfAbsent(index, i -> new OpenClBackend(i, OpenClDevices.system().device(i)));
    }

    /** The OpenCL device this backend runs on (name, vendor, limits). */
    public ClDevice clDevice() {
        return context.device();
    }

    /**
     * Waits until every kernel and copy enqueued so far has finished. Ops return as soon as their
     * kernels are queued; reading a value waits by itself, so only timing code needs this.
     */
    public void finish() {
        context.finish();
    }

    /** How many times tensor data has been copied between host and device (either way) on this backend. */
    public long hostTransfers() {
        return hostTransfers.get();
    }

    ClContext context() {
        return context;
    }

    ClBufferPool pool() {
        return pool;
    }

    /** This thread's kernel {@code name} of the program built from resource {@code source} with {@code options}. */
    ClKernel kernel(String source, String options, String name) {
        return kernels.get().computeIfAbsent(new KernelKey(source, options, name),
                k -> context.program(ClSources.program(k.source()), k.options()).kernel(k.name()));
    }

    /** The storage of {@code t}, which must live on this backend. */
    OpenClStorage storage(Tensor t) {
        if (!(t.storage() instanceof OpenClStorage s) || s.backend() != this) {
            throw new IllegalArgumentException("expected a tensor on " + device + ", got one on " + t.device());
        }
        s.checkLive();
        return s;
    }

    /** The buffer of {@code t} (on this backend). */
    ClBuffer buffer(Tensor t) {
        return storage(t).buffer();
    }

    /** A storage whose contents are undefined, for kernels that write every element. */
    OpenClStorage allocateForOverwrite(DType dtype, int size) {
        long bytes = (long) size * ClTypes.bytes(dtype);
        ClBuffer b = pool.take(bytes);
        if (b == null) b = context.allocate(bytes);
        return new OpenClStorage(this, dtype, size, b);
    }

    /** A contiguous tensor of {@code shape} whose contents are undefined, for kernels that write every element. */
    Tensor emptyForOverwrite(DType dtype, int[] shape) {
        return new Tensor(allocateForOverwrite(dtype, Shape.numel(shape)), shape.clone());
    }

    /** {@code t} itself when it is contiguous, else a contiguous copy. */
    Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : copy(t, t.dtype());
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        OpenClStorage s = allocateForOverwrite(dtype, size);
        if (size > 0) s.buffer().fill((byte) 0);
        return s;
    }

    @Override
    public Storage fromDoubles(DType dtype, double[] data) {
        hostTransfers.incrementAndGet();
        OpenClStorage s = allocateForOverwrite(dtype, data.length);
        ClBuffer b = s.buffer();
        switch (dtype) {
            case FLOAT32 -> {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
                b.write(f);
            }
            case FLOAT64 -> b.write(data);
            case INT64 -> {
                long[] l = new long[data.length];
                for (int i = 0; i < l.length; i++) l[i] = (long) data[i];
                b.write(l);
            }
            case BOOL -> {
                byte[] u = new byte[data.length];
                for (int i = 0; i < u.length; i++) u[i] = (byte) (data[i] != 0 ? 1 : 0);
                b.write(u);
            }
        }
        return s;
    }

    @Override
    public Storage fromLongs(DType dtype, long[] data) {
        if (dtype != DType.INT64) { // a nonzero long stays nonzero as a double, so bool converts alike
            double[] d = new double[data.length];
            for (int i = 0; i < d.length; i++) d[i] = data[i];
            return fromDoubles(dtype, d);
        }
        hostTransfers.incrementAndGet();
        OpenClStorage s = allocateForOverwrite(dtype, data.length);
        s.buffer().write(data);
        return s;
    }

    @Override
    public double[] toDoubles(Tensor t) {
        hostTransfers.incrementAndGet();
        Tensor c = contiguous(t);
        int n = c.numel();
        double[] out = new double[n];
        if (n == 0) return out;
        ClBuffer b = buffer(c);
        long at = (long) c.offset() * ClTypes.bytes(c.dtype());
        switch (c.dtype()) {
            case FLOAT32 -> {
                float[] f = new float[n];
                b.read(at, f, 0, n);
                for (int i = 0; i < n; i++) out[i] = f[i];
            }
            case FLOAT64 -> b.read(at, out, 0, n);
            case INT64 -> {
                long[] l = new long[n];
                b.read(at, l, 0, n);
                for (int i = 0; i < n; i++) out[i] = l[i];
            }
            case BOOL -> {
                byte[] u = new byte[n];
                b.read(at, u, 0, n);
                for (int i = 0; i < n; i++) out[i] = u[i];
            }
        }
        return out;
    }

    @Override
    public long[] toLongs(Tensor t) {
        if (t.dtype() != DType.INT64) {
            double[] d = toDoubles(t);
            long[] out = new long[d.length];
            for (int i = 0; i < d.length; i++) out[i] = (long) d[i];
            return out;
        }
        hostTransfers.incrementAndGet();
        Tensor c = contiguous(t);
        long[] out = new long[c.numel()];
        if (out.length > 0) buffer(c).read((long) c.offset() * 8, out, 0, out.length);
        return out;
    }

    @Override
    public Tensor copy(Tensor src, DType dtype) {
        return elementwise.copy(src, dtype);
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        elementwise.copyInto(dst, src);
    }

    @Override
    public Tensor full(int[] shape, DType dtype, double value) {
        return elementwise.full(shape, dtype, value);
    }

    @Override
    public Tensor arange(int n, double start, double step, DType dtype) {
        return elementwise.arange(n, start, step, dtype);
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x, double a, double b) {
        return pointwise.unary(op, x, a, b);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType) {
        return pointwise.binary(op, a, b, computeType);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b, DType outType) {
        return pointwise.where(cond, a, b, outType);
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        return reductions.reduce(op, x, dims, keepdim);
    }

    @Override
    public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        return reductions.argReduce(max, x, dim, keepdim);
    }

    @Override
    public Tensor scan(ScanOp op, Tensor x, int dim) {
        return scans.scan(op, x, dim);
    }

    @Override
    public Tensor linearRecurrence(Tensor x, Tensor a, int dim, boolean reverse) {
        return scans.linearRecurrence(x, a, dim, reverse);
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        return reductions.softmax(x, dim, log);
    }

    @Override
    public Tensor logSumExp(Tensor x, int dim, boolean keepdim) {
        return reductions.logSumExp(x, dim, keepdim);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return matmul.matmul(a, b);
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return indexing.gather(x, dim, index);
    }

    @Override
    public Tensor scatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate) {
        return indexing.scatter(base, dim, index, src, accumulate);
    }

    @Override
    public Tensor sortIndices(Tensor x, int dim, boolean descending) {
        return scans.sortIndices(x, dim, descending);
    }

    @Override
    public Tensor philox(int[] shape, DType dtype, boolean normal, long key, long stream, long offset) {
        return random.philox(shape, dtype, normal, key, stream, offset);
    }

    @Override
    public boolean adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                        double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        return adam.step(param, grad, expAvg, expAvgSq, beta1, beta2, stepSize, biasCorrection2Sqrt, eps);
    }

    @Override
    public String toString() {
        return "OpenClBackend[" + device + ": " + context.device().name() + "]";
    }
}
