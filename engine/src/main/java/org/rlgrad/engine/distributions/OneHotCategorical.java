package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A categorical distribution whose values are one-hot vectors over the last parameter dim
 * (spec/engine.md section 4.7). Log-probabilities, entropy, draws and KL are those of
 * {@link Categorical} at the index of the one-hot value's (first) maximum.
 *
 * <p>PyTorch ({@code torch.distributions.OneHotCategorical}) and TorchRL
 * ({@code torchrl.modules.distributions.OneHotCategorical}) share all of that arithmetic and differ
 * only in a handful of conventions, so one class models both, chosen by {@link Convention}; two
 * classes would duplicate every formula to hold five flags. The differences:
 *
 * <table>
 *   <caption>The two conventions</caption>
 *   <tr><th></th><th>{@link Convention#TORCH}</th><th>{@link Convention#TORCHRL} (the default)</th></tr>
 *   <tr><td>a parameter whose last dim is 1</td><td>one category</td>
 *       <td>squeezed first: {@code [n, 1]} logits become one categorical over n outcomes
 *       (a reference quirk, engine.md section 8 item 6)</td></tr>
 *   <tr><td>{@code eventShape}</td><td>{@code [K]}</td><td>{@code []}, as TorchRL reports it
 *       (its class extends Categorical); draws still carry the one-hot dim</td></tr>
 *   <tr><td>draws</td><td>one-hot in the parameters' float dtype</td><td>one-hot int64</td></tr>
 *   <tr><td>{@code mode}</td><td>one-hot float of the first arg-max</td>
 *       <td>{@code (logits == max logits)} as int64: ties give several ones</td></tr>
 *   <tr><td>{@code mean}</td><td>{@code probs}</td><td>none (TorchRL inherits Categorical's NaN)</td></tr>
 *   <tr><td>{@code deterministicSample}</td><td>the mean</td><td>the mode</td></tr>
 *   <tr><td>{@code rsample}</td><td>none</td><td>straight-through: {@code onehot + p − sg(p)}
 *       ({@link GradientMethod#PASS_THROUGH}), or a relaxed (Gumbel-softmax, temperature 1) draw
 *       whose values are replaced by its hard one-hot ({@link GradientMethod#RELAXED_ONE_HOT});
 *       {@code hasRsample} stays false in both, as in TorchRL (section 8 item 7)</td></tr>
 * </table>
 */
public final class OneHotCategorical implements Distribution {
    /** Whose conventions the distribution follows (see the class comment). */
    public enum Convention { TORCH, TORCHRL }

    /** How TorchRL's {@code rsample} carries gradient to the parameters. */
    public enum GradientMethod { PASS_THROUGH, RELAXED_ONE_HOT }

    private final Categorical categorical;
    private final Convention convention;
    private final GradientMethod gradientMethod;

    private OneHotCategorical(Categorical categorical, Convention convention, GradientMethod gradientMethod) {
        this.categorical = categorical;
        this.convention = convention;
        this.gradientMethod = gradientMethod;
    }

    /** TorchRL's one-hot categorical from unnormalised log-probabilities, with the straight-through rsample. */
    public static OneHotCategorical fromLogits(Tensor logits) {
        return fromLogits(logits, Convention.TORCHRL, GradientMethod.PASS_THROUGH);
    }

    /** TorchRL's one-hot categorical from non-negative weights, with the straight-through rsample. */
    public static OneHotCategorical fromProbs(Tensor probs) {
        return fromProbs(probs, Convention.TORCHRL, GradientMethod.PASS_THROUGH);
    }

    public static OneHotCategorical fromLogits(Tensor logits, Convention convention, GradientMethod gradientMethod) {
        CategoricalSupport.checkLogits("OneHotCategorical", logits);
        return new OneHotCategorical(Categorical.fromLogits(squeezed(logits, convention)), convention, gradientMethod);
    }

    public static OneHotCategorical fromProbs(Tensor probs, Convention convention, GradientMethod gradientMethod) {
        CategoricalSupport.checkProbs("OneHotCategorical", probs);
        return new OneHotCategorical(Categorical.fromProbs(squeezed(probs, convention)), convention, gradientMethod);
    }

    private static Tensor squeezed(Tensor parameter, Convention convention) {
        return convention == Convention.TORCHRL && parameter.dim() > 1 && parameter.size(-1) == 1 ? parameter.squeeze(-1) : parameter;
    }

    public Convention convention() { return convention; }

    /** The normalised log-probabilities, shape {@code batchShape + [K]}. */
    public Tensor logits() { return categorical.logits(); }

    public Tensor probs() { return categorical.probs(); }

    public int numCategories() { return categorical.numCategories(); }

    /** The categorical over the indices that this distribution one-hot encodes. */
    public Categorical indexDistribution() { return categorical; }

    @Override public int[] batchShape() { return categorical.batchShape(); }

    @Override
    public int[] eventShape() {
        return convention == Convention.TORCH ? new int[] {numCategories()} : new int[0];
    }

    @Override public boolean hasRsample() { return false; }
    /** One-hot vectors; not checked: both libraries score the category at the argmax of any value. */
    @Override public Support support() { return Support.ONE_HOT; }

    @Override
    public Tensor sample(RandomSource random, int... sampleShape) {
        Tensor index = CategoricalSupport.inverseCdfSample(probs(), random, "OneHotCategorical.sample", sampleShape);
        try (var scope = GradMode.noGrad()) {
            Tensor oneHot = index.oneHot(numCategories());
            return convention == Convention.TORCH ? oneHot.to(probs().dtype()) : oneHot;
        }
    }

    /**
     * TorchRL's reparameterised draw (PyTorch's class has none): the value is a one-hot draw, the
     * gradient that of the probabilities (straight-through) or of a Gumbel-softmax relaxation.
     */
    @Override
    public Tensor rsample(RandomSource random, int... sampleShape) {
        if (convention == Convention.TORCH) {
            throw new UnsupportedOperationException("OneHotCategorical (PyTorch's convention) has no reparameterised sample (rsample); "
                    + "use sample, or TorchRL's convention for a straight-through draw");
        }
        Tensor probs = probs();
        if (gradientMethod == GradientMethod.PASS_THROUGH) {
            Tensor oneHot = sample(random, sampleShape).to(probs.dtype());
            return oneHot.add(probs).sub(probs.detach());
        }
        // Gumbel-softmax at temperature 1: softmax(logits + G), G = −ln(−ln U), U clamped away from 0 and 1.
        int[] shape = CategoricalSupport.concat(sampleShape, probs.shapeRef());
        Tensor u = Arguments.onDeviceOf(random.uniform("RelaxedOneHotCategorical.rsample", shape, probs.dtype(), 0, 1), probs);
        double eps = probs.dtype().eps();
        Tensor gumbel = u.clamp(eps, 1 - eps).log().neg().log().neg();
        Tensor relaxed = logits().add(gumbel).softmax(-1);
        Tensor hard;
        try (var scope = GradMode.noGrad()) {
            Tensor r = relaxed.detach();
            hard = r.eq(r.amax(new int[] {-1}, true)).to(probs.dtype());
        }
        return hard.add(relaxed).sub(relaxed.detach());
    }

    /** The log-probability of the category at the (first) maximum of the one-hot {@code value}. */
    @Override
    public Tensor logProb(Tensor value) {
        return categorical.logProb(CategoricalSupport.indexOfOneHot("OneHotCategorical", value, numCategories()));
    }

    @Override
    public Tensor entropy() {
        return categorical.entropy();
    }

    @Override
    public Tensor mean() {
        if (convention == Convention.TORCHRL) {
            throw new UnsupportedOperationException("OneHotCategorical (TorchRL's convention) has no mean: TorchRL inherits Categorical's "
                    + "undefined one (NaN); use probs() or mode()");
        }
        return probs();
    }

    @Override
    public Tensor mode() {
        if (convention == Convention.TORCHRL) return CategoricalSupport.tiedMaxima(logits());
        try (var scope = GradMode.noGrad()) {
            return categorical.mode().oneHot(numCategories()).to(probs().dtype());
        }
    }

    @Override
    public Tensor deterministicSample() {
        return convention == Convention.TORCHRL ? mode() : mean();
    }

    @Override
    public String toString() {
        return "OneHotCategorical(" + convention + ", batchShape=" + Arrays.toString(batchShape()) + ", categories=" + numCategories() + ")";
    }
}
