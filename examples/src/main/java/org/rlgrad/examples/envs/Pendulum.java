package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * Gymnasium's {@code Pendulum-v1}: swing a pendulum up and hold it upright with a torque
 * {@code u ∈ [-2, 2]}. With {@code g = 10}, {@code m = l = 1}, {@code dt = 0.05}:
 * <pre>
 *   cost = norm(θ)² + 0.1 θ'² + 0.001 u²        (norm: θ wrapped into [-π, π))
 *   θ'  ← clip(θ' + (3g/(2l) sin θ + 3/(m l²) u) dt, -8, 8)
 *   θ   ← θ + θ' dt                              (with the new θ')
 * </pre>
 * The reward is {@code -cost} of the state and action before the step. Observation
 * {@code [cos θ, sin θ, θ']}; start {@code θ ~ U[-π, π]}, {@code θ' ~ U[-1, 1]}. It never
 * terminates; truncated at 200 steps. The action is clipped into its box, as Gymnasium does.
 *
 * <p>The arithmetic follows Gymnasium's expression by expression ({@code 0.1·(θ'²)}, not
 * {@code (0.1·θ')·θ'}), in float64 as Gymnasium does when handed a float64 action. (Handed a
 * float32 action, NumPy 2 computes the torque terms {@code 3u} and {@code 0.001u²} in float32;
 * this class always works in float64.) The state is {@code [θ, θ']}.
 */
public final class Pendulum implements Environment, SettableState {
    public static final String ID = "Pendulum-v1";
    private static final double MAX_SPEED = 8, MAX_TORQUE = 2, DT = 0.05, G = 10.0, M = 1.0, L = 1.0;
    private static final ActionSpace.Box ACTIONS = new ActionSpace.Box(new double[] {-MAX_TORQUE}, new double[] {MAX_TORQUE});
    private static final EnvSpec SPEC = new EnvSpec(ID, 3, ACTIONS, 200);

    private double theta, thetaDot;
    private boolean started;

    @Override
    public EnvSpec spec() { return SPEC; }

    @Override
    public double[] reset(RandomGenerator rng) {
        theta = rng.nextDouble(-Math.PI, Math.PI);
        thetaDot = rng.nextDouble(-1, 1);
        started = true;
        return observation();
    }

    @Override
    public Step step(double[] action) {
        if (!started) throw new IllegalStateException(ID + ": step before reset; call reset");
        double u = ACTIONS.clip(Environments.continuousAction(action, 1, ID))[0];
        double cost = square(normalizeAngle(theta)) + 0.1 * (thetaDot * thetaDot) + 0.001 * (u * u);
        double newThetaDot = thetaDot + (3 * G / (2 * L) * Math.sin(theta) + 3.0 / (M * L * L) * u) * DT;
        thetaDot = Math.min(MAX_SPEED, Math.max(-MAX_SPEED, newThetaDot));
        theta = theta + thetaDot * DT;
        return new Step(observation(), -cost, false, false);
    }

    /** {@code x} wrapped into {@code [-π, π)}, as Python's {@code ((x + π) % 2π) − π}. */
    static double normalizeAngle(double x) {
        return floorModulo(x + Math.PI, 2 * Math.PI) - Math.PI;
    }

    private static double floorModulo(double a, double m) {
        double r = a % m;
        return r < 0 ? r + m : r;
    }

    private static double square(double v) { return v * v; }

    /** {@code [θ, θ']}. */
    @Override
    public double[] state() { return new double[] {theta, thetaDot}; }

    /** Sets {@code [θ, θ']} and restarts the episode from it (for tests and replays). */
    @Override
    public void setState(double... state) {
        double[] s = SettableState.checked(state, 2, ID);
        theta = s[0];
        thetaDot = s[1];
        started = true;
    }

    private double[] observation() {
        return new double[] {Math.cos(theta), Math.sin(theta), thetaDot};
    }
}
