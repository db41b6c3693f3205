package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A distribution over the category indices {@code 0 .. K−1} of the last parameter dim
 * (PyTorch's {@code torch.distributions.Categorical}; spec/engine.md section 4.7).
 *
 * <ul>
 *   <li>Built from logits: they are normalised, {@code logits − logsumexp(logits)}, and
 *       {@code probs = softmax(logits)}. Built from probabilities: {@code probs = p / Σ p} and
 *       {@code logits = ln(clamp(probs, eps, 1 − eps))} (PyTorch's {@code probs_to_logits}, so a
 *       zero probability scores a large negative finite number, not −∞).</li>
 *   <li>{@code log p(k)} = the normalised logit at {@code k}; a value of shape
 *       {@code sampleShape + batchShape} gives log-probabilities of that shape.</li>
 *   <li>{@code entropy = −Σ max(logits, finfo.min) · probs} (the clamp keeps −∞ logits of zero
 *       probability from making 0 · ∞).</li>
 *   <li>{@code mode} = the first index of largest probability; there is no mean (PyTorch returns
 *       NaN; rlgrad says so instead) and no reparameterised draw ({@code hasRsample = false}).</li>
 *   <li>{@code sample} inverts each row's cumulative distribution at a uniform drawn at the site
 *       {@code "Categorical.sample"}: int64 indices of shape {@code sampleShape + batchShape}.</li>
 * </ul>
 */
public final class Categorical implements Distribution {
    private final Tensor logits;
    private final Tensor probs;
    private final int[] batchShape;

    private Categorical(Tensor logits, Tensor probs) {
        this.logits = logits;
        this.probs = probs;
        this.batchShape = Arrays.copyOf(logits.shapeRef(), logits.dim() - 1);
    }

    /** A categorical with unnormalised log-probabilities {@code logits} (last dim = categories). */
    public static Categorical fromLogits(Tensor logits) {
        CategoricalSupport.checkLogits("Categorical", logits);
        Tensor normalised = CategoricalSupport.normalise(logits);
        return new Categorical(normalised, normalised.softmax(-1));
    }

    /** A categorical with non-negative weights {@code probs} (last dim = categories), normalised here. */
    public static Categorical fromProbs(Tensor probs) {
        CategoricalSupport.checkProbs("Categorical", probs);
        Tensor normalised = CategoricalSupport.normaliseProbs(probs);
        return new Categorical(CategoricalSupport.probsToLogits(normalised), normalised);
    }

    /** The normalised log-probabilities, shape {@code batchShape + [K]}. */
    public Tensor logits() { return logits; }

    /** The probabilities, shape {@code batchShape + [K]}. */
    public Tensor probs() { return probs; }

    /** The number of categories K. */
    public int numCategories() { return logits.size(-1); }

    @Override public int[] batchShape() { return batchShape.clone(); }

    @Override public int[] eventShape() { return new int[0]; }

    @Override public boolean hasRsample() { return false; }
    @Override public Support support() { return Support.integerInterval(0, numCategories() - 1); }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        return CategoricalSupport.inverseCdfSample(probs, random, "Categorical.sample", sampleShape);
    }

    @Override
    public Tensor logProb(Tensor value) {
        return CategoricalSupport.scoreIndex("Categorical", logits, value);
    }

    @Override
    public Tensor entropy() {
        return CategoricalSupport.entropy(logits, probs);
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException("Categorical has no mean over category indices (PyTorch returns NaN); use probs() or mode()");
    }

    @Override
    public Tensor mode() {
        return CategoricalSupport.argmax(probs);
    }

    /** The mode: a categorical has no mean to act with. */
    @Override
    public Tensor deterministicSample() {
        return mode();
    }
}
