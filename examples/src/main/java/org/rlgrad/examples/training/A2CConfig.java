package org.rlgrad.examples.training;

import org.rlgrad.examples.envs.EnvSpec;

/**
 * The hyper-parameters of {@link A2CTrainer}.
 *
 * @param numEnvs        environment copies stepped together
 * @param rolloutSteps   steps of each copy per update ({@code T}, A2C's n-step horizon)
 * @param learningRate   RMSprop's step size
 * @param rmsAlpha       RMSprop's smoothing constant α
 * @param rmsEps         RMSprop's ε
 * @param gamma          discount γ
 * @param lambda         GAE's λ (1: plain n-step returns, as in the original A2C)
 * @param entropyCoeff   weight of the entropy bonus
 * @param criticCoeff    weight of the critic's squared error
 * @param maxGradNorm    global gradient norm clip
 * @param hidden         hidden layer widths of both networks
 * @param defaultFrames  the environment steps {@code ./rlgrad train} runs when not told
 */
public record A2CConfig(int numEnvs, int rolloutSteps, double learningRate, double rmsAlpha, double rmsEps, double gamma, double lambda,
        double entropyCoeff, double criticCoeff, double maxGradNorm, int[] hidden, long defaultFrames) {

    public A2CConfig {
        if (numEnvs < 1 || rolloutSteps < 1) {
            throw new IllegalArgumentException("A2CConfig: numEnvs and rolloutSteps must be positive, got " + numEnvs + ", " + rolloutSteps);
        }
        hidden = hidden.clone();
    }

    @Override
    public int[] hidden() { return hidden.clone(); }

    /**
     * Discrete actions (CartPole-v1): Stable-Baselines3's A2C defaults (5 steps, RMSprop lr 7e-4,
     * α 0.99, ε 1e-5, γ 0.99, λ 1, value 0.5, grad norm 0.5, 64×64 tanh) with rl-zoo's
     * CartPole-v1 entry (8 envs, no entropy bonus).
     */
    public static A2CConfig discrete() {
        return new A2CConfig(8, 5, 7e-4, 0.99, 1e-5, 0.99, 1.0, 0.0, 0.5, 0.5, new int[] {64, 64}, 200_000);
    }

    /**
     * Continuous actions (Pendulum-v1): SB3's defaults with part of rl-zoo's Pendulum-v1 entry
     * (8 envs, 8 steps, λ 0.9, γ 0.9, value 0.4, lr 7e-4; zoo's observation normalisation, gSDE,
     * log-σ init −2 and lr annealing were not taken). A2C learns Pendulum slowly; it must run.
     */
    public static A2CConfig continuous() {
        return new A2CConfig(8, 8, 7e-4, 0.99, 1e-5, 0.9, 0.9, 0.0, 0.4, 0.5, new int[] {64, 64}, 200_000);
    }

    /** The defaults for the environment's kind of actions. */
    public static A2CConfig defaultsFor(EnvSpec spec) {
        return spec.discrete() ? discrete() : continuous();
    }
}
