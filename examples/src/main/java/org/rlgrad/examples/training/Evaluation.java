package org.rlgrad.examples.training;

import java.util.function.UnaryOperator;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.examples.envs.VectorEnv;

/** How every trainer's {@link Trainer#evaluate} scores a policy, with nothing learned and nothing explored. */
final class Evaluation {
    private Evaluation() {}

    /**
     * Runs {@code episodes} copies of environment {@code envId} side by side, seeded by
     * {@code seed}, each acting with {@code act} (which writes {@code action} into the root), and
     * averages the return of each copy's first episode. No gradient is recorded.
     */
    static double meanReturn(String who, String envId, int episodes, long seed, UnaryOperator<TensorDict> act) {
        if (episodes < 1) throw new IllegalArgumentException(who + ".evaluate: expected at least one episode, got " + episodes);
        VectorEnv env = VectorEnv.of(envId, episodes, seed);
        double[] returns = new double[episodes];
        boolean[] over = new boolean[episodes];
        int remaining = episodes;
        TensorDict root = env.reset();
        try (GradMode.Scope g = GradMode.noGrad()) {
            while (remaining > 0) {
                TensorDict stepped = env.step(act.apply(root));
                double[] reward = stepped.get(Key.of("next", "reward")).toDoubleArray();
                boolean[] done = stepped.get(Key.of("next", "done")).toBooleanArray();
                for (int i = 0; i < episodes; i++) {
                    if (over[i]) continue;
                    returns[i] += reward[i];
                    if (done[i]) {
                        over[i] = true;
                        remaining--;
                    }
                }
                root = env.nextRoot();
            }
        }
        double sum = 0;
        for (double r : returns) sum += r;
        return sum / episodes;
    }
}
