package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A categorical over the valid actions only (TorchRL's {@code MaskedCategorical}; spec/engine.md
 * section 4.7). Build it with {@link #builder()}: logits or probabilities, and exactly one of a
 * boolean {@code mask} (same shape as the parameters, {@code false} = invalid) or the sparse
 * {@code indices} of the valid actions ({@code [*batch, nValid]}).
 *
 * <ul>
 *   <li>From logits: invalid entries are set to {@code negInf} (default −∞). From probabilities:
 *       invalid entries are zeroed, the rest renormalised, and {@code logits = ln probs} with
 *       {@code negInf} at the invalid entries. TorchRL takes {@code ln 0} there and so has a NaN
 *       gradient at masked entries; rlgrad takes the logarithm of the valid entries only, so the
 *       gradient there is zero (spec/DECISIONS.md rule 2).</li>
 *   <li>Sparse form: the logits are gathered to the listed columns ({@link #maskedLogits()} has
 *       {@code nValid} columns); values, draws and the mode are original action indices; entries
 *       equal to {@code paddingValue} are padding (treated as invalid).</li>
 *   <li>{@code log p(k)} = {@code log_softmax(masked logits)[k]}; a non-finite result, and in the
 *       sparse form an index not in the list, scores {@code negInf}. With a finite {@code negInf}
 *       such as −1e9 an invalid action scores the finite log-softmax value, about −1e9.</li>
 *   <li>{@code entropy}: invalid or non-finite logits are replaced by {@code finfo.min} and
 *       renormalised, then {@code −Σ p ln p} over the valid outcomes (the invalid ones contribute 0,
 *       and no gradient).</li>
 *   <li>{@code sample} never draws an invalid action; {@code mode = deterministicSample = argmax}.</li>
 * </ul>
 *
 * <p>TorchRL's {@code use_cross_entropy} and {@code padding_side} options change neither value
 * nor gradient here: the log-probability is always the gathered log-softmax.
 */
public final class MaskedCategorical implements Distribution {
    private final Tensor maskedLogits;
    private final Tensor probs;
    /** Valid entries of the (possibly gathered) parameters, shape {@code batch + [K or nValid]}. */
    private final Tensor valid;
    /** The sparse form's action indices, or null for a dense mask. */
    private final Tensor indices;
    /** The same with padding entries replaced by 0, so that they can index (their probability is 0). */
    private final Tensor gatherIndices;
    private final int numActions;
    private final double negInf;
    private final int[] batchShape;

    private MaskedCategorical(Builder b) {
        if ((b.logits == null) == (b.probs == null)) {
            throw new IllegalArgumentException("MaskedCategorical: expected exactly one of logits and probs, got "
                    + (b.logits == null ? "neither" : "both"));
        }
        if ((b.mask == null) == (b.indices == null)) {
            throw new IllegalArgumentException("MaskedCategorical: a mask or some indices must be provided, but not both (got "
                    + (b.mask == null ? "neither" : "both") + ")");
        }
        if (Double.isNaN(b.negInf)) throw new IllegalArgumentException("MaskedCategorical: negInf must not be NaN");
        this.negInf = b.negInf;
        Tensor parameter = b.logits != null ? b.logits : b.probs;
        if (b.logits != null) CategoricalSupport.checkLogits("MaskedCategorical", b.logits);
        else CategoricalSupport.checkProbs("MaskedCategorical", b.probs);
        this.numActions = parameter.size(-1);
        this.batchShape = Arrays.copyOf(parameter.shapeRef(), parameter.dim() - 1);
        Tensor rawLogits;
        if (b.mask != null) {
            this.indices = null;
            this.gatherIndices = null;
            this.valid = denseMask(b.mask, parameter.shapeRef());
            rawLogits = b.logits != null ? b.logits : logProbsOfValid(b.probs, valid);
        } else {
            this.indices = checkIndices(b.indices, b.paddingValue, numActions, batchShape);
            Tensor gatherAt;
            try (var scope = GradMode.noGrad()) {
                this.valid = b.paddingValue == null ? indices.newFull(indices.shape(), 1, DType.BOOL) : indices.ne(b.paddingValue.doubleValue());
                gatherAt = b.paddingValue == null ? indices : Tensor.where(valid, indices, Tensor.zerosLike(indices));
            }
            this.gatherIndices = gatherAt;
            Tensor gathered = parameter.gather(-1, gatherAt);
            rawLogits = b.logits != null ? gathered : logProbsOfValid(gathered, valid);
        }
        Tensor masked = Tensor.where(valid, rawLogits, negInf);
        this.maskedLogits = CategoricalSupport.normalise(masked);
        this.probs = maskedLogits.softmax(-1);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The options of {@link MaskedCategorical} and {@link MaskedOneHotCategorical}. */
    public static final class Builder {
        private Tensor logits;
        private Tensor probs;
        private Tensor mask;
        private Tensor indices;
        private double negInf = Double.NEGATIVE_INFINITY;
        private Long paddingValue;

        private Builder() {}

        public Builder logits(Tensor logits) { this.logits = logits; return this; }

        public Builder probs(Tensor probs) { this.probs = probs; return this; }

        /** Boolean, the parameters' shape (or broadcastable to it); false marks an invalid action. */
        public Builder mask(Tensor mask) { this.mask = mask; return this; }

        /** int64 {@code [*batch, nValid]}: the valid actions of each row. */
        public Builder indices(Tensor indices) { this.indices = indices; return this; }

        /** The logit given to invalid actions (default −∞). */
        public Builder negInf(double negInf) { this.negInf = negInf; return this; }

        /** The entry of {@code indices} that marks padding rather than an action. */
        public Builder paddingValue(long paddingValue) { this.paddingValue = paddingValue; return this; }

        public MaskedCategorical build() { return new MaskedCategorical(this); }

        public MaskedOneHotCategorical buildOneHot() { return new MaskedOneHotCategorical(new MaskedCategorical(this)); }
    }

    private static Tensor denseMask(Tensor mask, int[] shape) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("MaskedCategorical: mask must be bool, got " + mask.dtype() + " of shape " + Shape.format(mask.shapeRef()));
        }
        int[] joint;
        try {
            joint = Shape.broadcast("MaskedCategorical", mask.shapeRef(), shape);
        } catch (IllegalArgumentException e) {
            joint = null;
        }
        if (joint == null || !Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException("MaskedCategorical: mask of shape " + Shape.format(mask.shapeRef())
                    + " does not match the parameters of shape " + Shape.format(shape));
        }
        Tensor expanded = mask.expand(shape).contiguous();
        if (expanded.any(-1, false).logicalNot().any().item() != 0) {
            throw new IllegalArgumentException("MaskedCategorical: every row of the mask needs at least one valid action, got a row of all false");
        }
        return expanded;
    }

    private static Tensor checkIndices(Tensor indices, Long paddingValue, int numActions, int[] batchShape) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("MaskedCategorical: indices must be int64, got " + indices.dtype());
        }
        if (indices.dim() != batchShape.length + 1 || !Arrays.equals(Arrays.copyOf(indices.shapeRef(), batchShape.length), batchShape)) {
            throw new IllegalArgumentException("MaskedCategorical: indices must have shape " + Shape.format(batchShape)
                    + " + [nValid], got " + Shape.format(indices.shapeRef()));
        }
        long[] v = indices.contiguous().toLongArray();
        for (int i = 0; i < v.length; i++) {
            if (paddingValue != null && v[i] == paddingValue) continue;
            if (v[i] < 0 || v[i] >= numActions) {
                throw new IllegalArgumentException("MaskedCategorical: indices must lie in [0, " + numActions + "), got " + v[i] + " at flat index " + i);
            }
        }
        return indices.contiguous();
    }

    /**
     * {@code ln(p / Σ p)} over the valid entries, the invalid ones left to the caller's mask: the
     * invalid probabilities are replaced by 1 before the logarithm so that neither the value nor the
     * gradient sees {@code ln 0} (the outer mask then sets them to negInf with zero gradient).
     */
    private static Tensor logProbsOfValid(Tensor probs, Tensor valid) {
        Tensor zeroed = Tensor.where(valid, probs, 0.0);
        Tensor normalised = zeroed.div(zeroed.sum(-1, true));
        return Tensor.where(valid, normalised, 1.0).log();
    }

    /** The normalised logits: {@code negInf} (shifted by the normaliser) at invalid entries; {@code nValid} columns in the sparse form. */
    public Tensor maskedLogits() { return maskedLogits; }

    /** The normalised logits, as {@code Categorical.logits} names them. */
    public Tensor logits() { return maskedLogits; }

    public Tensor probs() { return probs; }

    /** The valid entries, in the shape of {@link #maskedLogits()}. */
    public Tensor validMask() { return valid; }

    /** The sparse form's action indices, or null for a dense mask. */
    public Tensor indices() { return indices; }

    /** {@link #indices()} with padding entries replaced by 0 (null for a dense mask). */
    Tensor gatherIndices() { return gatherIndices; }

    /** The number of actions K of the full action space. */
    public int numActions() { return numActions; }

    public double negInf() { return negInf; }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return false; }
    /** The action indices; not checked: a masked action scores {@code neg_inf} by definition. */
    @Override public Support support() { return Support.integerInterval(0, numActions - 1); }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        Tensor p;
        try (var scope = GradMode.noGrad()) {
            p = Tensor.where(valid, probs.detach(), 0.0);
        }
        Tensor position = CategoricalSupport.inverseCdfSample(p, random, "MaskedCategorical.sample", sampleShape);
        return toAction(position);
    }

    /** Maps positions among the gathered columns back to action indices (the identity for a dense mask). */
    private Tensor toAction(Tensor position) {
        if (indices == null) return position;
        try (var scope = GradMode.noGrad()) {
            int[] shape = position.shape();
            Tensor table = indices.expand(CategoricalSupport.append(shape, indices.size(-1)));
            return table.gather(-1, position.unsqueeze(-1).contiguous()).squeeze(-1);
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor logSoftmax = maskedLogits.logSoftmax(-1);
        Tensor score;
        Tensor found = null;
        if (indices == null) {
            score = CategoricalSupport.scoreIndex("MaskedCategorical", logSoftmax, value);
        } else {
            Tensor action = CategoricalSupport.checkIndex("MaskedCategorical", value, numActions);
            Tensor position;
            try (var scope = GradMode.noGrad()) {
                int[] shape = Shape.broadcast("MaskedCategorical.logProb", action.shapeRef(), batchShape);
                Tensor hits = indices.expand(CategoricalSupport.append(shape, indices.size(-1)))
                        .eq(action.expand(shape).unsqueeze(-1)).logicalAnd(valid);
                found = hits.any(-1, false);
                position = hits.to(DType.INT64).argmax(-1, false);
            }
            score = CategoricalSupport.scoreIndex("MaskedCategorical", logSoftmax, position);
        }
        Tensor keep = found == null ? score.isFinite() : score.isFinite().logicalAnd(found);
        return Tensor.where(keep, score, negInf);
    }

    @Override
    public Tensor entropy() {
        Tensor counted = valid.logicalAnd(maskedLogits.isFinite());
        Tensor logits = Tensor.where(counted, maskedLogits, maskedLogits.dtype().minValue());
        Tensor renormalised = CategoricalSupport.normalise(logits);
        Tensor pLogP = Tensor.where(counted, renormalised.mul(probs), 0.0);
        return pLogP.sum(-1).neg();
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException("MaskedCategorical has no mean over action indices (PyTorch returns NaN); use probs() or mode()");
    }

    @Override
    public Tensor mode() {
        return toAction(CategoricalSupport.argmax(probs));
    }

    @Override
    public Tensor deterministicSample() {
        return mode();
    }
}
