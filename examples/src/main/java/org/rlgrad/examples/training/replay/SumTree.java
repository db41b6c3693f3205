package org.rlgrad.examples.training.replay;

/**
 * A binary tree over {@code n} non-negative values whose inner nodes hold the sum of their
 * children, so that setting a value, reading the total and finding the index where a prefix sum is
 * reached all take {@code O(log n)} (Schaul et al. 2016, "Prioritized Experience Replay",
 * appendix B.2.1). Sampling proportional to the values: draw {@code u} uniform in
 * {@code [0, total)} and take {@link #find}{@code (u)}.
 *
 * <p>Stored as an array of {@code 2·L} doubles, {@code L} the smallest power of two {@code >= n}:
 * node {@code k}'s children are {@code 2k} and {@code 2k + 1}; leaf {@code i} is node {@code L + i}.
 */
public final class SumTree {
    private final int n;
    private final int leaves;
    private final double[] nodes;

    public SumTree(int n) {
        if (n < 1) throw new IllegalArgumentException("SumTree: expected a positive size, got " + n);
        this.n = n;
        this.leaves = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        this.nodes = new double[2 * leaves];
    }

    public int size() { return n; }

    /** Sets value {@code i} and the sums above it. */
    public void set(int i, double value) {
        checkIndex(i);
        if (!(value >= 0) || Double.isInfinite(value)) throw new IllegalArgumentException("SumTree: expected a finite value >= 0 at " + i + ", got " + value);
        int k = leaves + i;
        nodes[k] = value;
        for (k >>= 1; k >= 1; k >>= 1) nodes[k] = nodes[2 * k] + nodes[2 * k + 1];
    }

    public double get(int i) {
        checkIndex(i);
        return nodes[leaves + i];
    }

    /** The sum of every value. */
    public double total() { return nodes[1]; }

    /**
     * The smallest index {@code i} with {@code value(0) + ... + value(i) > prefix}, for
     * {@code 0 <= prefix < total()}; a prefix at or past the total (rounding) gives the last index
     * with a positive value.
     */
    public int find(double prefix) {
        if (!(total() > 0)) throw new IllegalStateException("SumTree.find: every value is zero; there is nothing to sample");
        if (!(prefix >= 0)) throw new IllegalArgumentException("SumTree.find: expected a prefix >= 0, got " + prefix);
        int k = 1;
        while (k < leaves) {
            int left = 2 * k;
            if (prefix < nodes[left]) {
                k = left;
            } else {
                prefix -= nodes[left];
                k = left + 1;
            }
        }
        // Rounding can carry a prefix just short of the total onto a zero leaf past the last positive one.
        return nodes[k] > 0 ? k - leaves : lastPositive();
    }

    private int lastPositive() {
        for (int i = n - 1; i >= 0; i--) if (nodes[leaves + i] > 0) return i;
        throw new IllegalStateException("SumTree.find: every value is zero; there is nothing to sample");
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException("SumTree: index " + i + " is outside [0, " + n + ")");
    }
}
