package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * Gymnasium's {@code CartPole-v1}: a pole hinged on a cart that moves along a track; push the cart
 * left (action 0) or right (1) with a force of 10 N to keep the pole up. The dynamics are those of
 * Barto, Sutton and Anderson (1983), integrated with explicit Euler steps of 0.02 s:
 * <pre>
 *   temp  = (F + m_p l θ'² sin θ) / (m_c + m_p)
 *   θ''   = (g sin θ − cos θ · temp) / (l (4/3 − m_p cos² θ / (m_c + m_p)))
 *   x''   = temp − m_p l θ'' cos θ / (m_c + m_p)
 * </pre>
 * with {@code g = 9.8}, {@code m_c = 1}, {@code m_p = 0.1}, {@code l = 0.5} (half the pole's
 * length). Observation {@code [x, x', θ, θ']}, each started uniformly in {@code [-0.05, 0.05]}.
 * Reward 1 for every step, the terminating one included. Terminated when {@code |x| > 2.4} or
 * {@code |θ| > 12°}; truncated at 500 steps.
 *
 * <p>The arithmetic follows Gymnasium's expression by expression (the same operations in the same
 * order, {@code m_p · (θ'·θ')} and not {@code (m_p·θ')·θ'}), so that a trajectory from a given
 * state is Gymnasium's to the last bit but for the sine and cosine. The state is
 * {@code [x, x', θ, θ']} in float64, as Gymnasium keeps it; Gymnasium hands out the observation
 * cast to float32, which {@link VectorEnv} does too.
 */
public final class CartPole implements Environment, SettableState {
    public static final String ID = "CartPole-v1";
    private static final double GRAVITY = 9.8, MASS_CART = 1.0, MASS_POLE = 0.1, TOTAL_MASS = MASS_CART + MASS_POLE;
    private static final double HALF_LENGTH = 0.5, POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH, FORCE = 10.0, TAU = 0.02;
    private static final double THETA_LIMIT = 12 * 2 * Math.PI / 360, X_LIMIT = 2.4;
    private static final EnvSpec SPEC = new EnvSpec(ID, 4, new ActionSpace.Discrete(2), 500);

    private double x, xDot, theta, thetaDot;
    private boolean started, over;

    @Override
    public EnvSpec spec() { return SPEC; }

    @Override
    public double[] reset(RandomGenerator rng) {
        x = rng.nextDouble(-0.05, 0.05);
        xDot = rng.nextDouble(-0.05, 0.05);
        theta = rng.nextDouble(-0.05, 0.05);
        thetaDot = rng.nextDouble(-0.05, 0.05);
        started = true;
        over = false;
        return observation();
    }

    @Override
    public Step step(double[] action) {
        if (!started || over) throw new IllegalStateException(ID + ": step " + (over ? "after the episode terminated" : "before reset") + "; call reset");
        int a = Environments.discreteAction(action, 2, ID);
        double force = a == 1 ? FORCE : -FORCE;
        double cos = Math.cos(theta), sin = Math.sin(theta);
        double temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * (cos * cos) / TOTAL_MASS));
        double xAcc = temp - POLE_MASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
        x += TAU * xDot;
        xDot += TAU * xAcc;
        theta += TAU * thetaDot;
        thetaDot += TAU * thetaAcc;
        over = x < -X_LIMIT || x > X_LIMIT || theta < -THETA_LIMIT || theta > THETA_LIMIT;
        return new Step(observation(), 1.0, over, false);
    }

    /** {@code [x, x', θ, θ']}. */
    @Override
    public double[] state() { return observation(); }

    /** Sets {@code [x, x', θ, θ']} and restarts the episode from it (for tests and replays). */
    @Override
    public void setState(double... state) {
        double[] s = SettableState.checked(state, 4, ID);
        x = s[0];
        xDot = s[1];
        theta = s[2];
        thetaDot = s[3];
        started = true;
        over = false;
    }

    private double[] observation() {
        return new double[] {x, xDot, theta, thetaDot};
    }
}
