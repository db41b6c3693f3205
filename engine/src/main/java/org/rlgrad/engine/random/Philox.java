package org.rlgrad.engine.random;

import org.rlgrad.engine.tensor.DType;

/**
 * Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy
 * as 1, 2, 3" (SC 2011): a keyed bijection of 128-bit counters, ten rounds of two 32x32 -> 64-bit
 * multiplications. Block {@code c} under key {@code k} is four 32-bit words that depend on nothing
 * else, so any element of a stream can be computed on its own: by any thread, in any order, on any
 * backend, with the same result. PyTorch's CUDA generator and JAX's {@code threefry} alternative
 * use the same construction.
 *
 * <p>The constants are the paper's; {@link #block} is checked against the Random123 known-answer
 * vectors in the tests.
 *
 * <p><b>Elements.</b> A stream is blocks {@code offset, offset + 1, ...} of one key and stream
 * number (the counter's high half). Element {@code i} of a float32 draw is word {@code i % 4} of
 * block {@code offset + i / 4} ({@link #uniformFloat}); of a float64 draw, words {@code 2 (i % 2)}
 * and {@code 2 (i % 2) + 1} of block {@code offset + i / 2} ({@link #uniformDouble}). Normal
 * elements {@code 2p} and {@code 2p + 1} are the Box–Muller pair of uniform elements {@code 2p}
 * and {@code 2p + 1}, which always lie in one block.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final int ROUNDS = 10;

    private Philox() {}

    /**
     * The four words of block {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}, written to
     * {@code out[0..3]}.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Elements of {@code dtype} that one block (four words) makes: 4 float32 or 2 float64. */
    public static int elementsPerBlock(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 4;
            case FLOAT64 -> 2;
            default -> throw new IllegalArgumentException("random numbers come as float32 or float64, not " + dtype);
        };
    }

    /** The blocks that {@code n} elements of {@code dtype} use up. */
    public static long blocksFor(long n, DType dtype) {
        int per = elementsPerBlock(dtype);
        return (n + per - 1) / per;
    }

    /** A float32 uniform in [0, 1) from one word: its top 24 bits. */
    public static float uniformFloat(int word) {
        return (word >>> 8) * 0x1p-24f;
    }

    /** A float64 uniform in [0, 1) from two words: the top 53 of their 64 bits. */
    public static double uniformDouble(int high, int low) {
        long bits = ((high & 0xFFFFFFFFL) << 32 | (low & 0xFFFFFFFFL)) >>> 11;
        return bits * 0x1p-53;
    }

    /**
     * The Box–Muller pair of standard normals from uniforms {@code u1, u2} in [0, 1): with
     * {@code r = sqrt(-2 ln(1 - u1))} and {@code t = 2 pi u2}, {@code (r cos t, r sin t)}.
     * {@code 1 - u1} keeps the logarithm finite. StrictMath makes the numbers the same on every
     * JVM.
     */
    public static double boxMullerFirst(double u1, double u2) {
        return StrictMath.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /** The second of the pair of {@link #boxMullerFirst}. */
    public static double boxMullerSecond(double u1, double u2) {
        return StrictMath.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.sin(2 * Math.PI * u2);
    }
}
