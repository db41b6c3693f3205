package org.rlgrad.examples.envs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The built-in environments by Gymnasium id, each made inside its {@link TimeLimit}. */
public final class Environments {
    private Environments() {}

    private static final Map<String, Supplier<Environment>> BY_ID = registry();

    private static Map<String, Supplier<Environment>> registry() {
        Map<String, Supplier<Environment>> m = new LinkedHashMap<>();
        m.put(CartPole.ID, CartPole::new);
        m.put(Pendulum.ID, Pendulum::new);
        m.put(MountainCarContinuous.ID, MountainCarContinuous::new);
        m.put(Acrobot.ID, Acrobot::new);
        return m;
    }

    /** The ids {@link #make} knows, in a fixed order. */
    public static List<String> ids() {
        return List.copyOf(BY_ID.keySet());
    }

    /** A fresh environment with the given id, truncated at its spec's episode length. */
    public static Environment make(String id) {
        Supplier<Environment> s = BY_ID.get(id);
        if (s == null) throw new IllegalArgumentException("unknown environment '" + id + "'; known: " + String.join(", ", ids()));
        Environment env = s.get();
        int limit = env.spec().maxEpisodeSteps();
        return limit > 0 ? new TimeLimit(env, limit) : env;
    }

    /** The index a discrete action encodes in {@code action[0]}, checked against {@code n}. */
    static int discreteAction(double[] action, int n, String id) {
        if (action.length != 1) throw new IllegalArgumentException(id + ": a discrete action is one number (its index), got " + action.length);
        double v = action[0];
        int a = (int) v;
        if (a != v || a < 0 || a >= n) throw new IllegalArgumentException(id + ": expected an action index in 0.." + (n - 1) + ", got " + v);
        return a;
    }

    /** {@code action} checked to have {@code dim} numbers, all finite. */
    static double[] continuousAction(double[] action, int dim, String id) {
        if (action.length != dim) throw new IllegalArgumentException(id + ": expected an action of " + dim + " numbers, got " + action.length);
        for (double v : action) if (!Double.isFinite(v)) throw new IllegalArgumentException(id + ": the action holds a non-finite number " + v);
        return action;
    }
}
