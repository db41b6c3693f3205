package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.List;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/**
 * The training smoke run of the PPO-family tests: a contextual bandit (every step terminal) whose
 * reward is {@code −Σ_j (a_j − ½ s_j)²}, the Gaussian actor acting in RANDOM mode, one Adam step
 * (lr 0.01) on a fresh batch of 32 per update, the advantage computed by the loss's GAE.
 */
final class PPOTraining {
    record Result(double firstReward, double lastReward, double firstCritic, double lastCritic) {}

    private PPOTraining() {}

    static Result bandit(PPOLoss loss, ProbabilisticActor actor, int steps, long seed) {
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(seed);
        actor.probabilisticModule().randomSource(new Generator(seed));
        List<Double> rewards = new ArrayList<>(), critic = new ArrayList<>();
        int n = 32;
        for (int step = 0; step < steps; step++) {
            TensorDict td = TinyPpo.transitions(gen, n);
            try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope r = InteractionType.set(InteractionType.RANDOM)) {
                actor.forward(td);
            }
            double[] obs = td.get("observation").toDoubleArray(), a = td.get("action").toDoubleArray(), r = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < TinyPpo.ACT; j++) r[i] -= Math.pow(a[i * TinyPpo.ACT + j] - 0.5 * obs[i * TinyPpo.OBS + j], 2);
            td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
            Tensor terminal = Tensor.of(new boolean[n], n, 1).logicalNot();
            td.set(Key.of("next", "done"), terminal);
            td.set(Key.of("next", "terminated"), terminal);
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            if (!Double.isFinite(total.item())) throw new AssertionError("step " + step + ": loss " + total.item() + " in " + out);
            total.backward();
            opt.step();
            double mean = 0;
            for (double x : r) mean += x / n;
            rewards.add(mean);
            critic.add(out.get("loss_critic").item());
        }
        for (Tensor p : loss.parameters()) if (p.isFinite().all().item() == 0) throw new AssertionError("a parameter became non-finite");
        return new Result(avg(rewards.subList(0, 20)), avg(rewards.subList(steps - 20, steps)), avg(critic.subList(0, 20)), avg(critic.subList(steps - 20, steps)));
    }

    static double avg(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
