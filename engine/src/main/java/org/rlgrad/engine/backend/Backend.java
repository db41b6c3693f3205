package org.rlgrad.engine.backend;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The only layer that knows how numbers are stored and computed. Every method takes tensors
 * that may be arbitrary strided views (broadcast views have stride 0) and returns a fresh,
 * contiguous tensor on this backend; none of them records autograd history (the op layer does).
 * Shapes, dims and dtypes arrive already checked and normalised by the op layer.
 */
public interface Backend {
    Device device();

    /** A zero-filled buffer. */
    Storage allocate(DType dtype, int size);

    /** A buffer holding {@code data} converted to {@code dtype}. */
    Storage fromDoubles(DType dtype, double[] data);

    /** A buffer holding {@code data} converted to {@code dtype} (exact for int64). */
    Storage fromLongs(DType dtype, long[] data);

    /** The elements of {@code t} in row-major order, as doubles. */
    double[] toDoubles(Tensor t);

    /** The elements of {@code t} in row-major order, as longs (floats truncate toward zero). */
    long[] toLongs(Tensor t);

    /** A contiguous copy of {@code src} converted to {@code dtype}. */
    Tensor copy(Tensor src, DType dtype);

    /** Writes {@code src}, broadcast to {@code dst}'s shape and cast to its dtype, into the view {@code dst}. */
    void copyInto(Tensor dst, Tensor src);

    Tensor full(int[] shape, DType dtype, double value);

    /** {@code start + i * step} for {@code i < n}. */
    Tensor arange(int n, double start, double step, DType dtype);

    /** Element-wise op; the result has {@code x}'s dtype unless {@link UnaryOp#producesBool()}. */
    Tensor unary(UnaryOp op, Tensor x, double a, double b);

    /**
     * Broadcasting binary op. Operands are read as {@code computeType}; the result has that
     * dtype, or bool for comparisons and logical ops.
     */
    Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType);

    /** {@code cond ? a : b} with broadcasting, result in {@code outType}. */
    Tensor where(Tensor cond, Tensor a, Tensor b, DType outType);

    /** Reduces the sorted, distinct {@code dims} (all dims when the array holds every dim). */
    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim);

    /** Index (int64) of the first maximum (or minimum) along {@code dim}; NaN counts as the extreme. */
    Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim);

    Tensor scan(ScanOp op, Tensor x, int dim);

    /**
     * The first-order linear recurrence along {@code dim} of two float tensors of one shape:
     * {@code y_t = x_t + a_t · y_{t+1}} from the end of each line ({@code reverse}, the
     * discounted sums of value estimation), or {@code y_t = x_t + a_t · y_{t-1}} from its start,
     * with nothing (0) beyond the line. A scan like cumsum: sequential along the line, lines
     * independent.
     */
    Tensor linearRecurrence(Tensor x, Tensor a, int dim, boolean reverse);

    /** softmax along {@code dim} (or log_softmax when {@code log}) of a float tensor; NaN for a row of -inf. */
    Tensor softmax(Tensor x, int dim, boolean log);

    /** log sum exp along {@code dim} of a float tensor, stable for large entries; -inf for an empty or all -inf row. */
    Tensor logSumExp(Tensor x, int dim, boolean keepdim);

    /**
     * Batched matrix product: {@code a} is {@code [*B, n, k]}, {@code b} is {@code [*B, k, m]} with
     * identical batch dims (the op layer broadcasts them with expand); the result is {@code [*B, n, m]}.
     */
    Tensor matmul(Tensor a, Tensor b);

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1, and so on (torch.gather). */
    Tensor gather(Tensor x, int dim, Tensor index);

    /**
     * A copy of {@code base} with {@code src} written (or, when {@code accumulate}, added) at the
     * positions {@code index} names along {@code dim} (torch.scatter / scatter_add).
     */
    Tensor scatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate);

    /** The permutation (int64) that sorts {@code x} along {@code dim}; stable; NaN sorts as largest. */
    Tensor sortIndices(Tensor x, int dim, boolean descending);

    /**
     * A new float tensor of {@code shape} filled from the Philox stream {@code (key, stream)}
     * starting at block {@code offset}: uniform in [0, 1), or standard normal when {@code normal}.
     * Which words of which block make which element is fixed by {@link org.rlgrad.engine.random.Philox}
     * ({@code uniformFloat}, {@code uniformDouble}, {@code boxMuller}), so every backend and every
     * thread count gives the same numbers.
     */
    Tensor philox(int[] shape, DType dtype, boolean normal, long key, long stream, long offset);

    /**
     * One Adam update fused into a single in-place pass over {@code param}, {@code expAvg} and
     * {@code expAvgSq} (torch 1.13's per-tensor sequence, see {@code InPlace.adam}). Returns false,
     * writing nothing, when this backend has no fused form for these operands; the caller then
     * composes the update from ops.
     */
    default boolean adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                         double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        return false;
    }
}
