package org.rlgrad.examples.envs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.io.Json;

/**
 * The reference trajectories recorded from Gymnasium itself by
 * {@code src/test/resources/gymnasium/make_trajectories.py} ({@code trajectories.json}).
 */
final class GymnasiumTrajectories {
    private GymnasiumTrajectories() {}

    record RecordedStep(double[] observation, double[] state, double reward, boolean terminated, boolean truncated) {}

    record Trajectory(String name, String id, int maxEpisodeSteps, double[] initialState, List<double[]> actions, List<RecordedStep> steps) {}

    /** A normalisation wrapper's record: its settings, what it was given and what it gave. */
    record Normalization(String wrapper, Map<String, Object> fields) {
        double number(String key) { return ((Number) fields.get(key)).doubleValue(); }

        @SuppressWarnings("unchecked")
        List<Object> list(String key) { return (List<Object>) fields.get(key); }
    }

    private static Map<String, Object> root;

    @SuppressWarnings("unchecked")
    static synchronized Map<String, Object> root() {
        if (root == null) {
            try (InputStream in = GymnasiumTrajectories.class.getResourceAsStream("/gymnasium/trajectories.json")) {
                if (in == null) throw new IllegalStateException("missing test resource /gymnasium/trajectories.json");
                root = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return root;
    }

    static String gymnasiumVersion() { return (String) root().get("gymnasium_version"); }

    @SuppressWarnings("unchecked")
    static List<Trajectory> all() {
        return ((List<Object>) root().get("trajectories")).stream().map(o -> {
            Map<String, Object> t = (Map<String, Object>) o;
            List<double[]> actions = ((List<Object>) t.get("actions")).stream()
                    .map(a -> a instanceof List<?> l ? doubles(l) : new double[] {((Number) a).doubleValue()}).toList();
            List<RecordedStep> steps = ((List<Object>) t.get("steps")).stream().map(so -> {
                Map<String, Object> s = (Map<String, Object>) so;
                return new RecordedStep(doubles((List<?>) s.get("observation")), doubles((List<?>) s.get("state")), ((Number) s.get("reward")).doubleValue(),
                        (Boolean) s.get("terminated"), (Boolean) s.get("truncated"));
            }).toList();
            return new Trajectory((String) t.get("name"), (String) t.get("id"), ((Number) t.get("max_episode_steps")).intValue(),
                    doubles((List<?>) t.get("initial_state")), actions, steps);
        }).toList();
    }

    static Trajectory named(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException("no trajectory " + name));
    }

    @SuppressWarnings("unchecked")
    static Normalization normalization(String wrapper, String statistics) {
        for (Object o : (List<Object>) root().get("normalization")) {
            Map<String, Object> n = (Map<String, Object>) o;
            if (n.get("wrapper").equals(wrapper) && (statistics == null || statistics.equals(n.get("statistics")))) {
                return new Normalization(wrapper, n);
            }
        }
        throw new IllegalArgumentException("no normalization record for " + wrapper);
    }

    static double[] doubles(List<?> l) {
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).doubleValue();
        return out;
    }
}
