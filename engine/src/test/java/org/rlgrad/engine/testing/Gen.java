package org.rlgrad.engine.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The generator handed to a {@link Property} body: random shapes (rank 0 to 4, small sizes,
 * size-1 dims included), broadcast-compatible shape tuples, dims, and float64 tensors with values
 * kept inside a domain and away from kinks or ties. {@code size} (0 to 1) grows over a property's
 * tries, so early cases are small. Everything drawn that matters for a replay is noted in
 * {@link #log()}.
 */
public final class Gen {
    /** Upper bound on a generated shape's element count: keeps finite differences cheap. */
    public static final int MAX_NUMEL = 36;

    private final SplittableRandom random;
    private final double size;
    private final StringBuilder log = new StringBuilder();

    Gen(SplittableRandom random, double size) {
        this.random = random;
        this.size = size;
    }

    /** For tests that want a generator outside {@link Property}. */
    public static Gen seeded(long seed) {
        return new Gen(new SplittableRandom(seed), 1);
    }

    public String log() {
        return log.toString();
    }

    /** Records a drawn value for the failure report. */
    public Gen note(String key, Object value) {
        if (!log.isEmpty()) log.append(", ");
        log.append(key).append('=').append(value instanceof int[] a ? Shape.format(a) : String.valueOf(value));
        return this;
    }

    // ------------------------------------------------------------------ scalars

    /** Uniform integer in [lo, hi], inclusive. */
    public int intIn(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    @SafeVarargs
    public final <T> T oneOf(T... options) {
        return options[random.nextInt(options.length)];
    }

    public double choose(double... options) {
        return options[random.nextInt(options.length)];
    }

    public int chooseInt(int... options) {
        return options[random.nextInt(options.length)];
    }

    // ------------------------------------------------------------------ shapes and dims

    /** A shape of rank in [minRank, maxRank] with sizes 1 to 3 (size-1 dims are common), at most {@link #MAX_NUMEL} elements. */
    public int[] shape(int minRank, int maxRank) {
        int[] s = rawShape(minRank, maxRank);
        note("shape", s);
        return s;
    }

    private int[] rawShape(int minRank, int maxRank) {
        int reachable = minRank + (int) Math.round(size * (maxRank - minRank) + 0.49);
        int rank = intIn(minRank, Math.max(minRank, Math.min(maxRank, reachable)));
        int maxDim = 1 + (int) Math.round(size * 2 + 0.3);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = chance(0.25) ? 1 : intIn(1, Math.min(3, maxDim));
        while (Shape.numel(s) > MAX_NUMEL) {
            int largest = 0;
            for (int i = 1; i < rank; i++) if (s[i] > s[largest]) largest = i;
            s[largest]--;
        }
        return s;
    }

    /** A shape of exactly this rank. */
    public int[] shapeOfRank(int rank) {
        return shape(rank, rank);
    }

    /**
     * {@code count} shapes that broadcast together: each is the same full shape with some dims
     * set to 1 and, sometimes, some leading dims dropped (NumPy rules).
     */
    public int[][] broadcastShapes(int count, int minRank, int maxRank) {
        int[] full = rawShape(minRank, maxRank);
        int[][] out = new int[count][];
        for (int k = 0; k < count; k++) {
            int[] s = full.clone();
            for (int i = 0; i < s.length; i++) if (chance(0.3)) s[i] = 1;
            int drop = chance(0.35) ? intIn(0, s.length) : 0;
            out[k] = Arrays.copyOfRange(s, drop, s.length);
        }
        StringBuilder sb = new StringBuilder();
        for (int[] s : out) sb.append(sb.isEmpty() ? "" : " ").append(Shape.format(s));
        note("shapes", sb);
        return out;
    }

    /** A valid dim of a tensor of this rank, randomly in its negative form. */
    public int dim(int rank) {
        int r = Math.max(rank, 1);
        int d = random.nextInt(r);
        return bool() ? d : d - r;
    }

    /** null (all dims) or a non-empty set of distinct dims in random order and form. */
    public int[] dims(int rank) {
        if (rank == 0 || chance(0.2)) return null;
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < rank; i++) all.add(i);
        java.util.Collections.shuffle(all, new java.util.Random(random.nextLong()));
        int n = intIn(1, rank);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = bool() ? all.get(i) : all.get(i) - rank;
        return out;
    }

    /** A random permutation of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    // ------------------------------------------------------------------ tensors (float64 unless said otherwise)

    public Tensor uniform(int[] shape, double lo, double hi) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = uniform(lo, hi);
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    /** Uniform in [lo, hi] but at least {@code margin} away from each of {@code kinks}. */
    public Tensor awayFrom(int[] shape, double lo, double hi, double margin, double... kinks) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double x;
            do {
                x = uniform(lo, hi);
            } while (near(x, margin, kinks));
            v[i] = x;
        }
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    private static boolean near(double x, double margin, double[] kinks) {
        for (double k : kinks) if (Math.abs(x - k) < margin) return true;
        return false;
    }

    /** Values with |x| in [minAbs, maxAbs] and a random sign: away from the kink at 0. */
    public Tensor signed(int[] shape, double minAbs, double maxAbs) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (bool() ? 1 : -1) * uniform(minAbs, maxAbs);
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    /** Values at least {@code margin} away from every integer (kinks of floor/ceil/trunc) or half-integer. */
    public Tensor awayFromHalfIntegers(int[] shape, double lo, double hi, double margin) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double x;
            do {
                x = uniform(lo, hi);
            } while (Math.abs(2 * x - Math.rint(2 * x)) < 2 * margin);
            v[i] = x;
        }
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    /**
     * Pairwise distinct values (no ties for max, sort, ...): a shuffled ladder starting at
     * {@code lo} with steps of {@code spacing}, each jittered by less than a quarter step.
     */
    public Tensor distinct(int[] shape, double lo, double spacing) {
        int n = Shape.numel(shape);
        int[] order = permutation(n);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + spacing * (order[i] + uniform(0, 0.25));
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    /**
     * Values on the lattice {@code 0.1 k + offset} plus a jitter below 0.02, k in [-20, 20]: tensors
     * drawn with offsets 0.05 apart never tie with one another (gap at least 0.03).
     */
    public Tensor lattice(int[] shape, double offset) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = 0.1 * intIn(-20, 20) + offset + uniform(0, 0.02);
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    public Tensor bools(int[] shape, double pTrue) {
        boolean[] v = new boolean[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = chance(pTrue);
        return Tensor.of(v, shape);
    }

    /** int64 values in [0, bound). */
    public Tensor indices(int[] shape, int bound) {
        long[] v = new long[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = random.nextInt(bound);
        return Tensor.of(v, shape);
    }
}
