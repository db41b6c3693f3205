package org.rlgrad.engine.distributions;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Reinterprets the last {@code k} batch dims of a base distribution as event dims (PyTorch's
 * {@code torch.distributions.Independent}; spec/engine.md section 4.2): draws are unchanged,
 * and the log-probability and the entropy of the independent components add up, so
 * {@link #logProb} and {@link #entropy} sum the base's over those dims. A diagonal Gaussian policy
 * over an action vector is {@code Independent(Normal(μ, σ), 1)}.
 */
public class Independent implements Distribution {
    private final Distribution base;
    private final int reinterpretedBatchDims;
    private final int[] batchShape;
    private final int[] eventShape;

    public Independent(Distribution base, int reinterpretedBatchDims) {
        int[] baseBatch = base.batchShape();
        if (reinterpretedBatchDims < 0 || reinterpretedBatchDims > baseBatch.length) {
            throw new IllegalArgumentException("Independent: reinterpretedBatchDims must be between 0 and the base's batch rank "
                    + baseBatch.length + " (batch shape " + Shape.format(baseBatch) + "), got " + reinterpretedBatchDims);
        }
        this.base = base;
        this.reinterpretedBatchDims = reinterpretedBatchDims;
        this.batchShape = Arguments.head(baseBatch, baseBatch.length - reinterpretedBatchDims);
        this.eventShape = Arguments.concat(Arguments.tail(baseBatch, reinterpretedBatchDims), base.eventShape());
    }

    public Distribution base() { return base; }

    /** How many of the base's batch dims are event dims here. */
    public int reinterpretedBatchDims() { return reinterpretedBatchDims; }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return eventShape.clone(); }

    @Override public boolean hasRsample() { return base.hasRsample(); }
    @Override public Support support() { return base.support(); }

    @Override public Tensor sample(RandomSource random, int... sampleShape) { return base.sample(random, sampleShape); }

    @Override public Tensor rsample(RandomSource random, int... sampleShape) { return base.rsample(random, sampleShape); }

    @Override
    public Tensor logProb(Tensor value) {
        return Arguments.sumLast(base.logProb(value), reinterpretedBatchDims);
    }

    @Override
    public Tensor entropy() {
        return Arguments.sumLast(base.entropy(), reinterpretedBatchDims);
    }

    @Override public Tensor mean() { return base.mean(); }

    @Override public Tensor mode() { return base.mode(); }

    @Override public Tensor deterministicSample() { return base.deterministicSample(); }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + base + ", " + reinterpretedBatchDims + ")";
    }
}
