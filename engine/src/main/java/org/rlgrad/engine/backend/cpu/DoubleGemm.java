package org.rlgrad.engine.backend.cpu;

import java.util.Arrays;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 matrix product {@code C = A B}: {@link FloatGemm} with float replaced by double.
 *
 * <p>Generated from FloatGemm.java by {@code GemmSources} (test sources); do not edit. Edit
 * FloatGemm.java and run {@code java engine/src/test/java/org/rlgrad/engine/backend/cpu/GemmSources.java}.
 */
final class DoubleGemm {
    private static final VectorSpecies<Double> S = VectorKernels.D;
    private static final int L = S.length();
    /** Rows and columns of the micro-tile that the main kernels keep in registers. */
    static final int MR = Gemm.MR, NR = 2 * L;
    /** Rows of the tail kernel, which takes the last {@code m mod MR} rows of a block. */
    static final int TAIL_ROWS = 4;

    /** Elements per repeat of the pattern in which {@link #packA} gathers: lcm(MR, L). */
    private static final int PERIOD = MR / gcd(MR, L) * L;

    private DoubleGemm() {}

    /**
     * {@code C[m x n] = A[m x k] B[k x n]} with {@code A[i][p] = a[aOff + i * rsA + p * csA]},
     * {@code B[p][j] = b[bOff + p * rsB + j * csB]} (any strides, negative ones included) and
     * {@code C[i][j] = c[cOff + i * ldc + j]}. Overwrites C; needs {@code m, n >= 1}. Sums every
     * element in the order of {@link PlainGemm}, bit for bit.
     */
    static void multiply(double[] a, int aOff, int rsA, int csA, double[] b, int bOff, int rsB, int csB,
                         double[] c, int cOff, int ldc, int m, int k, int n, GemmScratch scratch) {
        if (k == 0) {
            for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0d);
            return;
        }
        boolean aInPlace = Gemm.readsAInPlace(csA, n, NR);
        double[] tile = scratch.doubleTile(MR * NR);
        for (int jc = 0; jc < n; jc += Gemm.NC) {
            int nc = Math.min(Gemm.NC, n - jc);
            for (int pc = 0; pc < k; pc += Gemm.KC) {
                int kc = Math.min(Gemm.KC, k - pc);
                boolean accumulate = pc > 0;
                // Full column panels of B are read where they lie or packed; a short last panel is
                // always packed (zero-padded to NR columns).
                int bInPlace = Gemm.readsBInPlace(m, kc, nc, rsB, csB) ? nc / NR * NR : 0;
                int bBlock = bOff + pc * rsB + jc * csB;
                double[] bp = scratch.doubleB(Gemm.ceilDiv(nc - bInPlace, NR) * NR * kc);
                packB(b, bBlock + bInPlace * csB, rsB, csB, kc, nc - bInPlace, bp, scratch);
                for (int ic = 0; ic < m; ic += Gemm.MC) {
                    int mc = Math.min(Gemm.MC, m - ic);
                    int fullRows = mc / MR * MR;
                    int aBlock = aOff + ic * rsA + pc * csA;
                    double[] ap = aInPlace ? a : scratch.doubleA(fullRows * kc);
                    if (!aInPlace) packA(a, aBlock, rsA, csA, fullRows, kc, ap, scratch);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        boolean direct = jr < bInPlace;
                        double[] bPanel = direct ? b : bp;
                        int bi = direct ? bBlock + jr : (jr - bInPlace) * kc;
                        int ldb = direct ? rsB : NR;
                        // A tile that C cuts short on the right is computed in the scratch tile and
                        // the part inside C copied back; it starts from C's values when
                        // accumulating, so every element sees the same chain of fused multiply-adds.
                        boolean cut = cols < NR;
                        double[] out = cut ? tile : c;
                        int ldo = cut ? NR : ldc;
                        for (int ir = 0; ir < mc; ) {
                            int rows = Math.min(mc - ir, ir < fullRows ? MR : TAIL_ROWS);
                            int ci = cOff + (ic + ir) * ldc + jc + jr, oi = cut ? 0 : ci;
                            if (cut && accumulate) copyTile(c, ci, ldc, tile, 0, NR, rows, cols);
                            if (ir >= fullRows) {
                                kernelRows(kc, a, aBlock + ir * rsA, rsA, csA, rows, bPanel, bi, ldb, out, oi, ldo, accumulate);
                            } else if (aInPlace) {
                                kernelInPlace(kc, a, aBlock + ir * rsA, rsA, bPanel, bi, ldb, out, oi, ldo, accumulate);
                            } else {
                                kernel(kc, ap, ir * kc, bPanel, bi, ldb, out, oi, ldo, accumulate);
                            }
                            if (cut) copyTile(tile, 0, NR, c, ci, ldc, rows, cols);
                            ir += rows;
                        }
                    }
                }
            }
        }
    }

    private static int gcd(int x, int y) {
        return y == 0 ? x : gcd(y, x % y);
    }

    private static void copyTile(double[] from, int fi, int ldf, double[] to, int ti, int ldt, int rows, int cols) {
        for (int r = 0; r < rows; r++) System.arraycopy(from, fi + r * ldf, to, ti + r * ldt, cols);
    }

    /**
     * Packs the rows {@code [0, mc)} (a multiple of MR) and columns {@code [0, kc)} of A into row
     * panels: panel {@code t} holds rows {@code t*MR ..} as {@code kc} groups of MR values (column
     * p of the panel, top to bottom), the order in which {@link #kernel} broadcasts them. That is a
     * transposition for the usual row-major A, done with vector gathers (about 1.1x to 1.4x faster
     * than the scalar loop, more where A is in L1).
     */
    static void packA(double[] a, int off, int rs, int cs, int mc, int kc, double[] out, GemmScratch scratch) {
        if (cs != 1 && rs == 1) {
            // Columns contiguous (a transposed matrix): each step copies a run of MR values.
            for (int ir = 0; ir < mc; ir += MR) {
                for (int p = 0, s = off + ir, d = ir * kc; p < kc; p++, s += cs, d += MR) {
                    for (int r = 0; r < MR; r += L) {
                        var inside = S.indexInRange(r, MR);
                        DoubleVector.fromArray(S, a, s + r, inside).intoArray(out, d + r, inside);
                    }
                }
            }
            return;
        }
        // Any other layout (rows contiguous: the usual one): gather. The panel is a stream of
        // elements e = p * MR + r; its offsets in A repeat, shifted by a whole number of columns,
        // every PERIOD elements, so one table of PERIOD offsets serves every vector.
        int[] offsets = scratch.offsets(PERIOD);
        for (int e = 0; e < PERIOD; e++) offsets[e] = (e % MR) * rs + (e / MR) * cs;
        int whole = kc * MR / PERIOD * PERIOD, shift = PERIOD / MR * cs;
        for (int ir = 0; ir < mc; ir += MR) {
            int base = off + ir * rs, d = ir * kc;
            for (int e = 0, s = base; e < whole; e += PERIOD, s += shift) {
                for (int t = 0; t < PERIOD; t += L) DoubleVector.fromArray(S, a, s, offsets, t).intoArray(out, d + e + t);
            }
            for (int e = whole; e < kc * MR; e++) out[d + e] = a[base + (e % MR) * rs + (e / MR) * cs];
        }
    }

    /**
     * Packs rows {@code [0, kc)} and columns {@code [0, nc)} of B into column panels of NR columns:
     * panel {@code t} holds columns {@code t*NR ..} as {@code kc} rows of NR contiguous values, the
     * order in which the kernels load them. A short last panel is padded with zeros.
     */
    static void packB(double[] b, int off, int rs, int cs, int kc, int nc, double[] out, GemmScratch scratch) {
        int jr = 0;
        if (cs == 1) {
            // Rows contiguous: copy B row by row into every full panel, so that the reads run along
            // whole rows (one stream) instead of 128-byte pieces a row stride apart.
            int full = nc / NR * NR;
            for (int p = 0; p < kc; p++) {
                for (int j = 0, s = off + p * rs, d = p * NR; j < full; j += NR, d += kc * NR) {
                    DoubleVector.fromArray(S, b, s + j).intoArray(out, d);
                    DoubleVector.fromArray(S, b, s + j + L).intoArray(out, d + L);
                }
            }
            jr = full;
        }
        for (; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int s = off + jr * cs, d = jr * kc;
            if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    for (int q = 0, sp = s + p * rs; q < cols; q++) out[d + p * NR + q] = b[sp + q];
                }
            } else if (rs == 1 && cols == NR) {
                // Columns contiguous (a transposed matrix, such as the weight in x W^T): gather
                // each row of the panel from NR columns.
                int[] idx = scratch.offsets(NR);
                for (int q = 0; q < NR; q++) idx[q] = q * cs;
                for (int p = 0; p < kc; p++) {
                    DoubleVector.fromArray(S, b, s + p, idx, 0).intoArray(out, d + p * NR);
                    DoubleVector.fromArray(S, b, s + p, idx, L).intoArray(out, d + p * NR + L);
                }
            } else if (rs == 1) {
                // Columns contiguous (a transposed matrix, such as the weight in x W^T).
                for (int q = 0; q < cols; q++) {
                    for (int p = 0, sq = s + q * cs; p < kc; p++) out[d + p * NR + q] = b[sq + p];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    for (int q = 0, sp = s + p * rs; q < cols; q++) out[d + p * NR + q] = b[sp + q * cs];
                }
            }
            for (int q = cols; q < NR; q++) {
                for (int p = 0; p < kc; p++) out[d + p * NR + q] = 0;
            }
        }
    }

    /**
     * Products with very few columns (or few rows and B's columns contiguous) as one dot product
     * per element over contiguous runs: a row of A and a column of B, each copied into scratch
     * when strided. The register-blocked kernels would waste most of a 12 x NR tile there.
     */
    static void dotProducts(double[] a, int aOff, int rsA, int csA, double[] b, int bOff, int rsB, int csB,
                            double[] c, int cOff, int ldc, int m, int k, int n, GemmScratch scratch) {
        double[] cols = b;
        int colsOff = bOff, colStride = csB;
        if (rsB != 1) {
            cols = scratch.doubleB(n * k);
            colsOff = 0;
            colStride = k;
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) cols[j * k + p] = b[bOff + p * rsB + j * csB];
            }
        }
        double[] row = csA == 1 ? a : scratch.doubleA(k);
        double[] lanes = scratch.doubleTile(MR * NR);
        for (int i = 0; i < m; i++) {
            int ri = aOff + i * rsA;
            if (csA != 1) {
                for (int p = 0; p < k; p++) row[p] = a[ri + p * csA];
                ri = 0;
            }
            for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = dot(row, ri, cols, colsOff + j * colStride, k, lanes);
        }
    }

    /**
     * {@code sum_p x[xi + p] y[yi + p]} with four vector accumulators, their lanes added in order
     * (through {@code lanes}, at least L long), then a scalar tail. The lanes are not summed with
     * {@code reduceLanes}: its order is unspecified and does differ between the JIT's intrinsic and
     * the interpreter, which would make a result depend on how warm the code is.
     */
    static double dot(double[] x, int xi, double[] y, int yi, int k, double[] lanes) {
        DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (; p + 4 * L <= k; p += 4 * L) {
            s0 = DoubleVector.fromArray(S, x, xi + p).fma(DoubleVector.fromArray(S, y, yi + p), s0);
            s1 = DoubleVector.fromArray(S, x, xi + p + L).fma(DoubleVector.fromArray(S, y, yi + p + L), s1);
            s2 = DoubleVector.fromArray(S, x, xi + p + 2 * L).fma(DoubleVector.fromArray(S, y, yi + p + 2 * L), s2);
            s3 = DoubleVector.fromArray(S, x, xi + p + 3 * L).fma(DoubleVector.fromArray(S, y, yi + p + 3 * L), s3);
        }
        for (; p + L <= k; p += L) s0 = DoubleVector.fromArray(S, x, xi + p).fma(DoubleVector.fromArray(S, y, yi + p), s0);
        s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
        double sum = 0;
        for (int i = 0; i < L; i++) sum += lanes[i];
        for (; p < k; p++) sum = Math.fma(x[xi + p], y[yi + p], sum);
        return sum;
    }

    /**
     * The main micro-kernel: {@code C[0..MR) x [0..NR) (+)= sum_p A[:, p] B[p, :]} over {@code kc}
     * packed columns of A (MR values each, see {@link #packA}) and rows of B (NR values each, row
     * stride {@code ldb}: NR when packed, B's own when read in place). The MR x NR sums live in
     * {@code 2 * MR} vector registers for the whole loop; each step loads two vectors of B,
     * broadcasts each of the MR values of A and issues {@code 2 * MR} independent fused
     * multiply-adds. Written out in straight lines so that C2 keeps the accumulators in registers.
     * Without {@code accumulate}, C's old values are ignored.
     */
    static void kernel(int kc, double[] a, int ai, double[] b, int bi, int ldb, double[] c, int ci, int ldc, boolean accumulate) {
        DoubleVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b;
        DoubleVector c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b;
        DoubleVector c8a, c8b, c9a, c9b, c10a, c10b, c11a, c11b;
        if (accumulate) {
            c0a = DoubleVector.fromArray(S, c, ci); c0b = DoubleVector.fromArray(S, c, ci + L);
            c1a = DoubleVector.fromArray(S, c, ci + ldc); c1b = DoubleVector.fromArray(S, c, ci + ldc + L);
            c2a = DoubleVector.fromArray(S, c, ci + 2 * ldc); c2b = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
            c3a = DoubleVector.fromArray(S, c, ci + 3 * ldc); c3b = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
            c4a = DoubleVector.fromArray(S, c, ci + 4 * ldc); c4b = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
            c5a = DoubleVector.fromArray(S, c, ci + 5 * ldc); c5b = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
            c6a = DoubleVector.fromArray(S, c, ci + 6 * ldc); c6b = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
            c7a = DoubleVector.fromArray(S, c, ci + 7 * ldc); c7b = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
            c8a = DoubleVector.fromArray(S, c, ci + 8 * ldc); c8b = DoubleVector.fromArray(S, c, ci + 8 * ldc + L);
            c9a = DoubleVector.fromArray(S, c, ci + 9 * ldc); c9b = DoubleVector.fromArray(S, c, ci + 9 * ldc + L);
            c10a = DoubleVector.fromArray(S, c, ci + 10 * ldc); c10b = DoubleVector.fromArray(S, c, ci + 10 * ldc + L);
            c11a = DoubleVector.fromArray(S, c, ci + 11 * ldc); c11b = DoubleVector.fromArray(S, c, ci + 11 * ldc + L);
        } else {
            c0a = DoubleVector.zero(S);
            c0b = c1a = c1b = c2a = c2b = c3a = c3b = c4a = c4b = c5a = c5b = c6a = c6b = c7a = c7b = c8a = c8b = c9a = c9b = c10a = c10b = c11a = c11b = c0a;
        }
        for (int p = 0; p < kc; p++, ai += MR, bi += ldb) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi), b1 = DoubleVector.fromArray(S, b, bi + L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[ai]);      c0a = x.fma(b0, c0a);  c0b = x.fma(b1, c0b);
            x = DoubleVector.broadcast(S, a[ai + 1]);  c1a = x.fma(b0, c1a);  c1b = x.fma(b1, c1b);
            x = DoubleVector.broadcast(S, a[ai + 2]);  c2a = x.fma(b0, c2a);  c2b = x.fma(b1, c2b);
            x = DoubleVector.broadcast(S, a[ai + 3]);  c3a = x.fma(b0, c3a);  c3b = x.fma(b1, c3b);
            x = DoubleVector.broadcast(S, a[ai + 4]);  c4a = x.fma(b0, c4a);  c4b = x.fma(b1, c4b);
            x = DoubleVector.broadcast(S, a[ai + 5]);  c5a = x.fma(b0, c5a);  c5b = x.fma(b1, c5b);
            x = DoubleVector.broadcast(S, a[ai + 6]);  c6a = x.fma(b0, c6a);  c6b = x.fma(b1, c6b);
            x = DoubleVector.broadcast(S, a[ai + 7]);  c7a = x.fma(b0, c7a);  c7b = x.fma(b1, c7b);
            x = DoubleVector.broadcast(S, a[ai + 8]);  c8a = x.fma(b0, c8a);  c8b = x.fma(b1, c8b);
            x = DoubleVector.broadcast(S, a[ai + 9]);  c9a = x.fma(b0, c9a);  c9b = x.fma(b1, c9b);
            x = DoubleVector.broadcast(S, a[ai + 10]); c10a = x.fma(b0, c10a); c10b = x.fma(b1, c10b);
            x = DoubleVector.broadcast(S, a[ai + 11]); c11a = x.fma(b0, c11a); c11b = x.fma(b1, c11b);
        }
        c0a.intoArray(c, ci); c0b.intoArray(c, ci + L);
        c1a.intoArray(c, ci + ldc); c1b.intoArray(c, ci + ldc + L);
        c2a.intoArray(c, ci + 2 * ldc); c2b.intoArray(c, ci + 2 * ldc + L);
        c3a.intoArray(c, ci + 3 * ldc); c3b.intoArray(c, ci + 3 * ldc + L);
        c4a.intoArray(c, ci + 4 * ldc); c4b.intoArray(c, ci + 4 * ldc + L);
        c5a.intoArray(c, ci + 5 * ldc); c5b.intoArray(c, ci + 5 * ldc + L);
        c6a.intoArray(c, ci + 6 * ldc); c6b.intoArray(c, ci + 6 * ldc + L);
        c7a.intoArray(c, ci + 7 * ldc); c7b.intoArray(c, ci + 7 * ldc + L);
        c8a.intoArray(c, ci + 8 * ldc); c8b.intoArray(c, ci + 8 * ldc + L);
        c9a.intoArray(c, ci + 9 * ldc); c9b.intoArray(c, ci + 9 * ldc + L);
        c10a.intoArray(c, ci + 10 * ldc); c10b.intoArray(c, ci + 10 * ldc + L);
        c11a.intoArray(c, ci + 11 * ldc); c11b.intoArray(c, ci + 11 * ldc + L);
    }

    /**
     * {@link #kernel} with A's rows read where they lie (row stride {@code lda}, contiguous
     * columns), for small products where packing A would cost more than the kernel gains from it.
     */
    static void kernelInPlace(int kc, double[] a, int ai, int lda, double[] b, int bi, int ldb, double[] c, int ci, int ldc, boolean accumulate) {
        DoubleVector c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b;
        DoubleVector c4a, c4b, c5a, c5b, c6a, c6b, c7a, c7b;
        DoubleVector c8a, c8b, c9a, c9b, c10a, c10b, c11a, c11b;
        if (accumulate) {
            c0a = DoubleVector.fromArray(S, c, ci); c0b = DoubleVector.fromArray(S, c, ci + L);
            c1a = DoubleVector.fromArray(S, c, ci + ldc); c1b = DoubleVector.fromArray(S, c, ci + ldc + L);
            c2a = DoubleVector.fromArray(S, c, ci + 2 * ldc); c2b = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
            c3a = DoubleVector.fromArray(S, c, ci + 3 * ldc); c3b = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
            c4a = DoubleVector.fromArray(S, c, ci + 4 * ldc); c4b = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
            c5a = DoubleVector.fromArray(S, c, ci + 5 * ldc); c5b = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
            c6a = DoubleVector.fromArray(S, c, ci + 6 * ldc); c6b = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
            c7a = DoubleVector.fromArray(S, c, ci + 7 * ldc); c7b = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
            c8a = DoubleVector.fromArray(S, c, ci + 8 * ldc); c8b = DoubleVector.fromArray(S, c, ci + 8 * ldc + L);
            c9a = DoubleVector.fromArray(S, c, ci + 9 * ldc); c9b = DoubleVector.fromArray(S, c, ci + 9 * ldc + L);
            c10a = DoubleVector.fromArray(S, c, ci + 10 * ldc); c10b = DoubleVector.fromArray(S, c, ci + 10 * ldc + L);
            c11a = DoubleVector.fromArray(S, c, ci + 11 * ldc); c11b = DoubleVector.fromArray(S, c, ci + 11 * ldc + L);
        } else {
            c0a = DoubleVector.zero(S);
            c0b = c1a = c1b = c2a = c2b = c3a = c3b = c4a = c4b = c5a = c5b = c6a = c6b = c7a = c7b = c8a = c8b = c9a = c9b = c10a = c10b = c11a = c11b = c0a;
        }
        int a0 = ai, a1 = ai + lda, a2 = ai + 2 * lda, a3 = ai + 3 * lda, a4 = ai + 4 * lda, a5 = ai + 5 * lda;
        int a6 = ai + 6 * lda, a7 = ai + 7 * lda, a8 = ai + 8 * lda, a9 = ai + 9 * lda, a10 = ai + 10 * lda, a11 = ai + 11 * lda;
        for (int p = 0; p < kc; p++, bi += ldb) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi), b1 = DoubleVector.fromArray(S, b, bi + L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[a0 + p]);  c0a = x.fma(b0, c0a);  c0b = x.fma(b1, c0b);
            x = DoubleVector.broadcast(S, a[a1 + p]);  c1a = x.fma(b0, c1a);  c1b = x.fma(b1, c1b);
            x = DoubleVector.broadcast(S, a[a2 + p]);  c2a = x.fma(b0, c2a);  c2b = x.fma(b1, c2b);
            x = DoubleVector.broadcast(S, a[a3 + p]);  c3a = x.fma(b0, c3a);  c3b = x.fma(b1, c3b);
            x = DoubleVector.broadcast(S, a[a4 + p]);  c4a = x.fma(b0, c4a);  c4b = x.fma(b1, c4b);
            x = DoubleVector.broadcast(S, a[a5 + p]);  c5a = x.fma(b0, c5a);  c5b = x.fma(b1, c5b);
            x = DoubleVector.broadcast(S, a[a6 + p]);  c6a = x.fma(b0, c6a);  c6b = x.fma(b1, c6b);
            x = DoubleVector.broadcast(S, a[a7 + p]);  c7a = x.fma(b0, c7a);  c7b = x.fma(b1, c7b);
            x = DoubleVector.broadcast(S, a[a8 + p]);  c8a = x.fma(b0, c8a);  c8b = x.fma(b1, c8b);
            x = DoubleVector.broadcast(S, a[a9 + p]);  c9a = x.fma(b0, c9a);  c9b = x.fma(b1, c9b);
            x = DoubleVector.broadcast(S, a[a10 + p]); c10a = x.fma(b0, c10a); c10b = x.fma(b1, c10b);
            x = DoubleVector.broadcast(S, a[a11 + p]); c11a = x.fma(b0, c11a); c11b = x.fma(b1, c11b);
        }
        c0a.intoArray(c, ci); c0b.intoArray(c, ci + L);
        c1a.intoArray(c, ci + ldc); c1b.intoArray(c, ci + ldc + L);
        c2a.intoArray(c, ci + 2 * ldc); c2b.intoArray(c, ci + 2 * ldc + L);
        c3a.intoArray(c, ci + 3 * ldc); c3b.intoArray(c, ci + 3 * ldc + L);
        c4a.intoArray(c, ci + 4 * ldc); c4b.intoArray(c, ci + 4 * ldc + L);
        c5a.intoArray(c, ci + 5 * ldc); c5b.intoArray(c, ci + 5 * ldc + L);
        c6a.intoArray(c, ci + 6 * ldc); c6b.intoArray(c, ci + 6 * ldc + L);
        c7a.intoArray(c, ci + 7 * ldc); c7b.intoArray(c, ci + 7 * ldc + L);
        c8a.intoArray(c, ci + 8 * ldc); c8b.intoArray(c, ci + 8 * ldc + L);
        c9a.intoArray(c, ci + 9 * ldc); c9b.intoArray(c, ci + 9 * ldc + L);
        c10a.intoArray(c, ci + 10 * ldc); c10b.intoArray(c, ci + 10 * ldc + L);
        c11a.intoArray(c, ci + 11 * ldc); c11b.intoArray(c, ci + 11 * ldc + L);
    }

    /**
     * The tail kernel: up to {@link #TAIL_ROWS} rows ({@code rows} of them) of A read where they lie,
     * with any strides, times a panel of B. It takes the {@code m mod MR} rows left below the full
     * panels and whole products with fewer than MR rows.
     */
    static void kernelRows(int kc, double[] a, int ai, int rsA, int csA, int rows, double[] b, int bi, int ldb, double[] c, int ci, int ldc, boolean accumulate) {
        // Rows past `rows` repeat row 0 (any valid index will do); their sums are never stored.
        int a0 = ai, a1 = rows > 1 ? ai + rsA : ai, a2 = rows > 2 ? ai + 2 * rsA : ai, a3 = rows > 3 ? ai + 3 * rsA : ai;
        DoubleVector zero = DoubleVector.zero(S);
        DoubleVector c0a = zero, c0b = zero, c1a = zero, c1b = zero, c2a = zero, c2b = zero, c3a = zero, c3b = zero;
        if (accumulate) {
            c0a = DoubleVector.fromArray(S, c, ci); c0b = DoubleVector.fromArray(S, c, ci + L);
            if (rows > 1) { c1a = DoubleVector.fromArray(S, c, ci + ldc); c1b = DoubleVector.fromArray(S, c, ci + ldc + L); }
            if (rows > 2) { c2a = DoubleVector.fromArray(S, c, ci + 2 * ldc); c2b = DoubleVector.fromArray(S, c, ci + 2 * ldc + L); }
            if (rows > 3) { c3a = DoubleVector.fromArray(S, c, ci + 3 * ldc); c3b = DoubleVector.fromArray(S, c, ci + 3 * ldc + L); }
        }
        for (int p = 0; p < kc; p++, bi += ldb) {
            DoubleVector b0 = DoubleVector.fromArray(S, b, bi), b1 = DoubleVector.fromArray(S, b, bi + L);
            int q = p * csA;
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[a0 + q]); c0a = x.fma(b0, c0a); c0b = x.fma(b1, c0b);
            x = DoubleVector.broadcast(S, a[a1 + q]); c1a = x.fma(b0, c1a); c1b = x.fma(b1, c1b);
            x = DoubleVector.broadcast(S, a[a2 + q]); c2a = x.fma(b0, c2a); c2b = x.fma(b1, c2b);
            x = DoubleVector.broadcast(S, a[a3 + q]); c3a = x.fma(b0, c3a); c3b = x.fma(b1, c3b);
        }
        c0a.intoArray(c, ci); c0b.intoArray(c, ci + L);
        if (rows > 1) { c1a.intoArray(c, ci + ldc); c1b.intoArray(c, ci + ldc + L); }
        if (rows > 2) { c2a.intoArray(c, ci + 2 * ldc); c2b.intoArray(c, ci + 2 * ldc + L); }
        if (rows > 3) { c3a.intoArray(c, ci + 3 * ldc); c3b.intoArray(c, ci + 3 * ldc + L); }
    }
}
