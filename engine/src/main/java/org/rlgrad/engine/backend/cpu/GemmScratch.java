package org.rlgrad.engine.backend.cpu;

/**
 * One thread's packing buffers for {@link FloatGemm} and {@link DoubleGemm}, kept between calls so
 * that a matrix product allocates nothing in the steady state (an MLP training step may allocate
 * at most about twice the bytes of its outputs and gradients, and packing a 1024 x 1024 product
 * would otherwise allocate 2 MB per call).
 *
 * <p>Each buffer grows to the largest block the thread has packed and stays that size. The blocks
 * are bounded by the cache-blocking sizes, so a thread keeps at most about {@code (MC + NC) * KC}
 * elements per dtype (4 MB of float32 at the default sizes) however large the matrices; only the
 * dot-product path of a very narrow product can ask for more (its B, at most {@code 4 k}).
 */
final class GemmScratch {
    private static final ThreadLocal<GemmScratch> LOCAL = ThreadLocal.withInitial(GemmScratch::new);

    private float[] floatA = new float[0], floatB = new float[0], floatTile = new float[0];
    private double[] doubleA = new double[0], doubleB = new double[0], doubleTile = new double[0];
    private int[] offsets = new int[0];

    private GemmScratch() {}

    /** The calling thread's buffers. */
    static GemmScratch get() {
        return LOCAL.get();
    }

    float[] floatA(int size) {
        if (floatA.length < size) floatA = new float[size];
        return floatA;
    }

    float[] floatB(int size) {
        if (floatB.length < size) floatB = new float[size];
        return floatB;
    }

    float[] floatTile(int size) {
        if (floatTile.length < size) floatTile = new float[size];
        return floatTile;
    }

    /** Index tables for the packing routines' gathers. */
    int[] offsets(int size) {
        if (offsets.length < size) offsets = new int[size];
        return offsets;
    }

    double[] doubleA(int size) {
        if (doubleA.length < size) doubleA = new double[size];
        return doubleA;
    }

    double[] doubleB(int size) {
        if (doubleB.length < size) doubleB = new double[size];
        return doubleB;
    }

    double[] doubleTile(int size) {
        if (doubleTile.length < size) doubleTile = new double[size];
        return doubleTile;
    }
}
