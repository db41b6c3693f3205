package org.rlgrad.losses;

import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.DistributionalQValueActor;
import org.rlgrad.engine.modules.DistributionalQValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Small float64 distributional Q networks for the C51 loss tests: an MLP from the observation to
 * {@code atoms · nA} logits, viewed as {@code [atoms, nA]}, log-softmaxed over the atoms, with the
 * support {@code [-1, -0.5, 0, 0.5, 1]} (Δz = 0.5, exact in binary, so integer projections are hit
 * exactly).
 */
final class TinyC51 {
    static final int OBS = TinyQ.OBS, ACTIONS = TinyQ.ACTIONS;
    static final double[] SUPPORT = {-1, -0.5, 0, 0.5, 1};
    static final int ATOMS = SUPPORT.length;

    private TinyC51() {}

    /** The raw MLP (logits {@code [.., ATOMS * ACTIONS]}, flat index {@code atom * ACTIONS + action}). */
    static Sequential mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS, 5, true, DType.FLOAT64, g), new Tanh(), new Linear(5, ATOMS * ACTIONS, true, DType.FLOAT64, g));
    }

    static DistributionalQValueActor actor(Sequential mlp, ActionSpace space) {
        TensorDictModule logits = TensorDictModule.builder(mlp, TensorFunction.of(x -> mlp.forward(x).unflatten(-1, ATOMS, ACTIONS)))
                .inKeys("observation").outKeys("action_value").build();
        return new DistributionalQValueActor(logits, DistributionalQValueModule.builder(space, Tensor.of(DType.FLOAT64, SUPPORT, ATOMS)).build(), true);
    }

    /** {@code log p[b][atom][action]} computed with plain loops from the MLP's logits. */
    static double[][][] logProbs(Sequential mlp, Tensor observation) {
        double[] logits = mlp.forward(observation).toDoubleArray();
        int n = observation.size(0);
        double[][][] out = new double[n][ATOMS][ACTIONS];
        for (int b = 0; b < n; b++) {
            for (int a = 0; a < ACTIONS; a++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int z = 0; z < ATOMS; z++) max = Math.max(max, logits[(b * ATOMS + z) * ACTIONS + a]);
                double sum = 0;
                for (int z = 0; z < ATOMS; z++) sum += Math.exp(logits[(b * ATOMS + z) * ACTIONS + a] - max);
                for (int z = 0; z < ATOMS; z++) out[b][z][a] = logits[(b * ATOMS + z) * ACTIONS + a] - max - Math.log(sum);
            }
        }
        return out;
    }
}
