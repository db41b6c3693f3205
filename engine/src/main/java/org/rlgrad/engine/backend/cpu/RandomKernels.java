package org.rlgrad.engine.backend.cpu;

import org.rlgrad.engine.random.Philox;

/**
 * Fills arrays from a Philox stream, element by element as {@link Philox} defines it, so that the
 * numbers depend only on the key, stream, offset and index: chunks may run on any thread.
 */
final class RandomKernels {
    private RandomKernels() {}

    /** Elements {@code [from, to)} of a float32 draw; {@code from} is a multiple of 4. */
    static void fill(float[] out, int from, int to, boolean normal, long key, long stream, long offset) {
        int[] w = new int[4];
        for (int base = from; base < to; base += 4) {
            block(offset + base / 4, key, stream, w);
            int m = Math.min(4, to - base);
            if (!normal) {
                for (int j = 0; j < m; j++) out[base + j] = Philox.uniformFloat(w[j]);
                continue;
            }
            for (int j = 0; j < m; j += 2) {
                double u1 = Philox.uniformFloat(w[j]), u2 = Philox.uniformFloat(w[j + 1]);
                out[base + j] = (float) Philox.boxMullerFirst(u1, u2);
                if (j + 1 < m) out[base + j + 1] = (float) Philox.boxMullerSecond(u1, u2);
            }
        }
    }

    /** Elements {@code [from, to)} of a float64 draw; {@code from} is even. */
    static void fill(double[] out, int from, int to, boolean normal, long key, long stream, long offset) {
        int[] w = new int[4];
        for (int base = from; base < to; base += 2) {
            block(offset + base / 2, key, stream, w);
            double u1 = Philox.uniformDouble(w[0], w[1]), u2 = Philox.uniformDouble(w[2], w[3]);
            boolean second = base + 1 < to;
            if (!normal) {
                out[base] = u1;
                if (second) out[base + 1] = u2;
            } else {
                out[base] = Philox.boxMullerFirst(u1, u2);
                if (second) out[base + 1] = Philox.boxMullerSecond(u1, u2);
            }
        }
    }

    private static void block(long index, long key, long stream, int[] w) {
        Philox.block((int) index, (int) (index >>> 32), (int) stream, (int) (stream >>> 32), (int) key, (int) (key >>> 32), w);
    }
}
