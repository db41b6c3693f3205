package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.BatchNorm1d;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/** Small float64 tanh-normal actors, state-action critics and continuous transition batches for the REDQ and CrossQ tests. */
final class RedqCrossQFixtures {
    static final int OBS = 3, ACT = 2, HIDDEN = 6;

    private RedqCrossQFixtures() {}

    /** MLP(observation) → loc and raw scale, a TanhNormal in [-1, 1] writing {@code action}. */
    static ProbabilisticActor actor(long seed) {
        return actor(MLP.builder(OBS, 2 * ACT).numCells(HIDDEN).depth(1).dtype(DType.FLOAT64).generator(new Generator(seed)).build());
    }

    static ProbabilisticActor actor(UnaryModule mlp) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(mlp).inKeys("observation").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
    }

    /** MLP(cat(observation, action)) → {@code state_action_value}. */
    static ValueOperator critic(long seed) {
        return critic(seed, "action", "state_action_value");
    }

    /** The same critic reading its action at {@code actionKey} and writing {@code outKey}. */
    static ValueOperator critic(long seed, String actionKey, String outKey) {
        MLP mlp = MLP.builder(OBS + ACT, 1).numCells(HIDDEN).depth(1).dtype(DType.FLOAT64).generator(new Generator(seed)).build();
        return new ValueOperator(mlp, concatenated(mlp), List.of("observation", actionKey), List.of(outKey));
    }

    /** Linear → BatchNorm1d → tanh → Linear on cat(observation, action), the CrossQ paper's kind of critic. */
    static ValueOperator batchNormCritic(long seed) {
        Generator g = new Generator(seed);
        Sequential net = new Sequential(new Linear(OBS + ACT, HIDDEN, true, DType.FLOAT64, g),
                new BatchNorm1d(HIDDEN, 1e-5, 0.1, true, true, DType.FLOAT64), new Tanh(), new Linear(HIDDEN, 1, true, DType.FLOAT64, g));
        return new ValueOperator(net, concatenated(net), List.of("observation", "action"), List.of("state_action_value"));
    }

    static List<ValueOperator> critics(int n, long seed) {
        List<ValueOperator> out = new ArrayList<>();
        for (int k = 0; k < n; k++) out.add(critic(seed + 101L * k));
        return out;
    }

    static TensorFunction concatenated(UnaryModule network) {
        return (positional, named) -> network.forward(positional.size() == 1 ? positional.get(0) : Tensor.cat(positional, -1));
    }

    /** {@code n} transitions: observations and actions in (-1, 1), [n, 1] rewards and boolean flags. */
    static TensorDict batch(Gen gen, int n) {
        TensorDict next = new TensorDict(n);
        next.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        next.set("reward", gen.uniform(new int[] {n, 1}, -1, 1));
        Tensor terminated = gen.bools(new int[] {n, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {n, 1}, 0.2)));
        TensorDict td = new TensorDict(n);
        td.set("observation", gen.uniform(new int[] {n, OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {n, ACT}, -0.95, 0.95));
        td.set("next", next);
        return td;
    }

    static ReplayedDraws.Draw normal(String site, Tensor eps) {
        return new ReplayedDraws.Draw(site, ReplayedDraws.Kind.STANDARD_NORMAL, eps);
    }

    static ReplayedDraws.Draw randperm(long... perm) {
        return new ReplayedDraws.Draw("randperm", ReplayedDraws.Kind.RANDPERM, Tensor.of(perm, perm.length));
    }

    static ReplayedDraws replay(ReplayedDraws.Draw... draws) {
        return new ReplayedDraws(List.of(draws));
    }

    /** {@code (tanh(loc + scale·eps), log-density)} of the actor at the observations of {@code td}, from its own distribution. */
    static org.rlgrad.engine.distributions.SampleAndLogProb actorSample(ProbabilisticActor actor, TensorDict td, Tensor eps) {
        TensorDict in = new TensorDict(td.batchSize());
        in.set("observation", td.get("observation"));
        return actor.getDist(in).rsampleAndLogProb(replay(normal("Normal.rsample", eps)));
    }

    /** Critic {@code critic} on the observations of {@code td} and {@code action}: {@code [*B]}. */
    static Tensor q(TensorDictModule critic, TensorDict td, Tensor action) {
        TensorDict in = new TensorDict(td.batchSize());
        in.set("observation", td.get("observation"));
        in.set("action", action);
        return critic.forward(in).get(Key.of("state_action_value")).squeeze(-1);
    }
}
