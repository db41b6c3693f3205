package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.losses.LossModule;

/** Config values of the losses with an entropy temperature (REDQ, CrossQ), read the same way by their adapters. */
final class TemperatureCaseConfig {
    private TemperatureCaseConfig() {}

    /** {@code config.<name>}: its number, null when the config holds an explicit null, {@code fallback} when absent. */
    static Double optionalNumber(LossCase c, String name, Double fallback) {
        if (!c.config().containsKey(name)) return fallback;
        Object v = c.config().get(name);
        return v == null ? null : JsonValues.number(v, "config." + name);
    }

    /** {@code config.target_entropy}: a number, or null for {@code "auto"} (or absent). */
    static Double targetEntropy(LossCase c) {
        Object v = c.config("target_entropy", "auto");
        if ("auto".equals(v)) return null;
        return JsonValues.number(v, "config.target_entropy");
    }

    /** The case's TD(0) estimator with its {@code gamma}, when the case names one. */
    static void valueEstimator(LossCase c, LossModule loss) {
        Map<String, Object> ve = c.valueEstimator();
        if (ve == null || ve.isEmpty()) return;
        String name = JsonValues.string(ve.get("name"), "value_estimator.name");
        if (!name.equals("TD0Estimator")) throw new MalformedCaseException("value_estimator.name: expected TD0Estimator for " + c.loss() + ", got " + name);
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", JsonValues.number(ve.get("gamma"), "value_estimator.gamma")));
    }

    /** Sets the loss's {@code log_alpha} to the case's {@code loss_parameters.log_alpha} (the exact starting value), in place. */
    static void loadLogAlpha(LossCase c, Tensor logAlpha) {
        Tensor given = c.lossParameters().get("log_alpha");
        if (given == null) return;
        try (GradMode.Scope g = GradMode.noGrad()) {
            logAlpha.copy_(given.detach().reshape(logAlpha.shape()));
        }
    }
}
