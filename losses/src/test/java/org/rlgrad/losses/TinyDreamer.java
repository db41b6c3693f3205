package org.rlgrad.losses;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.distributions.NormalParamExtractor;
import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/**
 * Small float64 Dreamer pieces for the Dreamer loss tests: a latent state {@code state} [S] and
 * {@code belief} [BELIEF], actions [A] in (−1, 1), a differentiable imagined environment whose
 * reward is highest at the origin, a value model, and a world-model stand-in (posterior, prior,
 * decoder, reward model) over 1×2×2 pixels.
 */
final class TinyDreamer {
    static final int S = 2, BELIEF = 2, A = 2, Z = 2, HIDDEN = 8;
    static final Key NEXT_STATE = Key.of("next", "state"), NEXT_BELIEF = Key.of("next", "belief"), NEXT_REWARD = Key.of("next", "reward");

    private TinyDreamer() {}

    static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(HIDDEN).depth(1).activation(Tanh::new).dtype(DType.FLOAT64).generator(new Generator(seed)).build();
    }

    /** The network on its inputs concatenated on the last dim. */
    static TensorFunction concatenated(UnaryModule net) {
        return (positional, named) -> net.forward(positional.size() == 1 ? positional.get(0) : Tensor.cat(positional, -1));
    }

    /** (state, belief) → TanhNormal action on (−1, 1)^A. */
    static ProbabilisticActor actor(long seed) {
        MLP net = mlp(S + BELIEF, 2 * A, seed);
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(net, concatenated(net)).inKeys("state", "belief").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)));
    }

    /** (state, belief) → tanh action, no randomness. */
    static Actor deterministicActor(long seed) {
        Sequential net = new Sequential(mlp(S + BELIEF, A, seed), new Tanh());
        return new Actor(concatenated(net), List.of("state", "belief"), List.of("action"));
    }

    /** V(state, belief) → {@code valueKey}. */
    static ValueOperator value(long seed, String valueKey) {
        MLP net = mlp(S + BELIEF, 1, seed);
        return new ValueOperator(net, concatenated(net), List.of("state", "belief"), List.of(valueKey));
    }

    static ValueOperator value(long seed) {
        return value(seed, "state_value");
    }

    /**
     * The imagined environment: with {@code x = (s, b, a)},
     * {@code s' = s + 0.5 a + 0.1 dyn_s(x)}, {@code b' = tanh(dyn_b(x))},
     * {@code r = −|s'|² + 0.1 tanh(rew(s', b'))}. Its three layers are {@link Env#parts()}.
     */
    record Env(Sequential parts, TensorDictModule transition, ModelBasedEnv env) {}

    static Env env(long seed) {
        Generator g = new Generator(seed);
        Linear dynS = new Linear(S + BELIEF + A, S, true, DType.FLOAT64, g);
        Linear dynB = new Linear(S + BELIEF + A, BELIEF, true, DType.FLOAT64, g);
        Linear rew = new Linear(S + BELIEF, 1, true, DType.FLOAT64, g);
        Sequential parts = new Sequential(dynS, dynB, rew); // a container only: its forward is never called
        TensorFunction step = (positional, named) -> {
            Tensor s = positional.get(0), b = positional.get(1), a = positional.get(2);
            Tensor x = Tensor.cat(List.of(s, b, a), -1);
            Tensor s1 = s.add(a.mul(0.5)).add(dynS.forward(x).mul(0.1));
            Tensor b1 = dynB.forward(x).tanh();
            Tensor r = s1.square().sum(-1, true).neg().add(rew.forward(Tensor.cat(List.of(s1, b1), -1)).tanh().mul(0.1));
            return List.of(s1, b1, r);
        };
        TensorDictModule transition = TensorDictModule.builder(parts, step).inKeys("state", "belief", "action")
                .outKeys(NEXT_STATE, NEXT_BELIEF, NEXT_REWARD).build();
        return new Env(parts, transition, ModelBasedEnv.of(transition));
    }

    /** {@code n} latent start states. */
    static TensorDict starts(Gen gen, int n) {
        TensorDict td = new TensorDict(n);
        td.set("state", gen.uniform(new int[] {n, S}, -1, 1));
        td.set("belief", gen.uniform(new int[] {n, BELIEF}, -1, 1));
        return td;
    }

    /** The distances of spec §1.12 in plain arithmetic ({@code l2}, {@code l1}, {@code smooth_l1}), for expected values computed without Tensor ops. */
    static double distance(String kind, double x, double y) {
        double d = x - y;
        return switch (kind) {
            case "l2" -> d * d;
            case "l1" -> Math.abs(d);
            case "smooth_l1" -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    // ------------------------------------------------------------------ the world-model stand-in

    /** The four parts of the world model, in the order they run. */
    record WorldModel(MLP posterior, MLP prior, MLP decoder, MLP reward, TensorDictSequential module) {}

    static WorldModel worldModel(long seed) {
        MLP posterior = mlp(4, 2 * Z, seed), prior = mlp(S + A, 2 * Z, seed + 1), decoder = mlp(Z, 4, seed + 2), reward = mlp(Z, 1, seed + 3);
        NormalParamExtractor extractor = new NormalParamExtractor("biased_softplus_1.0", 1e-4);
        TensorFunction post = (positional, named) -> {
            NormalParamExtractor.LocAndScale ls = extractor.apply(posterior.forward(positional.get(0).flatten(-3, -1)));
            return List.of(ls.loc(), ls.scale());
        };
        TensorFunction pri = (positional, named) -> {
            NormalParamExtractor.LocAndScale ls = extractor.apply(prior.forward(Tensor.cat(positional, -1)));
            return List.of(ls.loc(), ls.scale());
        };
        TensorDictSequential module = new TensorDictSequential(
                TensorDictModule.builder(posterior, post).inKeys(Key.of("next", "pixels")).outKeys(Key.of("next", "posterior_mean"), Key.of("next", "posterior_std")).build(),
                TensorDictModule.builder(prior, pri).inKeys("state", "action").outKeys(Key.of("next", "prior_mean"), Key.of("next", "prior_std")).build(),
                TensorDictModule.builder(decoder, TensorFunction.of(x -> decoder.forward(x).unflatten(-1, 1, 2, 2)))
                        .inKeys(Key.of("next", "posterior_mean")).outKeys(Key.of("next", "reco_pixels")).build(),
                TensorDictModule.builder(reward, TensorFunction.of(reward::forward)).inKeys(Key.of("next", "posterior_mean")).outKeys(NEXT_REWARD).build());
        return new WorldModel(posterior, prior, decoder, reward, module);
    }

    /** A {@code [b, t]} batch for the model loss: state, action, next pixels [1, 2, 2] and the true next reward. */
    static TensorDict modelBatch(Gen gen, int b, int t) {
        TensorDict td = new TensorDict(b, t);
        td.set("state", gen.uniform(new int[] {b, t, S}, -1, 1));
        td.set("action", gen.uniform(new int[] {b, t, A}, -1, 1));
        td.set(Key.of("next", "pixels"), gen.uniform(new int[] {b, t, 1, 2, 2}, -1, 1));
        td.set(NEXT_REWARD, gen.uniform(new int[] {b, t, 1}, -1, 1));
        return td;
    }

    /** An imagined {@code [b, h]} batch for the value loss: state, belief and a λ-target. */
    static TensorDict imagined(Gen gen, int b, int h) {
        TensorDict td = new TensorDict(b, h);
        td.set("state", gen.uniform(new int[] {b, h, S}, -1, 1));
        td.set("belief", gen.uniform(new int[] {b, h, BELIEF}, -1, 1));
        td.set("lambda_target", gen.uniform(new int[] {b, h, 1}, -2, 2));
        return td;
    }
}
