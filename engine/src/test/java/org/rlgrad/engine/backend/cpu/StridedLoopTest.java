package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@link StridedLoop} merges dims and walks rows; everything that copies or reads a view rests
 * on it. Checked two ways: the element offsets it visits against a plain odometer over random
 * shapes and strides (zero, negative, size-1 and empty dims), and copies of permuted, expanded,
 * flipped, narrowed and sliced views against an element-by-element reference computed from the
 * view's shape, strides and offset.
 */
class StridedLoopTest {
    private final Random random = new Random(99);

    @Test
    void visitsTheSameOffsetsAsAnOdometer() {
        int checked = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int rank = random.nextInt(5);
            int operands = 1 + random.nextInt(3);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(4);
            int[][] strides = new int[operands][rank];
            int[] offsets = new int[operands];
            for (int j = 0; j < operands; j++) {
                offsets[j] = random.nextInt(1000);
                boolean contiguous = random.nextBoolean(); // often contiguous, so that merging happens
                int expected = 1;
                for (int d = rank - 1; d >= 0; d--) {
                    strides[j][d] = contiguous ? expected : random.nextInt(13) - 6;
                    expected *= Math.max(shape[d], 1);
                }
                if (contiguous && rank > 0 && random.nextInt(3) == 0) strides[j][random.nextInt(rank)] *= -1;
            }
            List<int[]> visited = new ArrayList<>();
            StridedLoop.forEachRow(shape, strides, offsets, (o, n, st) -> {
                for (int i = 0; i < n; i++) {
                    int[] at = new int[o.length];
                    for (int j = 0; j < o.length; j++) at[j] = o[j] + i * st[j];
                    visited.add(at);
                }
            });
            List<int[]> expected = odometer(shape, strides, offsets);
            assertEquals(expected.size(), visited.size(), "element count, trial " + trial);
            for (int e = 0; e < expected.size(); e++) assertArrayEquals(expected.get(e), visited.get(e), "trial " + trial + ", element " + e);
            checked++;
        }
        assertEquals(3000, checked);
    }

    @Test
    void aZeroDimIndexSpaceIsOneElement() {
        int[] calls = {0};
        StridedLoop.forEachRow(new int[0], new int[][] {{}, {}}, new int[] {4, 7}, (o, n, st) -> {
            assertArrayEquals(new int[] {4, 7}, o);
            assertEquals(1, n);
            calls[0]++;
        });
        assertEquals(1, calls[0]);
    }

    @Test
    void copiesOfViewsMatchAnElementByElementReference() {
        int checked = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
            double[] data = new double[4 * 3 * 5];
            for (int i = 0; i < data.length; i++) data[i] = i + 1; // distinct and exact in every dtype
            for (Map.Entry<String, UnaryOperator<Tensor>> view : views().entrySet()) {
                Tensor base = Tensor.of(dtype, data, 4, 3, 5);
                Tensor v = view.getValue().apply(base);
                String what = view.getKey() + " " + dtype;
                assertTrue(v.storage() == base.storage(), what + " should be a view");
                double[] expected = reference(v, data);
                assertArrayEquals(expected, v.toDoubleArray(), 0, what + ": read");
                Tensor copy = v.clone();
                assertTrue(copy.isContiguous(), what + ": clone is contiguous");
                assertArrayEquals(expected, copy.toDoubleArray(), 0, what + ": clone");
                assertArrayEquals(expected, v.contiguous().toDoubleArray(), 0, what + ": contiguous");
                Tensor into = Tensor.zeros(DType.FLOAT64, v.shape()).copy_(v);
                assertArrayEquals(expected, into.toDoubleArray(), 0, what + ": copy_ into float64");
                checked++;
            }
        }
        assertEquals(3 * views().size(), checked);
    }

    @Test
    void copiesIntoViewsWriteExactlyTheViewedElements() {
        int checked = 0;
        for (Map.Entry<String, UnaryOperator<Tensor>> view : views().entrySet()) {
            Tensor base = Tensor.zeros(DType.FLOAT64, 4, 3, 5);
            Tensor dst = view.getValue().apply(base);
            if (hasZeroStride(dst)) continue; // a broadcast view aliases elements: not a valid destination
            int n = dst.numel();
            double[] src = new double[n];
            for (int i = 0; i < n; i++) src[i] = 100 + i;
            dst.copy_(Tensor.of(DType.FLOAT64, src, dst.shape()));
            // Expected storage: the view's i-th element (row-major) at its storage offset, zeros elsewhere.
            double[] expected = new double[60];
            int[] storageIndex = storageIndices(dst);
            for (int i = 0; i < n; i++) expected[storageIndex[i]] = src[i];
            assertArrayEquals(expected, base.toDoubleArray(), 0, view.getKey() + ": storage after copy_");
            assertArrayEquals(src, dst.toDoubleArray(), 0, view.getKey() + ": read back");
            checked++;
        }
        assertEquals(views().size() - 2, checked); // all but the two expanded views
    }

    @Test
    void emptyTensorsAreContiguous() {
        assertTrue(Tensor.zeros(4, 0, 5).isContiguous());
        assertTrue(Tensor.zeros(4, 3, 5).narrow(1, 1, 0).clone().isContiguous());
        assertTrue(Tensor.zeros(2, 3).isContiguous());
        assertTrue(!Tensor.zeros(2, 3).mT().isContiguous());
    }

    @Test
    void copyBetweenOverlappingViewsOfOneStorageReadsBeforeWriting() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5}, 5);
        x.copy_(x.flip(0));
        assertArrayEquals(new double[] {5, 4, 3, 2, 1}, x.toDoubleArray(), 0);
        Tensor y = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 6);
        y.narrow(0, 1, 5).copy_(y.narrow(0, 0, 5)); // shift right by one
        assertArrayEquals(new double[] {1, 1, 2, 3, 4, 5}, y.toDoubleArray(), 0);
    }

    // ------------------------------------------------------------------ helpers

    /** Views of a [4, 3, 5] tensor: permuted, expanded, flipped, narrowed, sliced and combinations. */
    private static Map<String, UnaryOperator<Tensor>> views() {
        Map<String, UnaryOperator<Tensor>> v = new LinkedHashMap<>();
        v.put("identity", t -> t);
        v.put("permute(2,0,1)", t -> t.permute(2, 0, 1));
        v.put("permute(1,2,0)", t -> t.permute(1, 2, 0));
        v.put("transpose(0,2)", t -> t.transpose(0, 2));
        v.put("expand of a column", t -> t.select(2, 1).unsqueeze(2).expand(4, 3, 6));
        v.put("expand of a leading 1", t -> t.narrow(0, 2, 1).expand(3, 3, 5));
        v.put("flip(0)", t -> t.flip(0));
        v.put("flip(2)", t -> t.flip(2));
        v.put("flip(0,1,2)", t -> t.flip(0, 1, 2));
        v.put("narrow(1,1,2)", t -> t.narrow(1, 1, 2));
        v.put("narrow(2,1,3).flip(2)", t -> t.narrow(2, 1, 3).flip(2));
        v.put("slice(2,::2)", t -> t.slice(2, null, null, 2));
        v.put("select(1,2)", t -> t.select(1, 2));
        v.put("empty narrow", t -> t.narrow(1, 1, 0));
        v.put("permute+narrow+flip+slice", t -> t.permute(2, 0, 1).narrow(0, 1, 3).flip(1).slice(2, 1, null, 2));
        v.put("flip+transpose", t -> t.flip(1).transpose(1, 2));
        return v;
    }

    /** The view's elements in row-major order, read one by one from the base array by offset + sum(index * stride). */
    private static double[] reference(Tensor v, double[] base) {
        int[] idx = storageIndices(v);
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = base[idx[i]];
        return out;
    }

    private static int[] storageIndices(Tensor v) {
        int[] shape = v.shape(), strides = v.strides();
        int n = v.numel();
        int[] out = new int[n];
        int[] index = new int[shape.length];
        for (int e = 0; e < n; e++) {
            int at = v.offset();
            for (int d = 0; d < shape.length; d++) at += index[d] * strides[d];
            out[e] = at;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return out;
    }

    private static boolean hasZeroStride(Tensor t) {
        for (int d = 0; d < t.dim(); d++) if (t.strides()[d] == 0 && t.shape()[d] > 1) return true;
        return false;
    }

    /** Every element's offsets in row-major order, by incrementing a multi-index. */
    private static List<int[]> odometer(int[] shape, int[][] strides, int[] offsets) {
        List<int[]> out = new ArrayList<>();
        int n = 1;
        for (int s : shape) n *= s;
        int[] index = new int[shape.length];
        for (int e = 0; e < n; e++) {
            int[] at = offsets.clone();
            for (int j = 0; j < at.length; j++) for (int d = 0; d < shape.length; d++) at[j] += index[d] * strides[j][d];
            out.add(at);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return out;
    }
}
