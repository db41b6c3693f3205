package org.rlgrad.examples.training;

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
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.examples.envs.ActionSpace;

/**
 * The networks of the continuous-action trainers (DDPG, TD3, SAC), float32 ReLU {@link MLP}s in
 * TorchRL's TensorDict modules:
 * <ul>
 *   <li>a deterministic actor {@code observation → action = c + h · tanh(MLP(s))} with {@code c}
 *       and {@code h} the centre and half-width of the action box, so every action is inside it;</li>
 *   <li>a Q critic {@code (observation, action) → state_action_value = MLP([s, a])};</li>
 *   <li>a tanh-Gaussian actor (SAC): {@code MLP(s) → (loc, softplus scale)}, a {@code TanhNormal}
 *       on the box, writing {@code action} and {@code action_log_prob}.</li>
 * </ul>
 */
final class ContinuousNetworks {
    private ContinuousNetworks() {}

    static MLP mlp(int in, int out, int hidden, int depth, Generator g) {
        return MLP.builder(in, out).numCells(hidden).depth(depth).activation(ReLU::new).dtype(DType.FLOAT32).generator(g).build();
    }

    /** The box's lower bounds, float32 {@code [dim]}. */
    static Tensor low(ActionSpace.Box box) {
        return Tensor.of(DType.FLOAT32, box.low(), box.dim());
    }

    static Tensor high(ActionSpace.Box box) {
        return Tensor.of(DType.FLOAT32, box.high(), box.dim());
    }

    /** The mean half-width of the box: the unit the trainers' exploration and smoothing noise is scaled by. */
    static double halfWidth(ActionSpace.Box box) {
        double[] lo = box.low(), hi = box.high();
        double s = 0;
        for (int i = 0; i < lo.length; i++) s += (hi[i] - lo[i]) / 2;
        return s / lo.length;
    }

    /** {@code observation → action}, squashed into the box. */
    static TensorDictModule deterministicActor(MLP net, ActionSpace.Box box) {
        double[] lo = box.low(), hi = box.high(), centre = new double[lo.length], half = new double[lo.length];
        for (int i = 0; i < lo.length; i++) {
            centre[i] = (hi[i] + lo[i]) / 2;
            half[i] = (hi[i] - lo[i]) / 2;
        }
        Tensor c = Tensor.of(DType.FLOAT32, centre, lo.length), h = Tensor.of(DType.FLOAT32, half, lo.length);
        TensorFunction f = TensorFunction.of(s -> net.forward(s).tanh().mul(h).add(c));
        return TensorDictModule.builder(net, f).inKeys("observation").outKeys("action").build();
    }

    /** {@code (observation, action) → state_action_value}. */
    static ValueOperator critic(MLP net) {
        TensorFunction f = TensorFunction.of((s, a) -> net.forward(Tensor.cat(List.of(s, a), -1)));
        return new ValueOperator(net, f, List.of("observation", "action"), List.of("state_action_value"));
    }

    /** {@code observation → TanhNormal(loc, softplus(scale))} on the box (TorchRL's SAC actor, scale lower bound 1e-4). */
    static ProbabilisticActor tanhNormalActor(MLP net, ActionSpace.Box box) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(net, List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", low(box), "high", high(box))).returnLogProb(true));
    }
}
