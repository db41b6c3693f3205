package org.rlgrad.examples.training;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.examples.envs.VectorEnv;

/**
 * Runs a policy in a {@link VectorEnv} and hands back what happened in TorchRL's layout, the one
 * the losses and estimators read: a TensorDict of batch {@code [n_envs, T]} (time last) holding
 * the root entries ({@code observation}, {@code action}, whatever the policy wrote such as
 * {@code action_log_prob} or {@code state_value}) and, under {@code next}, {@code observation},
 * {@code reward}, {@code done}, {@code terminated} and {@code truncated}.
 *
 * <p>The policy is any function that writes {@code action} into the root it is given (exploration
 * is the trainer's business: sampling, ε-greedy, noise). It runs without gradient recording.
 * Episodes continue across calls: each rollout starts where the last one stopped.
 */
public final class Collector {
    private final VectorEnv env;
    private final UnaryOperator<TensorDict> policy;
    private TensorDict root;
    private long frames;

    public Collector(VectorEnv env, UnaryOperator<TensorDict> policy) {
        this.env = env;
        this.policy = policy;
    }

    /** {@code steps} steps of every copy: a TensorDict of batch {@code [n_envs, steps]}. */
    public TensorDict rollout(int steps) {
        if (steps < 1) throw new IllegalArgumentException("Collector: expected at least one step, got " + steps);
        if (root == null) root = env.reset();
        List<TensorDict> transitions = new ArrayList<>(steps);
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (int t = 0; t < steps; t++) {
                TensorDict acted = policy.apply(root);
                if (!acted.contains("action")) throw new IllegalStateException("Collector: the policy wrote no 'action'; it wrote " + acted.keys());
                transitions.add(env.step(acted));
                root = env.nextRoot();
            }
        }
        frames += (long) steps * env.size();
        return TensorDict.stack(transitions, 1);
    }

    /** Environment steps taken so far, over all copies. */
    public long frames() { return frames; }

    public VectorEnv env() { return env; }
}
