package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.estimators.GAE;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.losses.LossModule;

/** Config values the on-policy loss adapters (A2C, REINFORCE) read the same way. */
final class OnPolicyCaseConfig {
    private OnPolicyCaseConfig() {}

    /** The wired {@code actor}, which must be a stochastic policy. */
    static ProbabilisticTensorDictSequential actor(LossCase c) {
        if (!(NetworkWirings.wire(c, "actor") instanceof ProbabilisticTensorDictSequential actor)) {
            throw new MalformedCaseException("wiring.actor: " + c.loss() + " needs a stochastic policy");
        }
        return actor;
    }

    /** {@code config.clip_value}: null (absent or null) or a number. */
    static Double clipValue(LossCase c) {
        Object v = c.config("clip_value", null);
        if (v instanceof Boolean) throw new MalformedCaseException("config.clip_value: expected a number or null, got " + JsonValues.describe(v));
        return v == null ? null : JsonValues.number(v, "config.clip_value");
    }

    /** A number that may be given as null: absent → {@code fallback}, null → null. */
    static Double nullableNumber(LossCase c, String name, Double fallback) {
        if (!c.config().containsKey(name)) return fallback;
        Object v = c.config().get(name);
        return v == null ? null : JsonValues.number(v, "config." + name);
    }

    /**
     * The case's GAE with its {@code gamma}, {@code lmbda}, {@code differentiable} and
     * {@code average_gae} (FORMAT-losses.md §5), on the loss's {@code critic} network.
     */
    static void valueEstimator(LossCase c, LossModule loss, String criticName) {
        Map<String, Object> ve = c.valueEstimator();
        if (ve == null || ve.isEmpty()) return;
        String name = JsonValues.string(ve.get("name"), "value_estimator.name");
        if (!name.equals("GAE")) throw new MalformedCaseException("value_estimator.name: expected GAE for " + c.loss() + ", got " + name);
        double gamma = JsonValues.number(ve.get("gamma"), "value_estimator.gamma");
        double lmbda = JsonValues.number(ve.get("lmbda"), "value_estimator.lmbda");
        boolean differentiable = JsonValues.bool(ve.getOrDefault("differentiable", true), "value_estimator.differentiable");
        if (JsonValues.bool(ve.getOrDefault("average_gae", false), "value_estimator.average_gae")) {
            loss.makeValueEstimator(GAE.builder().gamma(gamma).lambda(lmbda).differentiable(differentiable).averageGae(true)
                    .valueNetwork(loss.network(criticName)).build());
        } else {
            loss.makeValueEstimator(ValueEstimators.GAE, Map.of("gamma", gamma, "lmbda", lmbda, "differentiable", differentiable));
        }
    }
}
