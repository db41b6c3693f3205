package org.rlgrad.engine.backend.cpu;

/**
 * One matrix product {@code C[m x n] = A[m x k] B[k x n]} over strided operands: the entry point
 * that {@link CpuBackend#matmul} calls per batch entry. float32 and float64 go to the packed,
 * register-blocked GEMMs {@link FloatGemm} and {@link DoubleGemm}; int64 takes an exact loop.
 *
 * <h2>Blocking (Goto and van de Geijn, "Anatomy of high-performance matrix multiplication", 2008;
 * the BLIS loop nest)</h2>
 *
 * <pre>
 * for jc in steps of NC over the columns of C          B's block [KC x NC] lives in L2/L3
 *   for pc in steps of KC over the inner dimension     pack B[pc.., jc..] into NR-wide column panels
 *     for ic in steps of MC over the rows of C         pack A[ic.., pc..] into MR-high row panels
 *       for jr in steps of NR                          one packed panel of B: KC x NR, stays in L1
 *         for ir in steps of MR                        one packed panel of A, from L2
 *           micro-kernel: C[ir.., jr..] (+)= A panel x B panel, an MR x NR tile held in registers
 * </pre>
 *
 * <p><b>Micro-kernel, MR x NR = 12 x 2 vectors</b> (12 x 32 floats, 12 x 16 doubles at 512 bits).
 * The tile lives in 24 vector registers for the whole inner loop; each step loads two vectors of
 * B, broadcasts 12 values of A and issues 24 independent fused multiply-adds. AVX-512 has 32
 * vector registers: 24 accumulators, two B vectors and a broadcast fit; 24 independent FMAs
 * cover the FMA latency (4 cycles) on both FMA units (8 in flight needed); the 14 loads per 24
 * FMAs stay under the two loads per cycle the core can issue. Measured with operands in cache,
 * against the single-core peak of about 245 GFLOP/s ({@link PeakFlops}): 12 x 32 about 200-210
 * GFLOP/s (85%); 8 x 32 and 8 x 48 about 195-205; 6 x 64 170-190; 4 x 64 150-180 (too few
 * accumulators per load); 14 x 32 about 170 (28 accumulators no longer fit with the operands).
 *
 * <p><b>Cache blocks.</b> On this Xeon (48 KB L1d, 2 MB L2 per core): {@code KC = 256} makes a
 * packed panel of B 256 x 128 B = 32 KB, which stays in L1 while the MC rows of A pass under it
 * (larger KC pushes it out and was slower); {@code MC = 120} keeps the packed block of A (120 KB)
 * in L2 next to the block of B, measured best among 120 to 1020 (1020 rows, 1 MB of A beside 1 MB
 * of B, ran 10% slower at n = 1024); {@code NC = 4096} bounds the packed block of B for very wide
 * products. float64 uses the same MR, KC and vector count, hence the same byte sizes. The three
 * can be overridden with {@code -Drlgrad.gemm.kc / mc / nc} when tuning for another CPU.
 *
 * <p><b>Packing</b> copies each block once into the order the kernel reads it, whatever the
 * operands' strides (a transposed weight in {@code x W^T} or in backward, a narrowed or flipped
 * view), so no separate transposed copy is made. A short last panel of B is zero-padded; a tile
 * cut short on the right is computed in a scratch tile and the part inside C copied back; the
 * {@code m mod 12} rows left below the full panels go through a 4-row tail kernel that reads A
 * where it lies.
 *
 * <p><b>Small products</b> skip packing where it does not pay: A's rows are read in place when C
 * is at most four panels wide ({@link #readsAInPlace}), B's rows when its block is small or A has
 * fewer than 12 rows ({@link #readsBInPlace}). At n = 64 packing A alone took a quarter of the
 * time. Products with at most {@link #DOT_MAX} columns, or rows when B's columns are contiguous,
 * take one dot product per element instead ({@link #usesDotProducts}): a value head
 * {@code [B, 256] x [256, 1]} would fill one column of each 32-wide tile.
 *
 * <p><b>Summation order.</b> Every element of the blocked paths is {@code c = fma(a_ip, b_pj, c)}
 * for p = 0, 1, ..., k - 1 from zero, whatever the blocking, the edges or the threads (a block
 * after the first starts from C's stored value, which is that chain's running sum), so the result
 * is bit for bit that of the plain loop {@link PlainGemm}, which the tests check. The dot-product
 * path sums in vector lanes, in a fixed order that does not depend on the threads either.
 *
 * <h2>Threads</h2>
 *
 * <p>Products of at least {@link #PARALLEL_FLOPS} floating-point operations ({@code 2 m n k}) are
 * split across {@link CpuThreads} into independent sub-products, one per thread, over ranges of
 * C's rows (a multiple of MR) or, when C is at least twice as wide as tall, of its columns (a
 * multiple of NR); each thread packs its own blocks into its own buffers ({@link GemmScratch}),
 * so no thread waits for another's packing. Smaller products run on the caller.
 */
final class Gemm {
    /** Rows of the register tile; its columns are two vectors of the species. */
    static final int MR = 12;
    /** Inner-dimension block: a KC x NR panel of B (32 KB) stays in L1. */
    static final int KC = Integer.getInteger("rlgrad.gemm.kc", 256);
    /** Row block: an MC x KC block of packed A (120 KB) stays in L2. Best a multiple of MR. */
    static final int MC = Integer.getInteger("rlgrad.gemm.mc", 120);
    /** Column block: a KC x NC block of packed B (4 MB). Best a multiple of NR. */
    static final int NC = Integer.getInteger("rlgrad.gemm.nc", 4096);
    /**
     * Products below this many floating-point operations run on the caller: 2 x 64^3, about 3 us
     * on one core, where a second (spinning) thread still gained a third at n = 64.
     */
    static final long PARALLEL_FLOPS = Long.getLong("rlgrad.gemm.parallelFlops", 2L * 64 * 64 * 64);
    /** Products with at most this many columns (or rows, see {@link #usesDotProducts}) take dot products. */
    static final int DOT_MAX = 4;
    /** B's rows are read in place when its block spans at most this many elements (64 KB of float32). */
    static final long IN_PLACE_SPAN = 128 * 128;

    private Gemm() {}

    static void multiply(CpuStorage a, int aOff, int aRowStride, int aColStride,
                         CpuStorage b, int bOff, int bRowStride, int bColStride,
                         CpuStorage c, int cOff, int m, int k, int n) {
        if (m == 0 || n == 0) return;
        if (c.f32 != null) {
            multiply(a.f32, aOff, aRowStride, aColStride, b.f32, bOff, bRowStride, bColStride, c.f32, cOff, n, m, k, n);
        } else if (c.f64 != null) {
            multiply(a.f64, aOff, aRowStride, aColStride, b.f64, bOff, bRowStride, bColStride, c.f64, cOff, n, m, k, n);
        } else {
            // Integer products are rare (index arithmetic); exact long accumulation.
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    long sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += a.getLong(aOff + i * aRowStride + p * aColStride) * b.getLong(bOff + p * bRowStride + j * bColStride);
                    }
                    c.setLong(cOff + i * n + j, sum);
                }
            }
        }
    }

    /**
     * {@code C = A B} in float32, C row-major with row stride {@code ldc}; split across threads
     * when large. The path (dot products or blocked) is chosen for the whole product, so that the
     * result does not depend on the number of threads.
     */
    static void multiply(float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB, int csB,
                         float[] c, int cOff, int ldc, int m, int k, int n) {
        boolean dot = usesDotProducts(m, n, rsB);
        int nr = FloatGemm.NR, parts = parts(m, k, n, nr);
        if (parts == 1) {
            part(dot, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, m, k, n);
        } else if (splitsColumns(m, n)) {
            int step = ceilDiv(ceilDiv(n, parts), nr) * nr;
            CpuThreads.run(ceilDiv(n, step), t -> {
                int j0 = t * step;
                part(dot, a, aOff, rsA, csA, b, bOff + j0 * csB, rsB, csB, c, cOff + j0, ldc, m, k, Math.min(step, n - j0));
            });
        } else {
            int step = ceilDiv(ceilDiv(m, parts), MR) * MR;
            CpuThreads.run(ceilDiv(m, step), t -> {
                int i0 = t * step;
                part(dot, a, aOff + i0 * rsA, rsA, csA, b, bOff, rsB, csB, c, cOff + i0 * ldc, ldc, Math.min(step, m - i0), k, n);
            });
        }
    }

    private static void part(boolean dot, float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB, int csB,
                             float[] c, int cOff, int ldc, int m, int k, int n) {
        GemmScratch scratch = GemmScratch.get();
        if (dot) FloatGemm.dotProducts(a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, m, k, n, scratch);
        else FloatGemm.multiply(a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, m, k, n, scratch);
    }

    /** {@code C = A B} in float64; see the float32 overload. */
    static void multiply(double[] a, int aOff, int rsA, int csA, double[] b, int bOff, int rsB, int csB,
                         double[] c, int cOff, int ldc, int m, int k, int n) {
        boolean dot = usesDotProducts(m, n, rsB);
        int nr = DoubleGemm.NR, parts = parts(m, k, n, nr);
        if (parts == 1) {
            part(dot, a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, m, k, n);
        } else if (splitsColumns(m, n)) {
            int step = ceilDiv(ceilDiv(n, parts), nr) * nr;
            CpuThreads.run(ceilDiv(n, step), t -> {
                int j0 = t * step;
                part(dot, a, aOff, rsA, csA, b, bOff + j0 * csB, rsB, csB, c, cOff + j0, ldc, m, k, Math.min(step, n - j0));
            });
        } else {
            int step = ceilDiv(ceilDiv(m, parts), MR) * MR;
            CpuThreads.run(ceilDiv(m, step), t -> {
                int i0 = t * step;
                part(dot, a, aOff + i0 * rsA, rsA, csA, b, bOff, rsB, csB, c, cOff + i0 * ldc, ldc, Math.min(step, m - i0), k, n);
            });
        }
    }

    private static void part(boolean dot, double[] a, int aOff, int rsA, int csA, double[] b, int bOff, int rsB, int csB,
                             double[] c, int cOff, int ldc, int m, int k, int n) {
        GemmScratch scratch = GemmScratch.get();
        if (dot) DoubleGemm.dotProducts(a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, m, k, n, scratch);
        else DoubleGemm.multiply(a, aOff, rsA, csA, b, bOff, rsB, csB, c, cOff, ldc, m, k, n, scratch);
    }

    /**
     * How many independent parts to split a product into: one below {@link #PARALLEL_FLOPS} or
     * with a single thread, else one per thread as long as each part keeps at least a whole tile
     * in the dimension that is split.
     */
    private static int parts(int m, int k, int n, int nr) {
        int threads = CpuThreads.threads();
        if (threads == 1 || 2L * m * n * k < PARALLEL_FLOPS) return 1;
        int tiles = splitsColumns(m, n) ? ceilDiv(n, nr) : ceilDiv(m, MR);
        return Math.max(1, Math.min(threads, tiles));
    }

    /**
     * Whether threads split C's columns rather than its rows: only when C is at least twice as wide
     * as tall. Each part packs the whole of the operand that is not split, and a row split repeats
     * the cheaper packing (B's, a copy of rows; A's is a transposition), so it wins for square
     * products (n = 256 on two threads: 0.11 ms against 0.12 ms).
     */
    static boolean splitsColumns(int m, int n) {
        return n >= 2L * m;
    }

    /**
     * Whether to compute each element as one dot product ({@link FloatGemm#dotProducts}): when C
     * has at most {@link #DOT_MAX} columns (a value head, {@code x w^T} with one output), or at most
     * {@link #DOT_MAX} rows and B's columns are contiguous (a single observation through a layer,
     * {@code x W^T}). A 12 x NR register tile would be mostly empty there.
     */
    static boolean usesDotProducts(int m, int n, int rsB) {
        return n <= DOT_MAX || (m <= DOT_MAX && rsB == 1);
    }

    /**
     * Whether the main kernel reads A's rows where they lie instead of packing them: A's rows must
     * be contiguous, and C at most four column panels wide, so that each row of A is read at most
     * four times. Packing A (a transposition, about 0.3 ns per element) then costs more than the
     * packed kernel saves (about 10%): at n = 64 packing took a quarter of the time.
     */
    static boolean readsAInPlace(int csA, int n, int nr) {
        return csA == 1 && n <= 4 * nr;
    }

    /**
     * Whether to read full column panels of B where they lie instead of packing them: B's rows must
     * be contiguous, and either A has fewer than MR rows (each row of B is then used once, so
     * packing gains nothing), or the block is small (at most {@link #IN_PLACE_SPAN} elements from
     * its first to its last row) so that its rows do not evict each other from L1, as rows a large
     * power-of-two stride apart do.
     */
    static boolean readsBInPlace(int m, int kc, int nc, int rsB, int csB) {
        return csB == 1 && rsB >= nc && (m < MR || (long) kc * rsB <= IN_PLACE_SPAN);
    }

    static int ceilDiv(int x, int d) {
        return (x + d - 1) / d;
    }
}
