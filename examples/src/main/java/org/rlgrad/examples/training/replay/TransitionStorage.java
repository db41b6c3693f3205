package org.rlgrad.examples.training.replay;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A fixed number of transitions kept in plain Java arrays, one column per TensorDict leaf, written
 * circularly: once full, each new transition overwrites the oldest (TorchRL's
 * {@code LazyTensorStorage} with a round-robin writer).
 *
 * <p>The first {@link #write} fixes the layout: every leaf key (nested ones such as
 * {@code ("next", "reward")} included), its dtype and its per-transition shape (the shape after the
 * batch dims). Later writes must bring the same leaves with the same shapes. A write of batch
 * {@code [n_envs, T]} is flattened row-major into {@code n_envs · T} transitions. Reading
 * ({@link #gather}) builds a TensorDict of batch {@code [B]} with the same keys, dtypes and
 * per-transition shapes: the layout the losses read.
 *
 * <p>Why arrays rather than one tensor per key: sampling is a gather of a few hundred rows, which
 * in Java is a handful of {@code System.arraycopy} calls, far cheaper than an indexed tensor op.
 */
public final class TransitionStorage {
    private final int capacity;
    private final Map<Key, Column> columns = new LinkedHashMap<>();
    private int size;
    private int cursor;
    private long written;

    public TransitionStorage(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("TransitionStorage: expected a positive capacity, got " + capacity);
        this.capacity = capacity;
    }

    public int capacity() { return capacity; }

    /** The transitions held now (at most the capacity). */
    public int size() { return size; }

    /** Transitions written since construction, overwritten ones included. */
    public long written() { return written; }

    /** The keys of the stored leaves, in the order of the first write (empty before it). */
    public List<Key> keys() { return List.copyOf(columns.keySet()); }

    /**
     * Writes every transition of {@code batch} (its batch dims flattened); returns the slots they
     * went to, in order. A batch larger than the capacity keeps only its last {@code capacity} rows.
     */
    public int[] write(TensorDict batch) {
        int[] batchSize = batch.batchSize();
        if (batchSize.length == 0) throw new IllegalArgumentException("TransitionStorage.write: expected a batch of transitions, got a TensorDict with no batch dims");
        int n = Shape.numel(batchSize);
        Map<Key, Tensor> leaves = batch.leaves();
        if (columns.isEmpty()) {
            if (leaves.isEmpty()) throw new IllegalArgumentException("TransitionStorage.write: the batch holds no tensors");
            for (Map.Entry<Key, Tensor> e : leaves.entrySet()) {
                int[] shape = e.getValue().shapeRef();
                columns.put(e.getKey(), Column.of(e.getKey(), e.getValue().dtype(), Arrays.copyOfRange(shape, batchSize.length, shape.length), capacity));
            }
        } else if (!leaves.keySet().equals(columns.keySet())) {
            throw new IllegalArgumentException("TransitionStorage.write: expected the leaves " + columns.keySet() + ", got " + leaves.keySet());
        }
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) slots[i] = (cursor + i) % capacity;
        for (Map.Entry<Key, Column> e : columns.entrySet()) e.getValue().write(leaves.get(e.getKey()), batchSize.length, n, slots);
        cursor = (cursor + n) % capacity;
        size = (int) Math.min(capacity, size + (long) n);
        written += n;
        return slots;
    }

    /** The transitions at {@code slots}, as a TensorDict of batch {@code [slots.length]}. */
    public TensorDict gather(int[] slots) {
        if (size == 0) throw new IllegalStateException("TransitionStorage.gather: the storage is empty");
        for (int s : slots) {
            if (s < 0 || s >= size) throw new IndexOutOfBoundsException("TransitionStorage.gather: slot " + s + " is outside [0, " + size + ")");
        }
        TensorDict out = new TensorDict(slots.length);
        for (Map.Entry<Key, Column> e : columns.entrySet()) out.set(e.getKey(), e.getValue().gather(slots));
        return out;
    }

    /** One leaf's values: {@code width} numbers per transition, in an array of the leaf's kind. */
    private abstract static class Column {
        final DType dtype;
        final int[] itemShape;
        final int width;

        Column(DType dtype, int[] itemShape) {
            this.dtype = dtype;
            this.itemShape = itemShape;
            this.width = Shape.numel(itemShape);
        }

        static Column of(Key key, DType dtype, int[] itemShape, int capacity) {
            long cells = (long) capacity * Shape.numel(itemShape);
            if (cells > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("TransitionStorage: " + key + " needs " + cells + " numbers at capacity " + capacity + ", more than an array holds");
            }
            return switch (dtype) {
                case FLOAT32 -> new FloatColumn(itemShape, (int) cells);
                case FLOAT64 -> new DoubleColumn(itemShape, (int) cells);
                case INT64 -> new LongColumn(itemShape, (int) cells);
                case BOOL -> new BoolColumn(itemShape, (int) cells);
            };
        }

        final void write(Tensor t, int batchDims, int n, int[] slots) {
            int[] shape = t.shapeRef();
            int[] item = Arrays.copyOfRange(shape, batchDims, shape.length);
            if (t.dtype() != dtype || !Arrays.equals(item, itemShape)) {
                throw new IllegalArgumentException("TransitionStorage.write: expected " + dtype + " items of shape " + Shape.format(itemShape) + ", got "
                        + t.dtype() + " items of shape " + Shape.format(item));
            }
            copyIn(t, n, slots);
        }

        final Tensor gather(int[] slots) {
            int[] shape = new int[itemShape.length + 1];
            shape[0] = slots.length;
            System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
            return copyOut(slots, shape);
        }

        abstract void copyIn(Tensor t, int n, int[] slots);

        abstract Tensor copyOut(int[] slots, int[] shape);
    }

    private static final class FloatColumn extends Column {
        private final float[] data;

        FloatColumn(int[] itemShape, int cells) { super(DType.FLOAT32, itemShape); data = new float[cells]; }

        @Override
        void copyIn(Tensor t, int n, int[] slots) {
            float[] src = t.toFloatArray();
            for (int i = 0; i < n; i++) System.arraycopy(src, i * width, data, slots[i] * width, width);
        }

        @Override
        Tensor copyOut(int[] slots, int[] shape) {
            float[] out = new float[slots.length * width];
            for (int i = 0; i < slots.length; i++) System.arraycopy(data, slots[i] * width, out, i * width, width);
            return Tensor.of(out, shape);
        }
    }

    private static final class DoubleColumn extends Column {
        private final double[] data;

        DoubleColumn(int[] itemShape, int cells) { super(DType.FLOAT64, itemShape); data = new double[cells]; }

        @Override
        void copyIn(Tensor t, int n, int[] slots) {
            double[] src = t.toDoubleArray();
            for (int i = 0; i < n; i++) System.arraycopy(src, i * width, data, slots[i] * width, width);
        }

        @Override
        Tensor copyOut(int[] slots, int[] shape) {
            double[] out = new double[slots.length * width];
            for (int i = 0; i < slots.length; i++) System.arraycopy(data, slots[i] * width, out, i * width, width);
            return Tensor.of(DType.FLOAT64, out, shape);
        }
    }

    private static final class LongColumn extends Column {
        private final long[] data;

        LongColumn(int[] itemShape, int cells) { super(DType.INT64, itemShape); data = new long[cells]; }

        @Override
        void copyIn(Tensor t, int n, int[] slots) {
            long[] src = t.toLongArray();
            for (int i = 0; i < n; i++) System.arraycopy(src, i * width, data, slots[i] * width, width);
        }

        @Override
        Tensor copyOut(int[] slots, int[] shape) {
            long[] out = new long[slots.length * width];
            for (int i = 0; i < slots.length; i++) System.arraycopy(data, slots[i] * width, out, i * width, width);
            return Tensor.of(out, shape);
        }
    }

    private static final class BoolColumn extends Column {
        private final boolean[] data;

        BoolColumn(int[] itemShape, int cells) { super(DType.BOOL, itemShape); data = new boolean[cells]; }

        @Override
        void copyIn(Tensor t, int n, int[] slots) {
            boolean[] src = t.toBooleanArray();
            for (int i = 0; i < n; i++) System.arraycopy(src, i * width, data, slots[i] * width, width);
        }

        @Override
        Tensor copyOut(int[] slots, int[] shape) {
            boolean[] out = new boolean[slots.length * width];
            for (int i = 0; i < slots.length; i++) System.arraycopy(data, slots[i] * width, out, i * width, width);
            return Tensor.of(out, shape);
        }
    }
}
