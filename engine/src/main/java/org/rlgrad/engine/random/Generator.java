package org.rlgrad.engine.random;

import java.util.concurrent.atomic.AtomicLong;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A counter-based random generator: a Philox key, a stream number, and an offset that counts the
 * blocks used so far. A draw of n numbers takes the next blocks of the stream, so the numbers
 * depend only on the seed and on the draws made before, never on the backend or the thread
 * count ({@link Philox} says which words make which element).
 *
 * <p>{@link #fold(long)} derives an independent generator for an index without advancing this
 * one (vmap's DIFFERENT mode gives entry i the generator folded with i); {@link #split()}
 * derives a fresh one and advances this one by a block. Derivation runs the key and the index
 * through Philox itself, as JAX's {@code fold_in} does with Threefry.
 *
 * <p>Draws are made without recording gradients; distributions reparameterise them with tensor
 * ops ({@code loc + scale * eps}). A generator is safe to share between threads (the offset is
 * taken atomically), but which thread draws first then decides who gets which numbers.
 */
public final class Generator implements RandomSource {
    /** PyTorch's default seed, for a program that never seeds. */
    public static final long DEFAULT_SEED = 67280421310721L;

    private static volatile Generator global = new Generator(DEFAULT_SEED);

    private final long key;
    private final long stream;
    private final AtomicLong offset = new AtomicLong();

    public Generator(long seed) {
        this(seed, 0);
    }

    private Generator(long key, long stream) {
        this.key = key;
        this.stream = stream;
    }

    /** The generator that draws made without a named generator use. */
    public static Generator global() {
        return global;
    }

    /** Replaces the global generator with a fresh one of {@code seed} ({@code torch.manual_seed}). */
    public static void manualSeed(long seed) {
        global = new Generator(seed);
    }

    /** An independent generator for {@code index}; this generator does not advance. */
    public Generator fold(long index) {
        int[] w = new int[4];
        Philox.block((int) index, (int) (index >>> 32), (int) stream, (int) (stream >>> 32) ^ 0x5EED_F01D, (int) key, (int) (key >>> 32), w);
        return new Generator((w[0] & 0xFFFFFFFFL) | (long) w[1] << 32, (w[2] & 0xFFFFFFFFL) | (long) w[3] << 32);
    }

    /** A new independent generator; this one advances by one block. */
    public Generator split() {
        return fold(~offset.getAndIncrement());
    }

    /** The blocks used so far. */
    public long offset() {
        return offset.get();
    }

    /** Draws uniform in [0, 1) of {@code shape} (float32 or float64). */
    public Tensor uniform(int[] shape, DType dtype) {
        return fill(shape, dtype, false);
    }

    /** Draws uniform in [low, high) of {@code shape}. */
    public Tensor uniform(int[] shape, double low, double high, DType dtype) {
        if (!(low <= high)) throw new IllegalArgumentException("uniform: expected low <= high, got low = " + low + ", high = " + high);
        Tensor u = uniform(shape, dtype);
        return low == 0 && high == 1 ? u : noGrad(() -> u.mul(high - low).add(low));
    }

    /** Standard normal draws of {@code shape} (float32 or float64). */
    public Tensor normal(int[] shape, DType dtype) {
        return fill(shape, dtype, true);
    }

    /** {@code mean + std * eps} with eps standard normal, of the broadcast shape of the two. */
    public Tensor normal(Tensor mean, Tensor std) {
        int[] shape = Shape.broadcast("normal", mean.shapeRef(), std.shapeRef());
        Tensor eps = normal(shape, DType.promote(mean, std));
        return noGrad(() -> mean.add(std.mul(eps)));
    }

    /** 1 with probability {@code p}, else 0, elementwise, in p's dtype ({@code torch.bernoulli}). */
    public Tensor bernoulli(Tensor p) {
        if (!p.dtype().isFloating()) throw new IllegalArgumentException("bernoulli: expected floating probabilities, got " + p.dtype());
        Tensor u = uniform(p.shape(), p.dtype());
        return noGrad(() -> u.lt(p).to(p.dtype()));
    }

    /** Integers uniform in {@code [low, high)} of {@code shape} (int64). */
    public Tensor randint(long low, long high, int... shape) {
        if (low >= high) throw new IllegalArgumentException("randint: expected low < high, got low = " + low + ", high = " + high);
        if (high - low > (1L << 53)) throw new IllegalArgumentException("randint: the range [" + low + ", " + high + ") is wider than 2^53");
        Tensor u = uniform(shape, DType.FLOAT64);
        return noGrad(() -> u.mul(high - low).floor().add(low).to(DType.INT64));
    }

    /** A uniformly random permutation of {@code 0 .. n-1} (int64): the order of n uniform keys. */
    public Tensor randperm(int n) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
        Tensor keys = uniform(new int[] {n}, DType.FLOAT64);
        return noGrad(() -> keys.argsort(0, false));
    }

    /**
     * {@code numSamples} category indices per row of {@code probs} (last dim = categories; any
     * non-negative weights, normalised here), int64 of shape {@code probs.shape[:-1] + [numSamples]}.
     * With replacement each sample inverts the row's cumulative distribution at its own uniform;
     * without, the categories are ordered by exponential races {@code E / p} (the first
     * numSamples win), which draws them one after another in proportion to the remaining weight.
     */
    public Tensor multinomial(Tensor probs, int numSamples, boolean replacement) {
        if (probs.dim() < 1) throw new IllegalArgumentException("multinomial: probs must have at least one dim, got a scalar");
        int k = probs.size(-1);
        if (numSamples < 1) throw new IllegalArgumentException("multinomial: numSamples must be at least 1, got " + numSamples);
        if (!replacement && numSamples > k) {
            throw new IllegalArgumentException("multinomial: cannot draw " + numSamples + " samples without replacement from " + k + " categories");
        }
        return noGrad(() -> {
            // The checks read the values, which a vmapped function cannot do entry by entry; inside
            // vmap they are skipped (as distributions skip their support checks there).
            boolean check = !probs.isBatched();
            if (check && (probs.lt(0).any().item() != 0 || probs.isNan().any().item() != 0)) {
                throw new IllegalArgumentException("multinomial: probabilities must be non-negative and not NaN");
            }
            Tensor total = probs.sum(-1, true);
            if (check && total.le(0).any().item() != 0) throw new IllegalArgumentException("multinomial: every row of probs must have a positive sum");
            int[] sampleShape = probs.shape();
            sampleShape[sampleShape.length - 1] = numSamples;
            DType type = probs.dtype().isFloating() ? probs.dtype() : DType.FLOAT64;
            Tensor p = probs.to(type).div(total.to(type));
            if (replacement) {
                Tensor cdf = p.cumsum(-1);
                Tensor u = uniform(sampleShape, type);
                // Index = how many cumulative probabilities lie at or below u (clamped: rounding may
                // leave the last one a hair under 1).
                Tensor below = cdf.unsqueeze(-2).le(u.unsqueeze(-1)).sum(-1);
                return below.clampMax(k - 1).to(DType.INT64);
            }
            int[] raceShape = probs.shape();
            Tensor race = uniform(raceShape, type).neg().log1p().neg().div(p); // E / p with E = -ln(1 - u)
            return race.argsort(-1, false).narrow(-1, 0, numSamples);
        });
    }

    /** One category index per row of {@code probs}: {@code multinomial(probs, 1, true)} without its last dim. */
    public Tensor categorical(Tensor probs) {
        return multinomial(probs, 1, true).squeeze(-1);
    }

    /**
     * Standard gamma draws, Gamma(α, 1), one per element of {@code concentration} (float32 or
     * float64, every entry positive and finite), in its shape and dtype, without gradient
     * ({@code torch._standard_gamma}; distributions add the implicit reparameterisation gradient).
     *
     * <p>Marsaglia and Tsang, "A simple method for generating gamma variables" (ACM TOMS 2000):
     * with {@code d = α − 1/3}, {@code c = 1/√(9d)}, {@code z ~ N(0, 1)}, {@code v = (1 + c z)³},
     * accept {@code d v} when {@code v > 0} and {@code ln u < z²/2 + d − d v + d ln v}
     * ({@code u ~ U(0, 1)}; the squeeze {@code u < 1 − 0.0331 z⁴} accepts most draws without the
     * logarithms). More than 95% of proposals are accepted for every α ≥ 1; the rejected elements
     * are drawn again in rounds, each round one normal and one uniform draw over the elements still
     * pending, so the numbers depend only on the seed. For α &lt; 1 the paper's boost is used:
     * {@code Gamma(α) = Gamma(α + 1) · u^(1/α)}, with {@code u} in (0, 1]; for very small α the
     * result may underflow to 0 (the distributions clamp to the smallest normal number, as PyTorch does).
     */
    public Tensor gamma(Tensor concentration) {
        DType dtype = concentration.dtype();
        if (!dtype.isFloating()) throw new IllegalArgumentException("gamma: expected a float32 or float64 concentration, got " + dtype);
        int[] shape = concentration.shape();
        double[] alpha;
        try (var scope = GradMode.noGrad()) {
            alpha = concentration.detach().to(DType.FLOAT64).contiguous().toDoubleArray();
        }
        for (int i = 0; i < alpha.length; i++) {
            if (!(alpha[i] > 0) || alpha[i] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("gamma: concentration must be positive and finite, got " + alpha[i] + " at flat index " + i
                        + " of a tensor of shape " + Shape.format(shape));
            }
        }
        int n = alpha.length;
        double[] x = new double[n];
        int[] pending = new int[n];
        for (int i = 0; i < n; i++) pending[i] = i;
        int remaining = n;
        while (remaining > 0) {
            double[] z = normal(new int[] {remaining}, DType.FLOAT64).toDoubleArray();
            double[] u = uniform(new int[] {remaining}, DType.FLOAT64).toDoubleArray();
            int kept = 0;
            for (int j = 0; j < remaining; j++) {
                int i = pending[j];
                double d = (alpha[i] < 1 ? alpha[i] + 1 : alpha[i]) - 1.0 / 3.0;
                double c = 1 / Math.sqrt(9 * d);
                double t = 1 + c * z[j];
                double v = t * t * t;
                boolean accept = v > 0 && (u[j] < 1 - 0.0331 * (z[j] * z[j]) * (z[j] * z[j])
                        || Math.log(u[j]) < 0.5 * z[j] * z[j] + d - d * v + d * Math.log(v));
                if (accept) x[i] = d * v;
                else pending[kept++] = i;
            }
            remaining = kept;
        }
        int small = 0;
        for (double a : alpha) if (a < 1) small++;
        if (small > 0) {
            double[] u = uniform(new int[] {small}, DType.FLOAT64).toDoubleArray();
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (alpha[i] < 1) x[i] *= Math.exp(Math.log1p(-u[j++]) / alpha[i]);
            }
        }
        Tensor out = Tensor.of(DType.FLOAT64, x, shape).to(concentration.device());
        return dtype == DType.FLOAT64 ? out : noGrad(() -> out.to(dtype));
    }

    @Override
    public Tensor standardNormal(String site, int[] shape, DType dtype) {
        return normal(shape, dtype);
    }

    @Override
    public Tensor uniform(String site, int[] shape, DType dtype, double low, double high) {
        return uniform(shape, low, high, dtype);
    }

    @Override
    public Tensor randperm(String site, int n) {
        return randperm(n);
    }

    private Tensor fill(int[] shape, DType dtype, boolean normal) {
        if (!dtype.isFloating()) throw new IllegalArgumentException((normal ? "normal" : "uniform") + ": expected float32 or float64, got " + dtype);
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException((normal ? "normal" : "uniform") + ": negative size in shape " + Shape.format(shape));
        }
        DrawHook hook = drawHook;
        if (hook != null) return hook.draw(this, shape, g -> g.fillDirect(shape, dtype, normal));
        return fillDirect(shape, dtype, normal);
    }

    private Tensor fillDirect(int[] shape, DType dtype, boolean normal) {
        long blocks = Philox.blocksFor(Shape.numel(shape), dtype);
        long start = offset.getAndAdd(blocks);
        return Backends.defaultBackend().philox(shape.clone(), dtype, normal, key, stream, start);
    }

    /**
     * vmap's hook on every draw: uniform and normal draws are the primitives of all the others, so
     * a vmapped function's draws obey its randomness mode (ERROR throws, SAME draws once,
     * DIFFERENT gives entry i the draws of {@code fold(i)}). {@code direct} makes a draw of the
     * per-entry shape from a given generator, bypassing the hook.
     */
    @FunctionalInterface
    public interface DrawHook {
        Tensor draw(Generator generator, int[] shape, java.util.function.Function<Generator, Tensor> direct);
    }

    /** Installed once by {@code org.rlgrad.engine.vmap}; null until then (a draw then costs one field read more). */
    private static volatile DrawHook drawHook;

    public static void installDrawHook(DrawHook hook) {
        drawHook = hook;
    }

    private static Tensor noGrad(java.util.function.Supplier<Tensor> body) {
        try (var scope = GradMode.noGrad()) {
            return body.get();
        }
    }
}
