package org.rlgrad.engine.backend.cpu;

/**
 * The plain-loop twins of {@link FloatGemm} and {@link DoubleGemm}: the textbook triple loop over
 * the same strided operands, summing each element as {@code c = fma(a_ip, b_pj, c)} for p = 0, 1,
 * ..., k - 1 from zero. The blocked GEMMs keep exactly this order for every element, so tests
 * require bit-for-bit equality with these loops.
 */
final class PlainGemm {
    private PlainGemm() {}

    static void multiply(float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB, int csB,
                         float[] c, int cOff, int ldc, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0;
                for (int p = 0; p < k; p++) sum = Math.fma(a[aOff + i * rsA + p * csA], b[bOff + p * rsB + j * csB], sum);
                c[cOff + i * ldc + j] = sum;
            }
        }
    }

    static void multiply(double[] a, int aOff, int rsA, int csA, double[] b, int bOff, int rsB, int csB,
                         double[] c, int cOff, int ldc, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) sum = Math.fma(a[aOff + i * rsA + p * csA], b[bOff + p * rsB + j * csB], sum);
                c[cOff + i * ldc + j] = sum;
            }
        }
    }
}
