package org.rlgrad.engine.tensordict;

import org.rlgrad.engine.tensor.Tensor;

/**
 * A reduction over a leaf's feature dims (spec engine.md section 2.4, {@code dim="feature"}): the
 * dims after the batch dims are flattened into one and reduced. A leaf with no feature dims is
 * reduced over a single added dim, so SUM, MEAN, AMAX, AMIN and PROD return it unchanged and STD
 * and VAR (with Bessel's correction, as the reference) give NaN, as over one sample.
 */
public enum FeatureReduction {
    SUM {
        @Override Tensor last(Tensor x) { return x.sum(-1); }
    },
    MEAN {
        @Override Tensor last(Tensor x) { return x.mean(-1); }
    },
    /** Sample standard deviation (correction 1). */
    STD {
        @Override Tensor last(Tensor x) { return x.std(new int[] {-1}, 1, false); }
    },
    /** Sample variance (correction 1). */
    VAR {
        @Override Tensor last(Tensor x) { return x.var(new int[] {-1}, 1, false); }
    },
    AMAX {
        @Override Tensor last(Tensor x) { return x.amax(-1); }
    },
    AMIN {
        @Override Tensor last(Tensor x) { return x.amin(-1); }
    },
    PROD {
        @Override Tensor last(Tensor x) { return x.prod(-1, false); }
    };

    /** The reduction over the last dim. */
    abstract Tensor last(Tensor x);

    /** {@code x} reduced over every dim from {@code batchDims} on; the result has the shape of its first {@code batchDims} dims. */
    public Tensor overTrailing(Tensor x, int batchDims) {
        if (x.dim() < batchDims) {
            throw new IllegalArgumentException("FeatureReduction." + name() + ": a leaf of shape " + java.util.Arrays.toString(x.shapeRef())
                    + " has fewer dims than the " + batchDims + " batch dims");
        }
        Tensor flat = x.dim() == batchDims ? x.unsqueeze(-1) : x.flatten(batchDims, -1);
        return last(flat);
    }
}
