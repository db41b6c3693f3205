package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.ops.SafeTanh;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A point mass squashed into {@code [low, high]}: TorchRL's {@code TanhDelta}, the action
 * "distribution" of DDPG and TD3 actors (spec/engine.md section 4.5).
 *
 * <p>With {@code m = (high + low)/2} and {@code h = (high − low)/2}, the atom is
 * {@code y = m + h · tanh(param + m)}. TorchRL always treats the bounds as non-trivial here, so it
 * always shifts the parameter by the midpoint before the tanh (spec section 8, quirk 4); with the
 * default bounds {@code m = 0}, {@code h = 1} and the atom is plain {@code tanh(param)}. rlgrad
 * reproduces this, as the conformance vectors do. tanh is {@link SafeTanh#safeTanh} unless
 * {@code safe} is off.
 *
 * <p>{@code mode = deterministicSample = rsample = y} (differentiable), {@code sample = y} without
 * gradient; {@link #hasRsample()} is false as for {@link Delta}. {@code logProb(v)} is {@code +∞}
 * where {@code atanh((v − m)/h)} lies within tolerance of {@code param + m} on every event entry,
 * else {@code −∞} (the finite log-determinant of the squashing does not change an infinity, so it
 * is not added). There is no mean and no entropy.
 */
public final class TanhDelta implements Distribution {
    static final String BOUNDS_MESSAGE = "TanhDelta: high value has been found to be equal or less than low value";

    private final Tensor param;
    private final Tensor low;
    private final Tensor high;
    private final Tensor mid;
    private final Tensor halfWidth;
    private final boolean safe;
    private final Delta base;

    public TanhDelta(Tensor param) {
        this(param, -1.0, 1.0);
    }

    public TanhDelta(Tensor param, double low, double high) {
        this(param, param.newScalar(low, param.dtype()), param.newScalar(high, param.dtype()), 1, Delta.DEFAULT_ATOL, Delta.DEFAULT_RTOL, true);
    }

    /**
     * @param low        lower bounds, broadcast against the trailing dims of {@code param} (no gradient)
     * @param high       upper bounds, likewise; {@code high > low} everywhere
     * @param eventDims  how many trailing dims of {@code param} form one event
     */
    public TanhDelta(Tensor param, Tensor low, Tensor high, int eventDims, double atol, double rtol, boolean safe) {
        Arguments.requireFloating("TanhDelta", "param", param);
        this.low = low.detach().to(param.dtype());
        this.high = high.detach().to(param.dtype());
        Arguments.requireOrdered(BOUNDS_MESSAGE, this.low, this.high);
        int[] shape = param.shapeRef();
        if (eventDims < 0 || eventDims > shape.length) {
            throw new IllegalArgumentException("TanhDelta: eventDims must be between 0 and the rank of param (" + shape.length
                    + ", shape " + Shape.format(shape) + "), got " + eventDims);
        }
        this.param = param;
        this.safe = safe;
        this.mid = this.high.add(this.low).div(2);
        this.halfWidth = this.high.sub(this.low).div(2);
        this.base = new Delta(param.add(mid), atol, rtol, Arguments.head(shape, shape.length - eventDims), Arguments.tail(shape, eventDims));
    }

    public Tensor param() { return param; }

    public Tensor low() { return low; }

    public Tensor high() { return high; }

    @Override public int[] batchShape() { return base.batchShape(); }

    @Override public int[] eventShape() { return base.eventShape(); }

    @Override public boolean hasRsample() { return false; }
    /** {@code [low, high]}; not checked: the log-probability is +∞ at the mode and −∞ elsewhere. */
    @Override public Support support() { return Support.interval(low, high); }

    private Tensor squash(Tensor x) {
        return mid.add(halfWidth.mul(safe ? SafeTanh.safeTanh(x) : x.tanh()));
    }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        try (var scope = GradMode.noGrad()) {
            return squash(base.sample(random, sampleShape));
        }
    }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        return squash(base.rsample(random, sampleShape));
    }

    @Override
    public Tensor logProb(Tensor value) {
        try (var scope = GradMode.noGrad()) {
            Tensor u = value.sub(mid).div(halfWidth);
            return base.logProb(safe ? SafeTanh.safeAtanh(u) : u.atanh());
        }
    }

    @Override public Tensor mode() { return squash(base.param()); }

    @Override public Tensor deterministicSample() { return mode(); }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException("TanhDelta mean has no analytical form; use mode() or deterministicSample()");
    }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException("TanhDelta has no entropy (a point mass has none that is finite)");
    }

    @Override
    public String toString() {
        return "TanhDelta(batchShape=" + Shape.format(batchShape()) + ", eventShape=" + Shape.format(eventShape()) + ")";
    }
}
