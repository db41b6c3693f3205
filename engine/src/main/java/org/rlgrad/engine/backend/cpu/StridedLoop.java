package org.rlgrad.engine.backend.cpu;

/**
 * Walks an n-dimensional index space over several strided operands at once, one innermost row
 * at a time. Adjacent dims that every operand lays out contiguously are merged first, so a
 * contiguous tensor becomes a single long row and the row body can run a SIMD loop over it.
 */
final class StridedLoop {
    /** Receives one row: the operands' starting offsets, the row length and each operand's stride along the row. */
    @FunctionalInterface
    interface RowBody {
        void row(int[] offsets, int length, int[] rowStrides);
    }

    private StridedLoop() {}

    /**
     * @param shape   the index space (typically the output's shape)
     * @param strides one stride array per operand, aligned with {@code shape} (0 on broadcast dims)
     * @param offsets one starting offset per operand
     */
    static void forEachRow(int[] shape, int[][] strides, int[] offsets, RowBody body) {
        int k = strides.length;
        for (int s : shape) if (s == 0) return;
        // Merge dims: drop size-1 dims, and fuse dim d into d+1 when every operand is contiguous across them.
        int[] dims = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (n > 0 && fusable(st, strides, n - 1, d, shape[d], k)) {
                dims[n - 1] *= shape[d];
                for (int j = 0; j < k; j++) st[j][n - 1] = strides[j][d];
                continue;
            }
            dims[n] = shape[d];
            for (int j = 0; j < k; j++) st[j][n] = strides[j][d];
            n++;
        }
        int[] offs = offsets.clone();
        int[] rowStrides = new int[k];
        if (n == 0) {
            // A single element: call its row contiguous in every operand, so that row bodies take
            // their contiguous fast paths (the stride of a one-element row is never used).
            java.util.Arrays.fill(rowStrides, 1);
            body.row(offs, 1, rowStrides);
            return;
        }
        for (int j = 0; j < k; j++) rowStrides[j] = st[j][n - 1];
        int rowLength = dims[n - 1];
        int outer = n - 1;
        int[] counter = new int[Math.max(outer, 1)];
        int[] rowOffs = new int[k];
        while (true) {
            System.arraycopy(offs, 0, rowOffs, 0, k);
            body.row(rowOffs, rowLength, rowStrides);
            int d = outer - 1;
            while (d >= 0) {
                counter[d]++;
                for (int j = 0; j < k; j++) offs[j] += st[j][d];
                if (counter[d] < dims[d]) break;
                for (int j = 0; j < k; j++) offs[j] -= st[j][d] * dims[d];
                counter[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    private static boolean fusable(int[][] merged, int[][] strides, int last, int d, int size, int k) {
        for (int j = 0; j < k; j++) {
            if (merged[j][last] != strides[j][d] * size) return false;
        }
        return true;
    }
}
