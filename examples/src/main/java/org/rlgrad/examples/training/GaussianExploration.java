package org.rlgrad.examples.training;

import java.util.random.RandomGenerator;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.examples.envs.ActionSpace;

/**
 * The exploration of the deterministic-policy trainers (DDPG, TD3; Fujimoto et al. 2018 §6.1):
 * {@code a ← clip(a + σ·h·N(0, 1), low, high)} element-wise, {@code h} the mean half-width of the
 * action box, so that {@code σ} is a fraction of the action range whatever its units.
 */
record GaussianExploration(ActionSpace.Box box, double sigma) {
    /** Adds the noise to {@code root}'s float32 {@code action [n, dim]}, drawing from {@code rng}. */
    TensorDict perturb(TensorDict root, RandomGenerator rng) {
        double[] a = root.get("action").toDoubleArray();
        double[] lo = box.low(), hi = box.high();
        int dim = lo.length;
        double scale = sigma * ContinuousNetworks.halfWidth(box);
        for (int i = 0; i < a.length; i++) a[i] = Math.clamp(a[i] + scale * rng.nextGaussian(), lo[i % dim], hi[i % dim]);
        root.set("action", Tensor.of(DType.FLOAT32, a, a.length / dim, dim));
        return root;
    }
}
