package org.rlgrad.losses;

import java.util.Arrays;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A stochastic actor evaluated in functional form by a loss (spec losses.md §1.1, §1.3): its
 * distribution on a dict with a given parameter tree bound, and reparameterised draws from it.
 *
 * <p>The actor runs on a shallow copy of the data, so its intermediate outputs ({@code loc},
 * {@code scale}, {@code logits}) are not written into the caller's dict. Draws happen under the
 * interaction type {@link InteractionType#RANDOM} (a loss otherwise runs in its deterministic
 * sampling mode) and come from the loss's {@link RandomSource}, outside any vmap (spec §1.6).
 */
final class PolicyDistribution {
    private PolicyDistribution() {}

    /** The actor's distribution on {@code td} with {@code params} in place of its own tensors. */
    static Distribution of(ProbabilisticTensorDictSequential actor, TensorDict params, TensorDict td) {
        TensorDict work = td.copy();
        try (GradMode.Scope mode = InteractionType.set(InteractionType.RANDOM)) {
            return actor.functionalCall(Parameters.toMap(params), () -> actor.getDist(work));
        }
    }

    /**
     * A reparameterised draw {@code (a, log π(a|s))} on {@code td} (site {@code "Normal.rsample"}
     * for the Gaussian families); the log-probability must have the dict's batch shape (event dims
     * summed by the distribution), else an error naming the loss.
     */
    static SampleAndLogProb rsample(String lossName, ProbabilisticTensorDictSequential actor, TensorDict params, TensorDict td, RandomSource random) {
        Distribution dist = of(actor, params, td);
        SampleAndLogProb s;
        try (GradMode.Scope mode = InteractionType.set(InteractionType.RANDOM)) {
            s = dist.rsampleAndLogProb(random);
        }
        if (!Arrays.equals(s.logProb().shapeRef(), td.batchSize())) {
            throw new IllegalArgumentException(lossName + ": the actor's log-probability has shape " + Shape.format(s.logProb().shapeRef())
                    + ", expected the batch shape " + Shape.format(td.batchSize())
                    + " (use a distribution that sums its log-probability over the action dims, e.g. TanhNormal or IndependentNormal)");
        }
        return s;
    }
}
