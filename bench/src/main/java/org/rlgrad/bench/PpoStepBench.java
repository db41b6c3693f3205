package org.rlgrad.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code ppo_step}: minibatch 64, observation 8, 4 discrete actions. Separate actor MLP
 * 8 -> 64 -> 64 -> 4 and critic MLP 8 -> 64 -> 64 -> 1, both tanh; one Adam over both parameter
 * sets, lr 3e-4. Fixed minibatch: obs [64, 8] N(0, 1); actions [64] uniform in {0, 1, 2, 3};
 * advantages [64] N(0, 1) (not normalised); returns [64] N(0, 1); old log-probs = the stored
 * actions' log-probs under the initial actor plus 0.1 N(0, 1) noise, computed once.
 *
 * <p>One call: logp_all = log_softmax(actor(obs)); logp = logp_all at the stored actions;
 * entropy = mean over the batch of -sum exp(logp_all) logp_all; ratio = exp(logp - old_logp);
 * surrogate = min(ratio A, clamp(ratio, 0.8, 1.2) A); value = critic(obs) [64];
 * loss = -mean(surrogate) + 0.5 mse(value, returns) - 0.01 entropy; zero_grad, backward, Adam step;
 * all in a {@link MemoryScope}.
 *
 * <p>Run: {@code ./rlgrad bench --only ppo_step} or plain JMH ({@code org.openjdk.jmh.Main PpoStepBench}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PpoStepBench {
    static final int OBS = 8;
    static final int ACTIONS = 4;
    static final int HIDDEN = 64;
    static final int BATCH = 64;
    static final double CLIP = 0.2;
    static final double VF_COEF = 0.5;
    static final double ENT_COEF = 0.01;
    static final double LR = 3e-4;
    static final double OLD_LOGP_NOISE = 0.1;

    private BenchData.Mlp actor;
    private BenchData.Mlp critic;
    private Adam adam;
    private Tensor obs;
    private Tensor actions;
    private Tensor advantages;
    private Tensor returns;
    private Tensor oldLogp;

    @Setup
    public void setup() {
        BenchData.pinThreads();
        Random random = new Random(BenchData.SEED);
        actor = new BenchData.Mlp(random, Tensor::tanh, OBS, HIDDEN, HIDDEN, ACTIONS);
        critic = new BenchData.Mlp(random, Tensor::tanh, OBS, HIDDEN, HIDDEN, 1);
        List<Tensor> params = new ArrayList<>(actor.parameters());
        params.addAll(critic.parameters());
        adam = new Adam(params, LR);
        obs = BenchData.normal(random, BATCH, OBS);
        actions = BenchData.randint(random, ACTIONS, BATCH).unsqueeze(1); // [64, 1], as actions[:, None]
        advantages = BenchData.normal(random, BATCH);
        returns = BenchData.normal(random, BATCH);
        try (var scope = GradMode.noGrad()) {
            Tensor logp = actor.forward(obs).logSoftmax(-1).gather(-1, actions).squeeze(-1);
            oldLogp = logp.add(BenchData.normal(random, BATCH).mul(OLD_LOGP_NOISE));
        }
    }

    @Benchmark
    public void ppoStep(Blackhole bh) {
        bh.consume(step());
    }

    /** One update in a {@link MemoryScope}, as {@link MlpStepBench}'s; returns the loss (before the update). */
    Tensor step() {
        try (var scope = MemoryScope.open()) {
            return scope.keep(unscopedStep());
        }
    }

    private Tensor unscopedStep() {
        Tensor logpAll = actor.forward(obs).logSoftmax(-1);
        Tensor logp = logpAll.gather(-1, actions).squeeze(-1);
        Tensor entropy = logpAll.exp().mul(logpAll).sum(-1).mean().neg();
        Tensor ratio = logp.sub(oldLogp).exp();
        Tensor surrogate = ratio.mul(advantages).minimum(ratio.clamp(1 - CLIP, 1 + CLIP).mul(advantages));
        Tensor value = critic.forward(obs).squeeze(-1);
        Tensor loss = surrogate.mean().neg()
                .add(value.mseLoss(returns, Reduction.MEAN).mul(VF_COEF))
                .sub(entropy.mul(ENT_COEF));
        adam.zeroGrad();
        loss.backward();
        adam.step();
        return loss;
    }
}
