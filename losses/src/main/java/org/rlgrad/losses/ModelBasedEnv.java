package org.rlgrad.losses;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The learned environment that {@link DreamerActorLoss} imagines in (TorchRL's
 * {@code ModelBasedEnvBase}, {@code DreamerEnv}): a latent state, an action, and the world model's
 * prediction of the next latent state and the reward. The imagined environment never ends an
 * episode, so it reports no done flags.
 *
 * <p>A user supplies {@link #step} (typically the RSSM prior followed by the reward model) and the
 * modules that hold its parameters; {@link #of} wraps a single module that does the whole
 * transition.
 */
public interface ModelBasedEnv {
    /** The modules whose parameters the actor loss holds out of the graph while it imagines (spec losses.md §2.22, step 2). */
    List<? extends Module> modules();

    /**
     * The first state of a rollout from {@code latent} (the detached {@code state} and
     * {@code belief} the actor loss starts from, batch {@code [B']}); by default {@code latent}
     * itself. The entries it returns are the latent keys the rollout carries from step to step.
     */
    default TensorDict reset(TensorDict latent) {
        return latent;
    }

    /**
     * One imagined transition. {@code td} holds the latent state and the action (the actor's outputs)
     * at the root; the result is the next step's dict, of {@code td}'s batch size, holding the next
     * latent state (every latent key) and the reward {@code [*B, 1]} at the loss's {@code reward}
     * key. A model that samples (the RSSM prior) should draw from {@code random}, the loss's
     * {@link LossModule#randomSource()}, so that a rollout can be replayed. Gradients must flow from
     * the outputs to the latent state and the action.
     */
    TensorDict step(TensorDict td, RandomSource random);

    /**
     * An environment whose transition is one module: it reads the latent state and {@code action}
     * at the root and writes the next latent state and the reward under {@code "next"}; a step runs
     * it on a shallow copy of the dict and returns the {@code "next"} sub-dict. The module draws
     * from its own source (it does not see {@code random}).
     */
    static ModelBasedEnv of(TensorDictModuleBase transition) {
        Objects.requireNonNull(transition, "ModelBasedEnv.of: the transition module is null");
        return new ModelBasedEnv() {
            @Override
            public List<? extends Module> modules() {
                return List.of(transition);
            }

            @Override
            public TensorDict step(TensorDict td, RandomSource random) {
                TensorDict work = td.copy();
                transition.forward(work);
                if (!(work.find(Key.of("next")) instanceof TensorDict next)) {
                    throw new IllegalArgumentException("ModelBasedEnv: the transition module wrote no \"next\" dict; the step holds " + work.keys(true, true));
                }
                return next;
            }

            @Override
            public String toString() {
                return "ModelBasedEnv(" + transition.getClass().getSimpleName() + ")";
            }
        };
    }
}
