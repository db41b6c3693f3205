package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;

/**
 * The keys a probabilistic actor declares for its sample and its log-probability (spec losses.md
 * §1.2): a loss over such an actor takes its {@code action} and {@code sample_log_prob} key names
 * from them at construction, so an actor writing {@code "my_action"} and
 * {@code "my_action_log_prob"} needs no {@code setKeys}.
 */
final class ActorSampleKeys {
    private ActorSampleKeys() {}

    /** {@code action} and {@code sample_log_prob} → the actor's keys, for an actor with one sample key (else empty). */
    static Map<String, Object> of(ProbabilisticTensorDictSequential actor) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (actor.distSampleKeys().size() == 1) out.put("action", actor.distSampleKeys().get(0));
        if (actor.logProbKeys().size() == 1) out.put("sample_log_prob", actor.logProbKeys().get(0));
        return out;
    }
}
