package org.rlgrad.examples.training.replay;

import java.util.Arrays;

/**
 * A binary tree over {@code n} values whose inner nodes hold the minimum of their children: setting
 * a value and reading the minimum take {@code O(log n)}. The prioritized replay buffer reads the
 * smallest priority from it to normalise its importance weights by their maximum, which belongs
 * to the least likely transition. Unset values are {@code +∞}, so they never count as the minimum.
 */
public final class MinTree {
    private final int n;
    private final int leaves;
    private final double[] nodes;

    public MinTree(int n) {
        if (n < 1) throw new IllegalArgumentException("MinTree: expected a positive size, got " + n);
        this.n = n;
        this.leaves = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        this.nodes = new double[2 * leaves];
        Arrays.fill(nodes, Double.POSITIVE_INFINITY);
    }

    public int size() { return n; }

    public void set(int i, double value) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException("MinTree: index " + i + " is outside [0, " + n + ")");
        if (Double.isNaN(value)) throw new IllegalArgumentException("MinTree: the value at " + i + " is NaN");
        int k = leaves + i;
        nodes[k] = value;
        for (k >>= 1; k >= 1; k >>= 1) nodes[k] = Math.min(nodes[2 * k], nodes[2 * k + 1]);
    }

    /** The smallest value set ({@code +∞} when none is). */
    public double min() { return nodes[1]; }
}
