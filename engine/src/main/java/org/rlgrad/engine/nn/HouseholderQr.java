package org.rlgrad.engine.nn;

/**
 * The thin QR factorisation by Householder reflections (Golub and Van Loan, Matrix Computations,
 * 4th ed., algorithm 5.2.1), in plain double arithmetic, for {@link Init#orthogonal_}: the engine
 * has no linear-algebra library, and the matrices initialisers factor are small.
 */
final class HouseholderQr {
    private HouseholderQr() {}

    /**
     * Q of A = QR for an m x n matrix with m &gt;= n (rows of {@code a}; not modified), its columns
     * multiplied by sign(R_kk) so that R has a non-negative diagonal: the unique factor torch's
     * orthogonal_ computes with {@code q *= diag(r).sign()} (a zero R_kk counts as positive).
     */
    static double[][] orthonormalFactor(double[][] a) {
        int m = a.length, n = a[0].length;
        if (m < n) throw new IllegalArgumentException("HouseholderQr: expected rows >= cols, got " + m + " x " + n);
        double[][] r = new double[m][];
        for (int i = 0; i < m; i++) r[i] = a[i].clone();
        double[][] v = new double[n][];
        double[] diag = new double[n];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i][k] * r[i][k];
            norm = Math.sqrt(norm);
            // alpha = -sign(x0) |x| keeps v0 = x0 - alpha away from cancellation.
            double alpha = r[k][k] >= 0 ? -norm : norm;
            double[] vk = new double[m - k];
            for (int i = k; i < m; i++) vk[i - k] = r[i][k];
            vk[0] -= alpha;
            double vnorm = 0;
            for (double x : vk) vnorm += x * x;
            vnorm = Math.sqrt(vnorm);
            if (vnorm > 0) {
                for (int i = 0; i < vk.length; i++) vk[i] /= vnorm;
                reflect(r, vk, k, k, n);
            }
            v[k] = vnorm > 0 ? vk : null;
            diag[k] = vnorm > 0 ? alpha : r[k][k];
        }
        double[][] q = new double[m][n];
        for (int i = 0; i < n; i++) q[i][i] = 1;
        for (int k = n - 1; k >= 0; k--) if (v[k] != null) reflect(q, v[k], k, 0, n);
        for (int k = 0; k < n; k++) {
            if (diag[k] < 0) for (int i = 0; i < m; i++) q[i][k] = -q[i][k];
        }
        return q;
    }

    /** x[k:, c0:c1] -= 2 v (v^T x[k:, c0:c1]) for a unit vector v: one reflection. */
    private static void reflect(double[][] x, double[] v, int k, int c0, int c1) {
        for (int j = c0; j < c1; j++) {
            double dot = 0;
            for (int i = 0; i < v.length; i++) dot += v[i] * x[k + i][j];
            dot *= 2;
            for (int i = 0; i < v.length; i++) x[k + i][j] -= dot * v[i];
        }
    }
}
