package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A point mass at {@code param}: TorchRL's {@code Delta}, the "distribution" of a deterministic
 * policy (spec/engine.md section 4.5).
 *
 * <ul>
 *   <li>Without explicit shapes, {@code batchShape = param.shape[:-1]} and
 *       {@code eventShape = param.shape[-1:]}.</li>
 *   <li>{@code logProb(v)} is {@code +∞} where {@code |v − param| < atol + rtol |param|} holds on
 *       every event entry, {@code −∞} elsewhere. That is TorchRL's definition (a density with all
 *       its mass on one point), kept as is (spec/DECISIONS.md rule 2); it carries no gradient.</li>
 *   <li>{@code sample(shape)} is {@code param} expanded to {@code shape + param.shape}, without
 *       gradient; {@code rsample} is the same with gradient. {@link #hasRsample()} is false
 *       nevertheless, as in TorchRL, so that probabilistic modules in RANDOM mode take the detached
 *       {@code sample} (spec section 8, quirk 3).</li>
 *   <li>{@code mean = mode = deterministicSample = param}; there is no entropy.</li>
 * </ul>
 */
public final class Delta implements Distribution {
    public static final double DEFAULT_ATOL = 1e-6;
    public static final double DEFAULT_RTOL = 1e-6;

    private final Tensor param;
    private final double atol;
    private final double rtol;
    private final int[] batchShape;
    private final int[] eventShape;

    public Delta(Tensor param) {
        this(param, DEFAULT_ATOL, DEFAULT_RTOL);
    }

    public Delta(Tensor param, double atol, double rtol) {
        this(param, atol, rtol, null, null);
    }

    /**
     * @param batchShape the batch shape, or null: {@code param.shape} minus its event dims
     * @param eventShape the event shape, or null: the last dim of {@code param} (none for a scalar),
     *                   or what is left after {@code batchShape}
     */
    public Delta(Tensor param, double atol, double rtol, int[] batchShape, int[] eventShape) {
        Arguments.requireFloating("Delta", "param", param);
        if (!(atol >= 0) || !(rtol >= 0)) throw new IllegalArgumentException("Delta: atol and rtol must be non-negative, got " + atol + ", " + rtol);
        int[] shape = param.shapeRef();
        if (batchShape == null && eventShape == null) {
            int e = Math.min(1, shape.length);
            batchShape = Arguments.head(shape, shape.length - e);
            eventShape = Arguments.tail(shape, e);
        } else if (batchShape == null) {
            batchShape = Arguments.head(shape, Math.max(0, shape.length - eventShape.length));
        } else if (eventShape == null) {
            eventShape = Arguments.tail(shape, Math.max(0, shape.length - batchShape.length));
        }
        if (!java.util.Arrays.equals(Arguments.concat(batchShape, eventShape), shape)) {
            throw new IllegalArgumentException("Delta: batch shape " + Shape.format(batchShape) + " and event shape " + Shape.format(eventShape)
                    + " do not make up the shape of param " + Shape.format(shape));
        }
        this.param = param;
        this.atol = atol;
        this.rtol = rtol;
        this.batchShape = batchShape;
        this.eventShape = eventShape;
    }

    public Tensor param() { return param; }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return eventShape.clone(); }

    /** False, as in TorchRL, although {@link #rsample} works (see the class comment). */
    @Override public boolean hasRsample() { return false; }
    /** Real; not checked: the log-probability is defined everywhere (+∞ at the atom, −∞ elsewhere). */
    @Override public Support support() { return Support.REAL; }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        try (var scope = GradMode.noGrad()) {
            return param.detach().expand(Arguments.concat(sampleShape, param.shapeRef()));
        }
    }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        return param.expand(Arguments.concat(sampleShape, param.shapeRef()));
    }

    /** {@code +∞} at the atom (within {@code atol + rtol |param|} on every event entry), {@code −∞} elsewhere; no gradient. */
    @Override
    public Tensor logProb(Tensor value) {
        try (var scope = GradMode.noGrad()) {
            Tensor p = param.detach();
            Tensor close = value.sub(p).abs().lt(p.abs().mul(rtol).add(atol));
            for (int i = 0; i < eventShape.length; i++) close = close.all(-1, false);
            Tensor plus = param.newScalar(Double.POSITIVE_INFINITY, param.dtype());
            Tensor minus = param.newScalar(Double.NEGATIVE_INFINITY, param.dtype());
            return Tensor.where(close, plus, minus);
        }
    }

    @Override public Tensor mean() { return param; }

    @Override public Tensor mode() { return param; }

    @Override public Tensor deterministicSample() { return param; }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException("Delta has no entropy (a point mass has none that is finite)");
    }

    @Override
    public String toString() {
        return "Delta(batchShape=" + Shape.format(batchShape) + ", eventShape=" + Shape.format(eventShape) + ")";
    }
}
