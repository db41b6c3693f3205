package org.rlgrad.examples.training;

import java.util.ArrayList;
import java.util.List;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.AddStateIndependentNormalScale;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Init;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.envs.EnvSpec;

/**
 * The two float32 networks of an on-policy agent (PPO, A2C): a stochastic actor and a state-value
 * critic, separate MLPs with tanh hidden layers, as in CleanRL's {@code ppo.py} and
 * {@code ppo_continuous_action.py} and SB3's default {@code MlpPolicy}.
 *
 * <ul>
 *   <li>Discrete actions: {@code observation → logits} and a Categorical over the actions
 *       (the action an index, {@code int64 [B]}).</li>
 *   <li>Continuous actions: {@code observation → loc} and a state-independent log-scale
 *       ({@link AddStateIndependentNormalScale}, initialised to 0, so σ = 1), an
 *       IndependentNormal over the action dims. Actions are not squashed: the environment clips
 *       them into its box, as CleanRL's continuous PPO does.</li>
 * </ul>
 * Weights are orthogonal with gain √2 on hidden layers, 0.01 on the policy output (near-uniform
 * first policy) and 1 on the value output, biases zero — the initialisation of CleanRL's
 * {@code layer_init} (Engstrom et al. 2020, "Implementation Matters in Deep Policy Gradients",
 * and Andrychowicz et al. 2021 found it matters for PPO).
 */
public record ActorCritic(ProbabilisticActor actor, ValueOperator critic) {

    /** The actor and critic for {@code spec}, {@code hidden} units per hidden layer, drawn from {@code seed}. */
    public static ActorCritic create(EnvSpec spec, int[] hidden, long seed) {
        Generator g = new Generator(seed);
        int obs = spec.observationDim();
        ValueOperator critic = new ValueOperator(mlp(obs, hidden, 1, 1.0, g));
        ProbabilisticActor actor;
        if (spec.actionSpace() instanceof ActionSpace.Discrete d) {
            actor = new ProbabilisticActor(TensorDictModule.of(mlp(obs, hidden, d.n(), 0.01, g), List.of("observation"), List.of("logits")),
                    ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL).returnLogProb(true));
        } else {
            int dim = spec.actionSpace().dim();
            TensorDictSequential params = new TensorDictSequential(
                    TensorDictModule.of(mlp(obs, hidden, dim, 0.01, g), List.of("observation"), List.of("loc")),
                    TensorDictModule.builder(new AddStateIndependentNormalScale(new int[] {dim}, "exp", 1e-4, 0.0, DType.FLOAT32))
                            .inKeys("loc").outKeys("loc", "scale").build());
            actor = new ProbabilisticActor(params,
                    ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.INDEPENDENT_NORMAL).returnLogProb(true));
        }
        actor.probabilisticModule().randomSource(g.split());
        return new ActorCritic(actor, critic);
    }

    /** {@code in → hidden... → out} with tanh between layers, orthogonally initialised (output gain {@code outGain}). */
    static Sequential mlp(int in, int[] hidden, int out, double outGain, Generator g) {
        List<UnaryModule> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(linear(width, h, Math.sqrt(2), g));
            layers.add(new Tanh());
            width = h;
        }
        layers.add(linear(width, out, outGain, g));
        return new Sequential(layers);
    }

    private static Linear linear(int in, int out, double gain, Generator g) {
        Linear l = new Linear(in, out, true, DType.FLOAT32, g);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Init.orthogonal_(l.weight(), gain, g);
            Init.zeros_(l.bias());
        }
        return l;
    }

    /** Every trainable tensor of both networks (actor first). */
    public List<Tensor> parameters() {
        List<Tensor> all = new ArrayList<>(actor.parameters());
        all.addAll(critic.parameters());
        return all;
    }
}
