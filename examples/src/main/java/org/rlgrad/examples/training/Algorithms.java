package org.rlgrad.examples.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.examples.envs.EnvSpec;
import org.rlgrad.examples.envs.Environments;

/** The trainers {@code ./rlgrad train} knows, by algorithm name, and the environments each can train on. */
public final class Algorithms {
    private Algorithms() {}

    /** Makes a trainer for an environment and a seed. */
    @FunctionalInterface
    public interface Factory {
        Trainer create(String envId, long seed);
    }

    /** An algorithm: its factory and whether it takes discrete and/or continuous actions. */
    public record Algorithm(String name, Factory factory, boolean discrete, boolean continuous) {
        public boolean supports(EnvSpec spec) {
            return spec.discrete() ? discrete : continuous;
        }
    }

    private static final Map<String, Algorithm> BY_NAME = registry();

    private static Map<String, Algorithm> registry() {
        Map<String, Algorithm> m = new LinkedHashMap<>();
        m.put("dqn", new Algorithm("dqn", DQNTrainer::new, true, false));
        m.put("ddpg", new Algorithm("ddpg", DDPGTrainer::new, false, true));
        m.put("td3", new Algorithm("td3", TD3Trainer::new, false, true));
        m.put("sac", new Algorithm("sac", SACTrainer::new, false, true));
        m.put("ppo", new Algorithm("ppo", PPOTrainer::new, true, true));
        m.put("a2c", new Algorithm("a2c", A2CTrainer::new, true, true));
        return m;
    }

    /** The algorithm names, in a fixed order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public static Algorithm get(String name) {
        Algorithm a = BY_NAME.get(name);
        if (a == null) throw new IllegalArgumentException("unknown algorithm '" + name + "'; known: " + String.join(", ", names()));
        return a;
    }

    /** A trainer of algorithm {@code name} on environment {@code envId}; an error naming what fits when they do not. */
    public static Trainer create(String name, String envId, long seed) {
        Algorithm a = get(name);
        EnvSpec spec = Environments.make(envId).spec();
        if (!a.supports(spec)) {
            throw new IllegalArgumentException(name + " does not train on " + envId + " (" + (spec.discrete() ? "discrete" : "continuous")
                    + " actions); it takes " + (a.discrete() ? "discrete" : "continuous") + " actions");
        }
        return a.factory().create(envId, seed);
    }
}
