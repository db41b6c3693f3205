package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * Gymnasium's {@code Acrobot-v1} (Sutton 1996; Sutton and Barto, <i>Reinforcement Learning</i>,
 * 1998): two links hanging from a fixed joint, the torque {@code τ ∈ {−1, 0, +1}} (actions 0, 1, 2)
 * applied at the joint between them; swing the tip above the height of one link,
 * {@code −cos θ1 − cos(θ1 + θ2) > 1}.
 *
 * <p>Dynamics, the "book" variant (Gymnasium's default), with both masses and lengths 1, centres of
 * mass at 0.5, moments of inertia 1, {@code g = 9.8}:
 * <pre>
 *   d1   = m1 lc1² + m2 (l1² + lc2² + 2 l1 lc2 cos θ2) + I1 + I2
 *   d2   = m2 (lc2² + l1 lc2 cos θ2) + I2
 *   φ2   = m2 lc2 g cos(θ1 + θ2 − π/2)
 *   φ1   = −m2 l1 lc2 θ2'² sin θ2 − 2 m2 l1 lc2 θ2' θ1' sin θ2 + (m1 lc1 + m2 l1) g cos(θ1 − π/2) + φ2
 *   θ2'' = (τ + d2/d1 φ1 − m2 l1 lc2 θ1'² sin θ2 − φ2) / (m2 lc2² + I2 − d2²/d1)
 *   θ1'' = −(d2 θ2'' + φ1) / d1
 * </pre>
 * integrated by one classical Runge–Kutta (RK4) step over {@code dt = 0.2}; then both angles are
 * wrapped into {@code [−π, π]} and the velocities bounded, {@code |θ1'| ≤ 4π}, {@code |θ2'| ≤ 9π}.
 * Reward −1 per step, 0 on the terminating step; truncated at 500 steps. Observation
 * {@code [cos θ1, sin θ1, cos θ2, sin θ2, θ1', θ2']}; start: each of the four state numbers
 * {@code ~ U[−0.1, 0.1]}, rounded to float32 as Gymnasium's reset does.
 *
 * <p>The arithmetic follows Gymnasium's expression by expression, in float64. State
 * {@code [θ1, θ2, θ1', θ2']}.
 */
public final class Acrobot implements Environment, SettableState {
    public static final String ID = "Acrobot-v1";
    private static final double DT = 0.2;
    private static final double LINK_LENGTH_1 = 1.0, LINK_MASS_1 = 1.0, LINK_MASS_2 = 1.0, LINK_COM_POS_1 = 0.5, LINK_COM_POS_2 = 0.5, LINK_MOI = 1.0;
    private static final double MAX_VEL_1 = 4 * Math.PI, MAX_VEL_2 = 9 * Math.PI, G = 9.8;
    private static final double[] TORQUES = {-1.0, 0.0, +1.0};
    private static final EnvSpec SPEC = new EnvSpec(ID, 6, new ActionSpace.Discrete(3), 500);

    private final double[] s = new double[4];
    private boolean started, over;

    @Override
    public EnvSpec spec() { return SPEC; }

    @Override
    public double[] reset(RandomGenerator rng) {
        for (int i = 0; i < 4; i++) s[i] = (float) rng.nextDouble(-0.1, 0.1);
        started = true;
        over = false;
        return observation();
    }

    @Override
    public Step step(double[] action) {
        if (!started || over) throw new IllegalStateException(ID + ": step " + (over ? "after the episode terminated" : "before reset") + "; call reset");
        double torque = TORQUES[Environments.discreteAction(action, 3, ID)];
        double[] ns = rk4(new double[] {s[0], s[1], s[2], s[3], torque});
        s[0] = wrap(ns[0], -Math.PI, Math.PI);
        s[1] = wrap(ns[1], -Math.PI, Math.PI);
        s[2] = bound(ns[2], -MAX_VEL_1, MAX_VEL_1);
        s[3] = bound(ns[3], -MAX_VEL_2, MAX_VEL_2);
        over = -Math.cos(s[0]) - Math.cos(s[1] + s[0]) > 1.0;
        return new Step(observation(), over ? 0.0 : -1.0, over, false);
    }

    /** One RK4 step of {@code dt} from {@code y0} (the state with the torque appended, whose derivative is 0). */
    private static double[] rk4(double[] y0) {
        double dt2 = DT / 2.0;
        double[] k1 = dsdt(y0);
        double[] k2 = dsdt(axpy(y0, dt2, k1));
        double[] k3 = dsdt(axpy(y0, dt2, k2));
        double[] k4 = dsdt(axpy(y0, DT, k3));
        double[] y = new double[4];
        for (int i = 0; i < 4; i++) y[i] = y0[i] + DT / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        return y;
    }

    private static double[] axpy(double[] y, double h, double[] k) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) out[i] = y[i] + h * k[i];
        return out;
    }

    /** The time derivative of {@code [θ1, θ2, θ1', θ2', τ]} (the book dynamics). */
    private static double[] dsdt(double[] sa) {
        double m1 = LINK_MASS_1, m2 = LINK_MASS_2, l1 = LINK_LENGTH_1, lc1 = LINK_COM_POS_1, lc2 = LINK_COM_POS_2, i1 = LINK_MOI, i2 = LINK_MOI;
        double a = sa[4], theta1 = sa[0], theta2 = sa[1], dtheta1 = sa[2], dtheta2 = sa[3];
        double d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.cos(theta2)) + i1 + i2;
        double d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.cos(theta2)) + i2;
        double phi2 = m2 * lc2 * G * Math.cos(theta1 + theta2 - Math.PI / 2.0);
        double phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * Math.sin(theta2) - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2)
                + (m1 * lc1 + m2 * l1) * G * Math.cos(theta1 - Math.PI / 2) + phi2;
        double ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * Math.sin(theta2) - phi2) / (m2 * (lc2 * lc2) + i2 - d2 * d2 / d1);
        double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
        return new double[] {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
    }

    /** {@code x} brought into {@code [lo, hi]} by whole turns (Gymnasium's {@code wrap}). */
    static double wrap(double x, double lo, double hi) {
        double diff = hi - lo;
        while (x > hi) x = x - diff;
        while (x < lo) x = x + diff;
        return x;
    }

    private static double bound(double x, double lo, double hi) {
        return Math.min(Math.max(x, lo), hi);
    }

    /** {@code [θ1, θ2, θ1', θ2']}. */
    @Override
    public double[] state() { return s.clone(); }

    /** Sets {@code [θ1, θ2, θ1', θ2']} (float64, not rounded as reset's draw is) and restarts the episode. */
    @Override
    public void setState(double... state) {
        System.arraycopy(SettableState.checked(state, 4, ID), 0, s, 0, 4);
        started = true;
        over = false;
    }

    private double[] observation() {
        return new double[] {Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]};
    }
}
