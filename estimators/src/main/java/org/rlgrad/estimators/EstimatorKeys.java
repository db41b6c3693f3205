package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensordict.Key;

/**
 * The configurable TensorDict keys of an estimator module (spec estimators.md §6.3; TorchRL's
 * {@code tensor_keys} and {@code set_keys}), by the reference's names: {@code advantage},
 * {@code value_target} (written), {@code value} (read at the root and under {@code "next"},
 * written when the value network runs), {@code reward}, {@code done}, {@code terminated} (read
 * under {@code "next"}), {@code steps_to_next_obs} (read at the root) and, for V-trace,
 * {@code sample_log_prob}. A name set once keeps its key until set again.
 */
public final class EstimatorKeys {
    public static final String ADVANTAGE = "advantage";
    public static final String VALUE_TARGET = "value_target";
    public static final String VALUE = "value";
    public static final String REWARD = "reward";
    public static final String DONE = "done";
    public static final String TERMINATED = "terminated";
    public static final String STEPS_TO_NEXT_OBS = "steps_to_next_obs";
    public static final String SAMPLE_LOG_PROB = "sample_log_prob";

    private final LinkedHashMap<String, Key> keys = new LinkedHashMap<>();

    private EstimatorKeys() {}

    /** The keys of TD(0), TD(1), TD(λ) and GAE, at their defaults. */
    static EstimatorKeys standard() {
        EstimatorKeys k = new EstimatorKeys();
        k.keys.put(ADVANTAGE, Key.of("advantage"));
        k.keys.put(VALUE_TARGET, Key.of("value_target"));
        k.keys.put(VALUE, Key.of("state_value"));
        k.keys.put(REWARD, Key.of("reward"));
        k.keys.put(DONE, Key.of("done"));
        k.keys.put(TERMINATED, Key.of("terminated"));
        k.keys.put(STEPS_TO_NEXT_OBS, Key.of("steps_to_next_obs"));
        return k;
    }

    /** The standard keys plus V-trace's behaviour log-probability, {@code "action_log_prob"} by default. */
    static EstimatorKeys withSampleLogProb() {
        EstimatorKeys k = standard();
        k.keys.put(SAMPLE_LOG_PROB, Key.of("action_log_prob"));
        return k;
    }

    /** The accepted names, in the reference's order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(keys.keySet()));
    }

    /** The key configured for {@code name}; an unknown name is an error listing the accepted ones. */
    public Key get(String name) {
        Key k = keys.get(name);
        if (k == null) throw unknown(name);
        return k;
    }

    public Key advantage() { return keys.get(ADVANTAGE); }
    public Key valueTarget() { return keys.get(VALUE_TARGET); }
    public Key value() { return keys.get(VALUE); }
    public Key reward() { return keys.get(REWARD); }
    public Key done() { return keys.get(DONE); }
    public Key terminated() { return keys.get(TERMINATED); }
    public Key stepsToNextObs() { return keys.get(STEPS_TO_NEXT_OBS); }

    /**
     * Validates {@code updates} (name → key) against the accepted names and returns the keys to
     * store, without storing them; {@link ValueEstimatorBase#setKeys} applies its own checks and
     * then {@link #putAll}. A key is a {@code String}, a {@link Key}, or an array of those (a
     * nested tuple, flattened: {@code {"a"}} is {@code "a"}).
     */
    LinkedHashMap<String, Key> parse(Map<String, ?> updates) {
        LinkedHashMap<String, Key> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : updates.entrySet()) {
            if (!keys.containsKey(e.getKey())) throw unknown(e.getKey());
            Object v = e.getValue();
            if (v == null) throw new IllegalArgumentException("tensordict keys cannot be None (null): got null for '" + e.getKey() + "'");
            if (!(v instanceof String || v instanceof Key || v instanceof Object[])) {
                throw new IllegalArgumentException("set_keys: expected a string, a Key or an array of strings (a nested key) for '" + e.getKey()
                        + "', got " + v.getClass().getSimpleName() + " " + v);
            }
            parsed.put(e.getKey(), Key.of(v));
        }
        return parsed;
    }

    void putAll(Map<String, Key> parsed) {
        keys.putAll(parsed);
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException(name + " is not an accepted tensordict key for advantages; accepted: " + keys.keySet());
    }

    @Override
    public String toString() {
        return keys.toString();
    }
}
