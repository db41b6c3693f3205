package org.rlgrad.examples.training;

import org.rlgrad.examples.envs.EnvSpec;

/**
 * The hyper-parameters of {@link PPOTrainer}.
 *
 * @param numEnvs             environment copies stepped together
 * @param rolloutSteps        steps of each copy per rollout ({@code T}); a rollout holds {@code numEnvs·T} frames
 * @param epochs              passes over each rollout
 * @param minibatches         minibatches per pass (the rollout shuffled and cut into this many)
 * @param learningRate        Adam's step size at the start
 * @param annealLearningRate  whether the step size falls linearly to 0 over the run
 * @param gamma               discount γ
 * @param lambda              GAE's λ
 * @param clipEpsilon         the ratio clip ε of the surrogate objective
 * @param entropyCoeff        weight of the entropy bonus
 * @param criticCoeff         weight of the critic's squared error
 * @param maxGradNorm         global gradient norm clip
 * @param hidden              hidden layer widths of both networks
 * @param defaultFrames       the environment steps {@code ./rlgrad train} runs when not told
 */
public record PPOConfig(int numEnvs, int rolloutSteps, int epochs, int minibatches, double learningRate, boolean annealLearningRate, double gamma,
        double lambda, double clipEpsilon, double entropyCoeff, double criticCoeff, double maxGradNorm, int[] hidden, long defaultFrames) {

    public PPOConfig {
        if (numEnvs < 1 || rolloutSteps < 1 || epochs < 1 || minibatches < 1) {
            throw new IllegalArgumentException("PPOConfig: numEnvs, rolloutSteps, epochs and minibatches must be positive, got " + numEnvs + ", "
                    + rolloutSteps + ", " + epochs + ", " + minibatches);
        }
        if (numEnvs * rolloutSteps % minibatches != 0) {
            throw new IllegalArgumentException("PPOConfig: a rollout of " + numEnvs + "·" + rolloutSteps + " frames does not split into " + minibatches
                    + " equal minibatches");
        }
        hidden = hidden.clone();
    }

    @Override
    public int[] hidden() { return hidden.clone(); }

    /**
     * Discrete actions (CartPole-v1), adapted from the usual baselines:
     * <ul>
     *   <li>8 envs × 32 steps per rollout and lr 1e-3 annealed linearly to 0: SB3 rl-zoo's
     *       CartPole-v1 entry ({@code n_envs 8, n_steps 32, learning_rate lin_1e-3});</li>
     *   <li>10 epochs of 4 minibatches of 64 frames: SB3's defaults ({@code n_epochs 10,
     *       batch_size 64});</li>
     *   <li>γ 0.99, λ 0.95, ε 0.2, entropy 0.01, value 0.5 (squared error), gradient norm 0.5,
     *       Adam ε 1e-5, per-minibatch advantage standardisation, 64×64 tanh with orthogonal
     *       init: CleanRL's {@code ppo.py} (zoo's γ 0.98, λ 0.8 and entropy 0 were not taken; nor
     *       CleanRL's value clipping).</li>
     * </ul>
     * Seeds 0–4 reach a recent mean return of 500 between 20 000 and 41 000 steps on the
     * development machine; the command line runs 100 000.
     */
    public static PPOConfig discrete() {
        return new PPOConfig(8, 32, 10, 4, 1e-3, true, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5, new int[] {64, 64}, 100_000);
    }

    /**
     * Continuous actions (Pendulum-v1): SB3 rl-zoo's Pendulum-v1 entry (4 envs × 1024 steps,
     * lr 1e-3 constant, γ 0.9, λ 0.95, 10 epochs, ε 0.2, no entropy bonus, 1e5 steps) with SB3's
     * default 64-frame minibatches (64 per rollout), and the policy of CleanRL's
     * {@code ppo_continuous_action.py} (a Normal with a state-independent log-σ starting at 0;
     * zoo's gSDE was not taken). Learning Pendulum well is not a goal here; it must run (seed 0
     * reaches a recent mean of about −170 to −200 in 1e5 steps).
     */
    public static PPOConfig continuous() {
        return new PPOConfig(4, 1024, 10, 64, 1e-3, false, 0.9, 0.95, 0.2, 0.0, 0.5, 0.5, new int[] {64, 64}, 100_000);
    }

    /** The defaults for the environment's kind of actions. */
    public static PPOConfig defaultsFor(EnvSpec spec) {
        return spec.discrete() ? discrete() : continuous();
    }
}
