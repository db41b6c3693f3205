package org.rlgrad.examples.training.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

class SumTreeTest {
    /** The index a prefix sum lands on, by a scan from the left. */
    static int bruteFind(double[] v, double prefix) {
        double cum = 0;
        for (int i = 0; i < v.length; i++) {
            cum += v[i];
            if (prefix < cum) return i;
        }
        throw new AssertionError("prefix " + prefix + " past the total " + cum);
    }

    @Test
    void totalsAndPrefixSearchesMatchABruteForceScan() {
        Random r = new Random(11);
        for (int n : new int[] {1, 2, 5, 8, 13, 100}) {
            SumTree tree = new SumTree(n);
            double[] v = new double[n];
            for (int round = 0; round < 200; round++) {
                int i = r.nextInt(n);
                v[i] = r.nextInt(4) == 0 ? 0 : r.nextDouble() * 10;
                tree.set(i, v[i]);
                double total = 0;
                for (double x : v) total += x;
                assertEquals(total, tree.total(), 1e-9 * Math.max(1, total), "n " + n + " round " + round);
                assertEquals(v[i], tree.get(i));
                if (total == 0) continue;
                for (int k = 0; k < 20; k++) {
                    double prefix = r.nextDouble() * total;
                    int expected = bruteFind(v, prefix);
                    int got = tree.find(prefix);
                    // Sums in a different order may differ in the last bits: accept a neighbour only when the prefix sits on that border.
                    if (got != expected) {
                        double border = 0;
                        for (int j = 0; j < Math.max(got, expected); j++) border += v[j];
                        assertEquals(border, prefix, 1e-9 * total, "n " + n + ": find(" + prefix + ") = " + got + ", expected " + expected);
                    }
                    assertEquals(true, v[got] > 0, "find lands on a positive value");
                }
            }
        }
    }

    @Test
    void theMinTreeTracksTheSmallestValueSet() {
        Random r = new Random(12);
        MinTree tree = new MinTree(7);
        assertEquals(Double.POSITIVE_INFINITY, tree.min(), "nothing set yet");
        double[] v = new double[7];
        java.util.Arrays.fill(v, Double.POSITIVE_INFINITY);
        for (int round = 0; round < 100; round++) {
            int i = r.nextInt(7);
            v[i] = r.nextDouble();
            tree.set(i, v[i]);
            double min = Double.POSITIVE_INFINITY;
            for (double x : v) min = Math.min(min, x);
            assertEquals(min, tree.min());
        }
    }

    @Test
    void aPrefixAtTheTotalLandsOnTheLastPositiveValue() {
        SumTree tree = new SumTree(6);
        tree.set(1, 0.1);
        tree.set(2, 0.2);
        assertEquals(2, tree.find(tree.total()));
        assertEquals(1, tree.find(0.0));
        assertThrows(IllegalStateException.class, () -> new SumTree(3).find(0.0));
        assertThrows(IllegalArgumentException.class, () -> tree.set(0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> tree.set(6, 1));
    }
}
