package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The Dreamer world-model loss (spec losses.md §2.22; Hafner et al. 2020, "Dream to Control",
 * eq. 10): KL between the posterior and prior latent Gaussians, pixel reconstruction and reward
 * prediction, on a time-batched dict {@code [B, T]}.
 *
 * <p>The loss shallow-copies the input, moves {@code ("next", reward)} to
 * {@code ("next", true_reward)} and runs the world model, which writes under {@code "next"} the
 * prior {@code (μ_p, σ_p)} and posterior {@code (μ_q, σ_q)} parameters, the reconstructed pixels
 * and a predicted reward at {@code ("next", reward)}. Then, with {@code d_reco}, {@code d_reward}
 * the distances of §1.12:
 * <ul>
 *   <li>{@code kl = ln(σ_p/σ_q) + (σ_q² + (μ_p − μ_q)²)/(2σ_p²) − ½} element-wise, KL(posterior ‖
 *       prior); summed over the latent (last) axis unless {@code globalAverage}; then
 *       {@code mean(max(kl, free_nats))}, or with {@code delayedClamp} {@code max(mean(kl), free_nats)}
 *       (free bits: below the floor the KL term sends no gradient);</li>
 *   <li>{@code reco = mean(Σ_{C,H,W} d_reco(pixels, reco_pixels))} (no sum with {@code globalAverage});</li>
 *   <li>{@code rew = mean(d_reward(true_reward, reward))}.</li>
 * </ul>
 * Outputs, each of shape {@code [1]} (the reference's shape, kept): {@code loss_model_kl = λ_kl·kl},
 * {@code loss_model_reco = λ_reco·reco}, {@code loss_model_reward = λ_reward·rew}.
 * {@link #forwardWithData} also returns the world model's outputs, detached.
 *
 * <p>The loss is not functional (spec §2.22): the world model runs with its own parameters, which
 * are the loss's {@link #parameters()}; there is no target copy. The {@link #setReduction reduction}
 * and masks of §1.8 do not apply: each term is the mean the spec fixes. Randomness is whatever the
 * world model samples (the RSSM's posterior draws), from the world model's own source. No value
 * estimator. Keys: {@code reward}, {@code true_reward}, {@code prior_mean}, {@code prior_std},
 * {@code posterior_mean}, {@code posterior_std}, {@code pixels}, {@code reco_pixels}, each read
 * under {@code "next"}.
 */
public final class DreamerModelLoss extends LossModule {
    /** The name of the world model's parameter tree. */
    public static final String WORLD_MODEL = "world_model";

    private final TensorDictModuleBase worldModel;
    private final double lambdaKl;
    private final double lambdaReco;
    private final double lambdaReward;
    private final Distance recoLoss;
    private final Distance rewardLoss;
    private final double freeNats;
    private final boolean delayedClamp;
    private final boolean globalAverage;

    private DreamerModelLoss(Builder b) {
        super("DreamerModelLoss", keyDefaults());
        this.worldModel = b.worldModel;
        this.lambdaKl = b.lambdaKl;
        this.lambdaReco = b.lambdaReco;
        this.lambdaReward = b.lambdaReward;
        this.recoLoss = b.recoLoss;
        this.rewardLoss = b.rewardLoss;
        this.freeNats = b.freeNats;
        this.delayedClamp = b.delayedClamp;
        this.globalAverage = b.globalAverage;
        registerNetwork(WORLD_MODEL, worldModel, false);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("reward", "reward");
        k.put("true_reward", "true_reward");
        k.put("prior_mean", "prior_mean");
        k.put("prior_std", "prior_std");
        k.put("posterior_mean", "posterior_mean");
        k.put("posterior_std", "posterior_std");
        k.put("pixels", "pixels");
        k.put("reco_pixels", "reco_pixels");
        return k;
    }

    /**
     * A loss over {@code worldModel}: encoder, RSSM and decoder followed by the reward model, run
     * on the whole {@code [B, T]} dict (spec §2.22).
     */
    public static Builder builder(TensorDictModuleBase worldModel) {
        return new Builder(Objects.requireNonNull(worldModel, "DreamerModelLoss: the world model is null"));
    }

    public TensorDictModuleBase worldModel() { return worldModel; }

    public double lambdaKl() { return lambdaKl; }

    public double lambdaReco() { return lambdaReco; }

    public double lambdaReward() { return lambdaReward; }

    public Distance recoLoss() { return recoLoss; }

    public Distance rewardLoss() { return rewardLoss; }

    public double freeNats() { return freeNats; }

    public boolean delayedClamp() { return delayedClamp; }

    public boolean globalAverage() { return globalAverage; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        return lossAndData(td).losses();
    }

    /** The losses and the world model's outputs, detached (the reference's pair), in the loss's sampling mode. */
    public LossAndData forwardWithData(TensorDict td) {
        Objects.requireNonNull(td, "DreamerModelLoss.forwardWithData: expected a TensorDict, got null");
        return inSamplingMode(() -> lossAndData(td));
    }

    private LossAndData lossAndData(TensorDict td) {
        Key reward = next("reward"), trueReward = next("true_reward");
        require(td, reward);
        TensorDict work = td.copy();
        if (work.contains(trueReward)) work.remove(trueReward);
        work.rename(reward, trueReward);
        worldModel.forward(work);

        Tensor kl = klDivergence(require(work, next("prior_mean")), require(work, next("prior_std")), require(work, next("posterior_mean")),
                require(work, next("posterior_std")));
        if (!globalAverage) kl = kl.sum(-1);
        kl = delayedClamp ? kl.mean().clampMin(freeNats) : kl.clampMin(freeNats).mean();

        Tensor reco = recoLoss.apply(require(work, next("pixels")), require(work, next("reco_pixels")));
        if (!globalAverage) reco = reco.sum(new int[] {-3, -2, -1}, false);

        Tensor rew = rewardLoss.apply(require(work, trueReward), require(work, reward));

        TensorDict out = new TensorDict();
        out.set("loss_model_kl", kl.mul(lambdaKl).reshape(1));
        out.set("loss_model_reco", reco.mean().mul(lambdaReco).reshape(1));
        out.set("loss_model_reward", rew.mean().mul(lambdaReward).reshape(1));
        return new LossAndData(out, work.detach());
    }

    /** KL(N(μ_q, σ_q) ‖ N(μ_p, σ_p)) element-wise: {@code ln(σ_p/σ_q) + (σ_q² + (μ_p − μ_q)²)/(2σ_p²) − ½}. */
    static Tensor klDivergence(Tensor priorMean, Tensor priorStd, Tensor posteriorMean, Tensor posteriorStd) {
        return priorStd.div(posteriorStd).log()
                .add(posteriorStd.square().add(priorMean.sub(posteriorMean).square()).div(priorStd.square().mul(2)))
                .sub(0.5);
    }

    private Key next(String name) {
        return key(name).prepend("next");
    }


    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "DreamerModelLoss(lambda_kl=" + lambdaKl + ", lambda_reco=" + lambdaReco + ", lambda_reward=" + lambdaReward + ", reco_loss="
                + recoLoss.alias() + ", reward_loss=" + rewardLoss.alias() + ", free_nats=" + freeNats + ", delayed_clamp=" + delayedClamp
                + ", global_average=" + globalAverage + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final TensorDictModuleBase worldModel;
        private double lambdaKl = 1.0;
        private double lambdaReco = 1.0;
        private double lambdaReward = 1.0;
        private Distance recoLoss = Distance.L2;
        private Distance rewardLoss = Distance.L2;
        private double freeNats = 3.0;
        private boolean delayedClamp;
        private boolean globalAverage;

        private Builder(TensorDictModuleBase worldModel) {
            this.worldModel = worldModel;
        }

        /** The weight of the KL term (default 1). */
        public Builder lambdaKl(double w) { this.lambdaKl = w; return this; }

        /** The weight of the reconstruction term (default 1). */
        public Builder lambdaReco(double w) { this.lambdaReco = w; return this; }

        /** The weight of the reward term (default 1). */
        public Builder lambdaReward(double w) { this.lambdaReward = w; return this; }

        /** The pixel distance (default l2; null means l2). */
        public Builder recoLoss(Distance d) { this.recoLoss = d == null ? Distance.L2 : d; return this; }

        public Builder recoLoss(String name) { return recoLoss(name == null ? null : Distance.parse(name)); }

        /** The reward distance (default l2; null means l2). */
        public Builder rewardLoss(Distance d) { this.rewardLoss = d == null ? Distance.L2 : d; return this; }

        public Builder rewardLoss(String name) { return rewardLoss(name == null ? null : Distance.parse(name)); }

        /** The floor of the KL term, in nats (default 3). */
        public Builder freeNats(double nats) { this.freeNats = nats; return this; }

        /** Clamp the averaged KL instead of each sample's (default false). */
        public Builder delayedClamp(boolean delayed) { this.delayedClamp = delayed; return this; }

        /** Average the KL and reconstruction over every element instead of summing the latent and pixel axes first (default false). */
        public Builder globalAverage(boolean global) { this.globalAverage = global; return this; }

        public DreamerModelLoss build() { return new DreamerModelLoss(this); }
    }
}
