package org.rlgrad.engine.nn;

import java.util.Arrays;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A value-decomposition mixer of cooperative multi-agent Q-learning (TorchRL's
 * {@code torchrl.modules.models.multiagent.Mixer}): it maps the chosen action value of each of
 * {@code n} agents, {@code q [*B, n, 1]}, and, when the mixer {@link #needsState() needs it}, the
 * global state {@code s [*B, *stateShape]}, to the team's value {@code Q_tot [*B, 1]}.
 *
 * <p>The batch dims {@code *B} are arbitrary (a {@code [B, T]} sequence, or none); a mixer maps
 * them element by element, without flattening them, so it also runs under vmap.
 */
public abstract class Mixer extends Module {
    private final int nAgents;
    private final int[] stateShape;

    /** {@code stateShape}: null for a mixer that reads no state. */
    protected Mixer(int nAgents, int[] stateShape) {
        if (nAgents < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": n_agents must be positive, got " + nAgents);
        if (stateShape != null) {
            for (int d : stateShape) {
                if (d < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": the state shape must have positive dims, got " + Arrays.toString(stateShape));
            }
        }
        this.nAgents = nAgents;
        this.stateShape = stateShape == null ? null : stateShape.clone();
    }

    public final int nAgents() { return nAgents; }

    /** Whether {@link #forward(Tensor, Tensor)} reads the global state. */
    public final boolean needsState() { return stateShape != null; }

    /** The shape of one state (without batch dims), or null for a mixer that reads none. */
    public final int[] stateShape() { return stateShape == null ? null : stateShape.clone(); }

    /** The number of state components, {@code prod(stateShape)} (0 without a state). */
    public final int stateDim() {
        if (stateShape == null) return 0;
        int n = 1;
        for (int d : stateShape) n *= d;
        return n;
    }

    /** {@code Q_tot [*B, 1]} of a mixer that reads no state. */
    public final Tensor forward(Tensor chosenActionValues) {
        if (needsState()) throw new IllegalArgumentException(getClass().getSimpleName() + ": this mixer needs the global state as its second input");
        return forward(chosenActionValues, null);
    }

    /**
     * {@code Q_tot [*B, 1]} from the agents' chosen values {@code [*B, n, 1]} and the state
     * {@code [*B, *stateShape]} (null for a mixer that reads none); shapes are checked, with errors
     * that say what was expected and what came.
     */
    public final Tensor forward(Tensor chosenActionValues, Tensor state) {
        String who = getClass().getSimpleName();
        int[] q = chosenActionValues.shapeRef();
        if (q.length < 2 || q[q.length - 2] != nAgents || q[q.length - 1] != 1) {
            throw new IllegalArgumentException(who + ": expected the chosen action values with last two dims [" + nAgents + ", 1] (n_agents, 1), got "
                    + Shape.format(q));
        }
        int[] batch = Arrays.copyOf(q, q.length - 2);
        Tensor flatState = null;
        if (needsState()) {
            if (state == null) throw new IllegalArgumentException(who + ": this mixer needs the global state, got none");
            int[] s = state.shapeRef();
            int[] want = Shape.concat(batch, stateShape);
            if (!Arrays.equals(s, want)) {
                throw new IllegalArgumentException(who + ": expected the state of shape " + Shape.format(want) + " (the values' batch dims, then the state shape "
                        + Shape.format(stateShape) + "), got " + Shape.format(s));
            }
            flatState = state.reshape(Shape.concat(batch, new int[] {stateDim()}));
        } else if (state != null) {
            throw new IllegalArgumentException(who + ": this mixer reads no state, but one of shape " + Shape.format(state.shapeRef()) + " was given");
        }
        return mix(chosenActionValues, flatState);
    }

    /**
     * The mixing itself: {@code q [*B, n, 1]} and the state flattened to {@code [*B, stateDim]}
     * (null without a state) to {@code [*B, 1]}.
     */
    protected abstract Tensor mix(Tensor chosenActionValues, Tensor state);

    @Override
    protected String extraRepr() {
        return "n_agents=" + nAgents + (stateShape == null ? "" : ", state_shape=" + Shape.format(stateShape));
    }
}
