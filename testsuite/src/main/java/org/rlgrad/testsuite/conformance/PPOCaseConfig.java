package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.losses.PPOLoss;

/**
 * What the PPO-family adapters ({@code PPOLoss}, {@code ClipPPOLoss}, {@code KLPENPPOLoss}) read
 * the same way: the {@code actor} (a stochastic policy, or a {@code composite_policy} whose heads
 * are the networks {@code actor.<head>}), the {@code critic}, the common config
 * ({@code entropy_bonus}, {@code samples_mc_entropy}, {@code entropy_coeff},
 * {@code log_explained_variance}, {@code critic_coeff}, {@code loss_critic_type},
 * {@code normalize_advantage}, {@code reduction}, {@code clip_value} as a number), the per-head
 * keys of a composite case ({@code action_keys}, {@code sample_log_prob_keys}) and the GAE
 * estimator of {@code value_estimator} (FORMAT-losses.md section 5).
 */
final class PPOCaseConfig {
    private PPOCaseConfig() {}

    /** The case's actor: a composite policy has no network of its own name (its heads are {@code actor.<head>}). */
    static ProbabilisticTensorDictSequential actor(LossCase c) {
        TensorDictModuleBase m = c.networks().containsKey("actor") ? NetworkWirings.wire(c, "actor") : NetworkWirings.wire(c, "actor", null);
        if (!(m instanceof ProbabilisticTensorDictSequential actor)) throw new MalformedCaseException("wiring.actor: " + c.loss() + " needs a stochastic policy");
        return actor;
    }

    /** The case's critic, or null when it has none. */
    static TensorDictModuleBase critic(LossCase c) {
        return c.networks().containsKey("critic") ? NetworkWirings.wire(c, "critic") : null;
    }

    /** The options every PPO loss shares, from {@code config}. */
    static void common(LossCase c, PPOLoss.Builder<?> b) {
        b.entropyBonus(JsonValues.bool(c.config("entropy_bonus", true), "config.entropy_bonus"))
                .samplesMcEntropy(JsonValues.integer(c.config("samples_mc_entropy", 1), "config.samples_mc_entropy"))
                .logExplainedVariance(JsonValues.bool(c.config("log_explained_variance", true), "config.log_explained_variance"))
                .lossCriticType(JsonValues.string(c.config("loss_critic_type", "smooth_l1"), "config.loss_critic_type"))
                .normalizeAdvantage(JsonValues.bool(c.config("normalize_advantage", false), "config.normalize_advantage"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .criticCoeff(TemperatureCaseConfig.optionalNumber(c, "critic_coeff", null));
        Object coeff = c.config("entropy_coeff", 0.01);
        if (coeff instanceof Map<?, ?> perHead) {
            Map<Key, Double> m = new LinkedHashMap<>();
            perHead.forEach((k, v) -> m.put(Key.parse(JsonValues.string(k, "config.entropy_coeff key"), "/"), JsonValues.number(v, "config.entropy_coeff." + k)));
            b.entropyCoeff(m);
        } else {
            b.entropyCoeff(JsonValues.number(coeff, "config.entropy_coeff"));
        }
        if (c.config().containsKey("composite_lp_aggregate") && JsonValues.bool(c.config().get("composite_lp_aggregate"), "config.composite_lp_aggregate")) {
            throw new MalformedCaseException("config.composite_lp_aggregate = true: the adapters build composite actors with aggregation off");
        }
    }

    /** {@code config.clip_value}: a number or null (ClipPPO also accepts booleans, read by its adapter). */
    static Double clipValue(LossCase c) {
        return TemperatureCaseConfig.optionalNumber(c, "clip_value", null);
    }

    /** The per-head keys of a composite case, and the case's GAE estimator. */
    static <L extends PPOLoss> L finish(LossCase c, L loss) {
        if (c.config().containsKey("action_keys")) loss.setActionKeys(keys(c, "action_keys"));
        if (c.config().containsKey("sample_log_prob_keys")) loss.setSampleLogProbKeys(keys(c, "sample_log_prob_keys"));
        Map<String, Object> ve = c.valueEstimator();
        if (ve == null || ve.isEmpty()) return loss;
        String name = JsonValues.string(ve.get("name"), "value_estimator.name");
        if (!name.equals("GAE")) throw new MalformedCaseException("value_estimator.name: expected GAE for " + c.loss() + ", got " + name);
        if (ve.get("average_gae") != null && JsonValues.bool(ve.get("average_gae"), "value_estimator.average_gae")) {
            throw new MalformedCaseException("value_estimator.average_gae = true is not read by the PPO adapters");
        }
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("gamma", JsonValues.number(ve.get("gamma"), "value_estimator.gamma"));
        hp.put("lmbda", JsonValues.number(ve.get("lmbda"), "value_estimator.lmbda"));
        if (ve.get("differentiable") != null) hp.put("differentiable", JsonValues.bool(ve.get("differentiable"), "value_estimator.differentiable"));
        loss.makeValueEstimator(ValueEstimators.GAE, hp);
        return loss;
    }

    /** {@code config.<name>}: a list of keys written with {@code /} separators. */
    private static List<Key> keys(LossCase c, String name) {
        List<Key> out = new ArrayList<>();
        for (Object k : JsonValues.list(c.config().get(name), "config." + name)) out.add(Key.parse(JsonValues.string(k, "config." + name + "[]"), "/"));
        return out;
    }
}
