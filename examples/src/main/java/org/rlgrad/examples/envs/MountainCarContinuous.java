package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * Gymnasium's {@code MountainCarContinuous-v0} (Moore 1990): an under-powered car in a valley
 * must rock back and forth to climb the right hill to the flag at {@code x = 0.45}. With the
 * force {@code f = clip(a, -1, 1)}:
 * <pre>
 *   v ← clip(v + 0.0015 f − 0.0025 cos(3x), −0.07, 0.07)
 *   x ← clip(x + v, −1.2, 0.6);   v ← 0 if x = −1.2 and v &lt; 0   (the left wall is inelastic)
 * </pre>
 * Terminated when {@code x ≥ 0.45} and {@code v ≥ 0}. Reward {@code −0.1·a²} each step, plus 100
 * on the terminating step; as in Gymnasium, the penalty is on the action as given, not the clipped
 * force. Observation {@code [x, v]}; start {@code x ~ U[-0.6, -0.4]}, {@code v = 0}; truncated
 * at 999 steps.
 *
 * <p>Gymnasium stores the state as float32 after every step, which is part of its dynamics (the
 * rounding decides, for instance, the exact step the flag is reached); so does this class, and it
 * follows NumPy 2's type promotion (NEP 50) in the update as Gymnasium's code meets it, so that a
 * trajectory is Gymnasium's to the last bit but for the cosine. After reset (or
 * {@link #setState}) the state is float64 and so is the whole step. Once it is float32: {@code 3x}
 * is computed in float32; a force that was clipped is a Python float, so the velocity update is
 * then a float32 sum; a speed clipped to ±0.07 is a Python float too, and the position update is
 * a float32 sum when the velocity is float32 or clipped; every other sum is float64. The action is
 * taken as float64 (Gymnasium handed a float32 action would compute {@code 0.0015 f} in float32
 * as well). State {@code [x, v]}.
 */
public final class MountainCarContinuous implements Environment, SettableState {
    public static final String ID = "MountainCarContinuous-v0";
    private static final double MIN_ACTION = -1.0, MAX_ACTION = 1.0, MIN_POSITION = -1.2, MAX_POSITION = 0.6, MAX_SPEED = 0.07;
    private static final double GOAL_POSITION = 0.45, GOAL_VELOCITY = 0, POWER = 0.0015;
    private static final ActionSpace.Box ACTIONS = new ActionSpace.Box(new double[] {MIN_ACTION}, new double[] {MAX_ACTION});
    private static final EnvSpec SPEC = new EnvSpec(ID, 2, ACTIONS, 999);

    private double position, velocity;
    /** Whether the state went through a step (Gymnasium then holds it as float32; after reset, float64). */
    private boolean float32State;
    private boolean started, over;

    @Override
    public EnvSpec spec() { return SPEC; }

    @Override
    public double[] reset(RandomGenerator rng) {
        position = rng.nextDouble(-0.6, -0.4);
        velocity = 0;
        float32State = false;
        started = true;
        over = false;
        return state();
    }

    @Override
    public Step step(double[] action) {
        if (!started || over) throw new IllegalStateException(ID + ": step " + (over ? "after the episode terminated" : "before reset") + "; call reset");
        double a = Environments.continuousAction(action, 1, ID)[0];
        double force = Math.min(Math.max(a, MIN_ACTION), MAX_ACTION);
        // NumPy 2's promotion, step by step (see the class comment): which sums Gymnasium does in float32.
        boolean forceClipped = a > MAX_ACTION || a < MIN_ACTION;
        double threeX = float32State ? (float) (3 * position) : 3 * position;
        double change = force * POWER - 0.0025 * Math.cos(threeX);
        boolean velocityFloat32 = float32State && forceClipped;
        velocity = velocityFloat32 ? (float) (velocity + (float) change) : velocity + change;
        boolean speedClipped = velocity > MAX_SPEED || velocity < -MAX_SPEED;
        if (velocity > MAX_SPEED) velocity = MAX_SPEED;
        if (velocity < -MAX_SPEED) velocity = -MAX_SPEED;
        boolean positionFloat32 = float32State && (velocityFloat32 || speedClipped);
        position = positionFloat32 ? (float) (position + (float) velocity) : position + velocity;
        if (position > MAX_POSITION) position = MAX_POSITION;
        if (position < MIN_POSITION) position = MIN_POSITION;
        if (position == MIN_POSITION && velocity < 0) velocity = 0;
        over = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
        double reward = (over ? 100.0 : 0.0) - a * a * 0.1;
        position = (float) position;
        velocity = (float) velocity;
        float32State = true;
        return new Step(state(), reward, over, false);
    }

    /** {@code [x, v]}. */
    @Override
    public double[] state() { return new double[] {position, velocity}; }

    /** Sets {@code [x, v]} (kept in float64 until the next step, as Gymnasium keeps an assigned array) and restarts the episode. */
    @Override
    public void setState(double... state) {
        double[] s = SettableState.checked(state, 2, ID);
        position = s[0];
        velocity = s[1];
        float32State = false;
        started = true;
        over = false;
    }
}
