package org.rlgrad.engine.distributions;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A probability distribution over tensors, built from tensor ops so that {@link #rsample} and
 * {@link #logProb} are differentiable with respect to the parameters without special code
 * (spec/engine.md section 4.1).
 *
 * <p>Shapes: a draw with sample shape S has shape {@code S + batchShape + eventShape};
 * {@code logProb(x)} sums over the event dims and has shape {@code S + batchShape}.
 *
 * <p>What a distribution does not have (a closed-form entropy, a mean, a reparameterised draw)
 * throws {@link UnsupportedOperationException} with a message that says what to use instead.
 * Random numbers come from a {@link RandomSource}: a {@link Generator}, or recorded draws that a
 * test replays; the overloads without one use {@link Generator#global()}.
 */
public interface Distribution {
    int[] batchShape();

    int[] eventShape();

    /** A draw of shape {@code sampleShape + batchShape + eventShape}, with no gradient. */
    Tensor sample(RandomSource random, int... sampleShape);

    default Tensor sample(int... sampleShape) {
        return sample(Generator.global(), sampleShape);
    }

    /** Whether {@link #rsample} gives reparameterised draws (probabilistic modules check it). */
    boolean hasRsample();

    /** A reparameterised draw: differentiable with respect to the parameters. */
    default Tensor rsample(RandomSource random, int... sampleShape) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no reparameterised sample (rsample); use sample");
    }

    default Tensor rsample(int... sampleShape) {
        return rsample(Generator.global(), sampleShape);
    }

    /** Where the distribution puts its mass; {@link #logProb} checks its value against it unless the class says otherwise. */
    Support support();

    /** The log density or mass of {@code value}, summed over the event dims. */
    Tensor logProb(Tensor value);

    /** The closed-form entropy, of shape {@code batchShape}. */
    default Tensor entropy() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no closed-form entropy; estimate it by Monte Carlo");
    }

    default Tensor mean() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no closed-form mean");
    }

    default Tensor mode() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no closed-form mode");
    }

    /** The point a deterministic policy acts with (TorchRL's {@code deterministic_sample}); the mean unless a class says otherwise. */
    default Tensor deterministicSample() {
        return mean();
    }

    /**
     * A reparameterised draw and its log-probability scored at the same latent value
     * (TorchRL's {@code rsample_and_log_prob}); TanhNormal overrides it because inverting tanh
     * loses accuracy where it saturates.
     */
    default SampleAndLogProb rsampleAndLogProb(RandomSource random, int... sampleShape) {
        Tensor x = rsample(random, sampleShape);
        return new SampleAndLogProb(x, logProb(x));
    }

    /** A draw without gradient and its log-probability, differentiable with respect to the parameters. */
    default SampleAndLogProb sampleAndLogProb(RandomSource random, int... sampleShape) {
        Tensor x = sample(random, sampleShape);
        return new SampleAndLogProb(x, logProb(x));
    }
}
