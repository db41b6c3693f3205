package org.rlgrad.examples.envs;

import java.util.Arrays;

/**
 * What an environment accepts as an action: {@link Discrete} (one of {@code n} choices, passed
 * as {@code action[0]}) or {@link Box} (a real vector between {@code low} and {@code high}).
 */
public sealed interface ActionSpace {
    /** The number of numbers one action takes: 1 for a discrete choice, the vector's length for a box. */
    int dim();

    /** One of {@code n} choices {@code 0 .. n-1}. */
    record Discrete(int n) implements ActionSpace {
        public Discrete {
            if (n < 2) throw new IllegalArgumentException("Discrete: expected at least 2 actions, got " + n);
        }

        @Override
        public int dim() { return 1; }
    }

    /** A vector with {@code low[i] <= a[i] <= high[i]}. */
    record Box(double[] low, double[] high) implements ActionSpace {
        public Box {
            if (low.length != high.length || low.length == 0) {
                throw new IllegalArgumentException("Box: low and high must be non-empty and of one length, got " + low.length + " and " + high.length);
            }
            for (int i = 0; i < low.length; i++) {
                if (!(low[i] < high[i])) throw new IllegalArgumentException("Box: expected low < high at " + i + ", got " + low[i] + " and " + high[i]);
            }
            low = low.clone();
            high = high.clone();
        }

        @Override
        public int dim() { return low.length; }

        @Override
        public double[] low() { return low.clone(); }

        @Override
        public double[] high() { return high.clone(); }

        /** {@code a} clipped into the box, element by element. */
        public double[] clip(double[] a) {
            double[] out = new double[a.length];
            for (int i = 0; i < a.length; i++) out[i] = Math.min(high[i], Math.max(low[i], a[i]));
            return out;
        }

        @Override
        public String toString() { return "Box(low=" + Arrays.toString(low) + ", high=" + Arrays.toString(high) + ")"; }
    }
}
