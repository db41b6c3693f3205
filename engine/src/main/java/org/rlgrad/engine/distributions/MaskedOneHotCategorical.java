package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The one-hot counterpart of {@link MaskedCategorical} (TorchRL's
 * {@code MaskedOneHotCategorical}; spec/engine.md section 4.7), built with
 * {@code MaskedCategorical.builder()...buildOneHot()}.
 *
 * <ul>
 *   <li>Values are one-hot int64 vectors over the full action space (K columns, also in the sparse
 *       form); {@code log p(v)} is the masked categorical's at {@code argmax(v)} (the first maximum);</li>
 *   <li>{@code mode = deterministicSample} = one-hot of the most probable actions, with every tied
 *       maximum set (TorchRL's {@code probs == max probs});</li>
 *   <li>{@code rsample} is straight-through, {@code onehot + p − sg(p)} with {@code p} the
 *       probabilities on the full action space; {@code hasRsample} stays false, as in TorchRL
 *       (engine.md section 8 item 7);</li>
 *   <li>{@code eventShape} is {@code []}, as TorchRL reports it (its class extends Categorical),
 *       although draws carry the one-hot dim;</li>
 *   <li>the entropy formula is the masked categorical's; A2C's entropy table nevertheless lists
 *       this class as having none (section 4.11) and estimates it by Monte Carlo.</li>
 * </ul>
 */
public final class MaskedOneHotCategorical implements Distribution {
    private final MaskedCategorical categorical;

    MaskedOneHotCategorical(MaskedCategorical categorical) {
        this.categorical = categorical;
    }

    /** The masked categorical over action indices that this distribution one-hot encodes. */
    public MaskedCategorical indexDistribution() { return categorical; }

    public Tensor maskedLogits() { return categorical.maskedLogits(); }

    public Tensor logits() { return categorical.logits(); }

    /** The probabilities over the full action space, shape {@code batch + [K]} (zero at invalid actions). */
    public Tensor probs() {
        Tensor p = categorical.probs();
        Tensor indices = categorical.gatherIndices();
        if (indices == null) return p;
        // Padding entries point at action 0 with probability 0: adding (not writing) keeps action 0's own probability.
        Tensor zeros = p.newZeros(p.dtype(), CategoricalSupport.append(categorical.batchShape(), categorical.numActions()));
        return zeros.scatterAdd(-1, indices, Tensor.where(categorical.validMask(), p, 0.0));
    }

    @Override public int[] batchShape() { return categorical.batchShape(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return false; }
    /** One-hot vectors; not checked: a masked action scores {@code neg_inf} by definition. */
    @Override public Support support() { return Support.ONE_HOT; }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        Tensor action = categorical.sample(random, sampleShape);
        try (var scope = GradMode.noGrad()) {
            return action.oneHot(categorical.numActions());
        }
    }

    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        Tensor p = probs();
        Tensor oneHot = sample(random, sampleShape).to(p.dtype());
        return oneHot.add(p).sub(p.detach());
    }

    @Override
    public Tensor logProb(Tensor value) {
        return categorical.logProb(CategoricalSupport.indexOfOneHot("MaskedOneHotCategorical", value, categorical.numActions()));
    }

    @Override
    public Tensor entropy() {
        return categorical.entropy();
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException("MaskedOneHotCategorical has no mean (TorchRL inherits Categorical's NaN); use probs() or mode()");
    }

    @Override
    public Tensor mode() {
        try (var scope = GradMode.noGrad()) {
            Tensor p = probs().detach();
            return p.eq(p.amax(new int[] {-1}, true)).to(DType.INT64);
        }
    }

    @Override
    public Tensor deterministicSample() {
        return mode();
    }
}
