package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.TD3BCLoss;
import org.rlgrad.losses.TD3Loss;
import org.rlgrad.losses.TD3LossBase;

/**
 * {@code TD3Loss} and {@code TD3BCLoss} (one adapter per class, {@link #td3()} and
 * {@link #td3bc()}): a {@code deterministic_policy} network {@code actor} and an ensemble
 * {@code qvalue} of {@code state_action_value} members, stacked as given; config
 * {@code action_low}/{@code action_high} (the bounds), {@code policy_noise}, {@code noise_clip},
 * {@code num_qvalue_nets}, {@code loss_function}, {@code delay_actor}, {@code delay_qvalue},
 * {@code separate_losses}, {@code reduction}, and {@code alpha} for TD3+BC. The target-policy
 * noise is replayed from the case's {@code randn_like} draw.
 */
final class TD3LossAdapter implements LossAdapter {
    private final boolean behaviourCloning;

    private TD3LossAdapter(boolean behaviourCloning) {
        this.behaviourCloning = behaviourCloning;
    }

    static TD3LossAdapter td3() { return new TD3LossAdapter(false); }

    static TD3LossAdapter td3bc() { return new TD3LossAdapter(true); }

    @Override
    public String lossClass() { return behaviourCloning ? "TD3BCLoss" : "TD3Loss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        var actor = NetworkWirings.wire(c, "actor");
        var critics = NetworkWirings.wireMembers(c, "qvalue");
        LossModule loss = behaviourCloning
                ? configure(TD3BCLoss.builder(actor, critics), c).alpha(JsonValues.number(c.config("alpha", 2.5), "config.alpha")).build()
                : configure(TD3Loss.builder(actor, critics), c).build();
        loss.setRandomSource(draws);
        return loss;
    }

    private static <B extends TD3LossBase.Options<B>> B configure(B b, LossCase c) {
        return b.bounds(JsonValues.number(c.config("action_low", -1.0), "config.action_low"), JsonValues.number(c.config("action_high", 1.0), "config.action_high"))
                .numQvalueNets(JsonValues.integer(c.config("num_qvalue_nets", 2), "config.num_qvalue_nets"))
                .policyNoise(JsonValues.number(c.config("policy_noise", 0.2), "config.policy_noise"))
                .noiseClip(JsonValues.number(c.config("noise_clip", 0.5), "config.noise_clip"))
                .lossFunction(JsonValues.string(c.config("loss_function", "smooth_l1"), "config.loss_function"))
                .delayActor(JsonValues.bool(c.config("delay_actor", true), "config.delay_actor"))
                .delayQvalue(JsonValues.bool(c.config("delay_qvalue", true), "config.delay_qvalue"))
                .separateLosses(JsonValues.bool(c.config("separate_losses", false), "config.separate_losses"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .prioritizedWeights(LossCaseConfig.prioritizedWeights(c));
    }

    @Override
    public String lossNetworkName(String caseName) {
        return switch (caseName) {
            case "actor" -> TD3Loss.ACTOR;
            case "qvalue" -> TD3Loss.QVALUE;
            default -> throw new MalformedCaseException(lossClass() + ": unknown network '" + caseName + "'; expected actor or qvalue");
        };
    }
}
