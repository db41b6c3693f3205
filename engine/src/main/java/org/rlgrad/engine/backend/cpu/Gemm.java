package org.rlgrad.engine.backend.cpu;

/**
 * One matrix product {@code C[n x m] = A[n x k] B[k x m]} over strided operands.
 *
 * <p>Operands are first packed row-major (a transposed view, such as the weight in
 * {@code x W^T}, becomes contiguous), then C is built row by row as a sum of scaled rows of B
 * ({@code C[i, :] += A[i, p] * B[p, :]}), the "i-p-j" order whose inner loop is a SIMD
 * fused multiply-add over contiguous memory ({@link VectorKernels#axpy}). The p and j loops are
 * tiled so that the slice of B in use stays in cache while every row of A passes over it.
 */
final class Gemm {
    private static final int TILE_P = 256;
    private static final int TILE_J = 1024;

    private Gemm() {}

    static void multiply(CpuStorage a, int aOff, int aRowStride, int aColStride,
                         CpuStorage b, int bOff, int bRowStride, int bColStride,
                         CpuStorage c, int cOff, int n, int k, int m) {
        // C arrives zero-filled. With k = 0 the product is that zero matrix; an empty operand's
        // strides and offset may point past its (empty) storage, so it must not be packed.
        if (n == 0 || k == 0 || m == 0) return;
        if (c.f32 != null) {
            float[] pa = packFloat(a, aOff, aRowStride, aColStride, n, k);
            float[] pb = packFloat(b, bOff, bRowStride, bColStride, k, m);
            for (int p0 = 0; p0 < k; p0 += TILE_P) {
                int p1 = Math.min(k, p0 + TILE_P);
                for (int j0 = 0; j0 < m; j0 += TILE_J) {
                    int width = Math.min(m, j0 + TILE_J) - j0;
                    for (int i = 0; i < n; i++) {
                        for (int p = p0; p < p1; p++) {
                            VectorKernels.axpy(pa[i * k + p], pb, p * m + j0, c.f32, cOff + i * m + j0, width);
                        }
                    }
                }
            }
        } else if (c.f64 != null) {
            double[] pa = packDouble(a, aOff, aRowStride, aColStride, n, k);
            double[] pb = packDouble(b, bOff, bRowStride, bColStride, k, m);
            for (int p0 = 0; p0 < k; p0 += TILE_P) {
                int p1 = Math.min(k, p0 + TILE_P);
                for (int j0 = 0; j0 < m; j0 += TILE_J) {
                    int width = Math.min(m, j0 + TILE_J) - j0;
                    for (int i = 0; i < n; i++) {
                        for (int p = p0; p < p1; p++) {
                            VectorKernels.axpy(pa[i * k + p], pb, p * m + j0, c.f64, cOff + i * m + j0, width);
                        }
                    }
                }
            }
        } else {
            // Integer products are rare (index arithmetic); exact long accumulation.
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    long sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += a.getLong(aOff + i * aRowStride + p * aColStride) * b.getLong(bOff + p * bRowStride + j * bColStride);
                    }
                    c.setLong(cOff + i * m + j, sum);
                }
            }
        }
    }

    private static float[] packFloat(CpuStorage s, int off, int rowStride, int colStride, int rows, int cols) {
        if (colStride == 1 && rowStride == cols && off == 0 && s.f32.length == rows * cols) return s.f32;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int base = off + r * rowStride;
            if (colStride == 1) {
                System.arraycopy(s.f32, base, out, r * cols, cols);
            } else {
                for (int q = 0; q < cols; q++) out[r * cols + q] = s.f32[base + q * colStride];
            }
        }
        return out;
    }

    private static double[] packDouble(CpuStorage s, int off, int rowStride, int colStride, int rows, int cols) {
        if (colStride == 1 && rowStride == cols && off == 0 && s.f64.length == rows * cols) return s.f64;
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            int base = off + r * rowStride;
            if (colStride == 1) {
                System.arraycopy(s.f64, base, out, r * cols, cols);
            } else {
                for (int q = 0; q < cols; q++) out[r * cols + q] = s.f64[base + q * colStride];
            }
        }
        return out;
    }
}
