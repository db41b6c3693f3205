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
     * Discrete actions (CartPole-v1): CleanRL's {@code ppo.py} defaults (lr 2.5e-4 annealed,
     * γ 0.99, λ 0.95, 4 epochs, ε 0.2, entropy 0.01, value 0.5, grad norm 0.5, 64×64 tanh), with
     * the rollout and learning rate of SB3's rl-zoo CartPole-v1 entry (8 envs × 32 steps, lr 1e-3
     * annealed; zoo's λ 0.8, γ 0.98, 20 epochs were not taken), which learns in far fewer frames
     * than CleanRL's 4 × 128 at 2.5e-4.
     */
    public static PPOConfig discrete() {
        return new PPOConfig(8, 32, 10, 4, 1e-3, true, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5, new int[] {64, 64}, 100_000);
    }

    /**
     * Continuous actions (Pendulum-v1): TorchRL's and CleanRL's continuous PPO shape (Normal with a
     * state-independent scale, 10 epochs, ε 0.2, λ 0.95, no entropy bonus) with SB3 rl-zoo's
     * Pendulum-v1 entry (4 envs × 1024 steps, lr 1e-3, γ 0.9, 64-frame minibatches → 64 per rollout,
     * 1e5 frames). Learning Pendulum well is not a goal here; it must run.
     */
    public static PPOConfig continuous() {
        return new PPOConfig(4, 1024, 10, 64, 1e-3, false, 0.9, 0.95, 0.2, 0.0, 0.5, 0.5, new int[] {64, 64}, 100_000);
    }

    /** The defaults for the environment's kind of actions. */
    public static PPOConfig defaultsFor(EnvSpec spec) {
        return spec.discrete() ? discrete() : continuous();
    }
}
