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
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code sac_step} (../shared/bench/README.md): batch 256, observation 17, action 6. Actor MLP
 * 17 -> 256 -> 256 -> 12 (ReLU) whose output splits into loc and raw, scale = softplus(raw) + 1e-4;
 * critics Q1, Q2 and their frozen targets, MLPs (17 + 6) -> 256 -> 256 -> 1 on cat(obs, action);
 * log alpha a scalar starting at 0; three Adams at lr 3e-4 (actor, both critics, log alpha);
 * γ = 0.99, τ = 0.005, target entropy -6.
 *
 * <p>One call, in the README's order, in a {@link MemoryScope}: (1) critic: without grad,
 * a', log π' = actor(next_obs), y = r + γ (1 - done) (min(Q1'(s', a'), Q2'(s', a')) - α log π');
 * loss = mse(Q1(s, a), y) + mse(Q2(s, a), y), zero_grad, backward, step; (2) actor: a, log π =
 * actor(obs), loss = mean(α log π - min(Q1(s, a), Q2(s, a))), zero_grad, backward, step;
 * (3) temperature: loss = -mean(log_alpha (log π.detach() - 6)), zero_grad, backward, step;
 * (4) target update θ' += τ (θ - θ'). Each actor call draws ε ~ N(0, 1) [256, 6] afresh from the
 * engine's {@link Generator}, inside the timed step.
 *
 * <p>Run: {@code ./rlgrad bench --only sac_step} or plain JMH ({@code org.openjdk.jmh.Main SacStepBench}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SacStepBench {
    static final int OBS = 17;
    static final int ACT = 6;
    static final int HIDDEN = 256;
    static final int BATCH = 256;
    static final double GAMMA = 0.99;
    static final double TAU = 0.005;
    static final double LR = 3e-4;
    static final double TARGET_ENTROPY = -ACT;
    static final double SCALE_MIN = 1e-4;
    static final double DONE_P = 0.05;
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private BenchData.Mlp actor;
    private BenchData.Mlp q1;
    private BenchData.Mlp q2;
    private BenchData.Mlp q1Target;
    private BenchData.Mlp q2Target;
    private Tensor logAlpha;
    private Adam actorOpt;
    private Adam criticOpt;
    private Adam alphaOpt;
    private Generator noise;
    private Tensor obs;
    private Tensor action;
    private Tensor reward;
    private Tensor nextObs;
    private Tensor notDone;

    /** An action and its log-probability, [256, 6] and [256, 1]. */
    private record Policy(Tensor action, Tensor logProb) {}

    @Setup
    public void setup() {
        BenchData.pinThreads();
        Random random = new Random(BenchData.SEED);
        actor = new BenchData.Mlp(random, Tensor::relu, OBS, HIDDEN, HIDDEN, 2 * ACT);
        q1 = new BenchData.Mlp(random, Tensor::relu, OBS + ACT, HIDDEN, HIDDEN, 1);
        q2 = new BenchData.Mlp(random, Tensor::relu, OBS + ACT, HIDDEN, HIDDEN, 1);
        q1Target = q1.frozenCopy();
        q2Target = q2.frozenCopy();
        logAlpha = Tensor.zeros(1).requiresGrad(true);
        List<Tensor> critics = new ArrayList<>(q1.parameters());
        critics.addAll(q2.parameters());
        actorOpt = new Adam(actor.parameters(), LR);
        criticOpt = new Adam(critics, LR);
        alphaOpt = new Adam(List.of(logAlpha), LR);
        noise = new Generator(BenchData.SEED);
        obs = BenchData.normal(random, BATCH, OBS);
        action = BenchData.uniform(random, 1, BATCH, ACT);
        reward = BenchData.normal(random, BATCH, 1);
        nextObs = BenchData.normal(random, BATCH, OBS);
        float[] live = new float[BATCH];
        for (int i = 0; i < BATCH; i++) live[i] = random.nextDouble() < DONE_P ? 0 : 1;
        notDone = Tensor.of(live, BATCH, 1);
    }

    @Benchmark
    public void sacStep(Blackhole bh) {
        bh.consume(step());
    }

    /** One SAC iteration in a {@link MemoryScope}; returns the critic loss (before the update). */
    Tensor step() {
        try (var scope = MemoryScope.open()) {
            double alpha = Math.exp(logAlpha.item());
            // 1. Critic.
            Tensor target;
            try (var noGrad = GradMode.noGrad()) {
                Policy next = policy(nextObs);
                Tensor sa = Tensor.cat(List.of(nextObs, next.action()), -1);
                Tensor qNext = q1Target.forward(sa).minimum(q2Target.forward(sa)).sub(next.logProb().mul(alpha));
                target = reward.add(notDone.mul(qNext).mul(GAMMA));
            }
            Tensor sa = Tensor.cat(List.of(obs, action), -1);
            Tensor criticLoss = q1.forward(sa).mseLoss(target, Reduction.MEAN).add(q2.forward(sa).mseLoss(target, Reduction.MEAN));
            criticOpt.zeroGrad();
            criticLoss.backward();
            criticOpt.step();
            // 2. Actor (the critic gradients it leaves behind are cleared by the next critic zeroGrad).
            Policy pi = policy(obs);
            Tensor saPi = Tensor.cat(List.of(obs, pi.action()), -1);
            Tensor actorLoss = pi.logProb().mul(alpha).sub(q1.forward(saPi).minimum(q2.forward(saPi))).mean();
            actorOpt.zeroGrad();
            actorLoss.backward();
            actorOpt.step();
            // 3. Temperature.
            Tensor alphaLoss = logAlpha.mul(pi.logProb().detach().add(TARGET_ENTROPY)).mean().neg();
            alphaOpt.zeroGrad();
            alphaLoss.backward();
            alphaOpt.step();
            // 4. Polyak update of the targets.
            try (var noGrad = GradMode.noGrad()) {
                polyak(q1Target, q1);
                polyak(q2Target, q2);
            }
            return scope.keep(criticLoss);
        }
    }

    /**
     * u = loc + scale ε, a = tanh(u); log π = Σ [-ε²/2 - log scale - log √(2π) - 2 (log 2 - u - softplus(-2u))]
     * over the action dims (the stable form of log(1 - tanh² u)), [256, 1].
     */
    private Policy policy(Tensor observation) {
        Tensor out = actor.forward(observation);
        Tensor loc = out.narrow(-1, 0, ACT);
        Tensor scale = out.narrow(-1, ACT, ACT).softplus().add(SCALE_MIN);
        Tensor eps = noise.normal(loc.shape(), DType.FLOAT32);
        Tensor u = loc.add(scale.mul(eps));
        Tensor logDetJacobian = u.neg().add(Math.log(2)).sub(u.mul(-2).softplus()).mul(2);
        Tensor logProb = eps.square().mul(-0.5).sub(scale.log()).sub(LOG_SQRT_2PI).sub(logDetJacobian).sum(-1, true);
        return new Policy(u.tanh(), logProb);
    }

    private static void polyak(BenchData.Mlp target, BenchData.Mlp online) {
        List<Tensor> t = target.parameters(), o = online.parameters();
        for (int i = 0; i < t.size(); i++) t.get(i).lerpInPlace(o.get(i), TAU);
    }
}
