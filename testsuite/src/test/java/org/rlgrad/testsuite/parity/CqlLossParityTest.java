package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.CQLLoss;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SoftUpdate;

/**
 * CQLLoss on the OpenCL backend gives the CPU's numbers (float32 tolerance): every loss entry, the
 * entries it writes into the batch and the gradient of every trainable parameter, for the
 * published conservative term and for {@code referenceCompat}, with max-Q backup and the Lagrange
 * multiplier. The draws are replayed from the same numbers on both devices. Skipped without an
 * OpenCL device outside CI, as {@link OpenClParityTest}.
 */
class CqlLossParityTest {
    private static final int B = 8, OBS = 4, ACTION = 2, R = 3;

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    private static Tensor uniform(Random r, double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return Tensor.of(v, shape);
    }

    private static ProbabilisticActor actor(long seed) {
        MLP mlp = MLP.builder(OBS, 2 * ACTION).depth(1).numCells(16).generator(new Generator(seed)).build();
        TensorDictSequential params = new TensorDictSequential(TensorDictModule.builder(mlp).inKeys("observation").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule()).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
    }

    private static TensorDictModuleBase critic(long seed) {
        MLP mlp = MLP.builder(OBS + ACTION, 1).depth(2).numCells(16).generator(new Generator(seed)).build();
        return new ValueOperator(mlp, (positional, named) -> mlp.forward(Tensor.cat(positional, -1)), List.of("observation", "action"),
                List.of("state_action_value"));
    }

    /** One forward and backward with every tensor made on {@code device}: losses, written entries, then each parameter's gradient. */
    private static List<double[]> cqlStep(Device device, boolean compat, boolean maxQBackup) {
        return on(device, () -> {
            Random r = new Random(71);
            CQLLoss loss = CQLLoss.builder(actor(5), critic(6)).generator(new Generator(7)).numRandom(R).temperature(1.5).minQWeight(0.7)
                    .maxQBackup(maxQBackup).deterministicBackup(false).withLagrange(true).lagrangeThresh(0.5).referenceCompat(compat).build();
            SoftUpdate updater = SoftUpdate.withTau(loss, 0.5);
            try (var g = org.rlgrad.engine.autograd.GradMode.noGrad()) {
                for (Tensor p : loss.parameters()) p.addInPlace(uniform(r, -0.1, 0.1, p.shape()), 1.0);
            }
            updater.step();
            List<ReplayedDraws.Draw> draws = new ArrayList<>();
            draws.add(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, uniform(r, -2, 2, B, ACTION)));
            if (maxQBackup) draws.add(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, uniform(r, -2, 2, B * R, ACTION)));
            draws.add(new ReplayedDraws.Draw("Tensor.uniform_", ReplayedDraws.Kind.UNIFORM, uniform(r, -1, 1, B * R, ACTION)));
            for (int i = 0; i < 2; i++) draws.add(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, uniform(r, -2, 2, B * R, ACTION)));
            for (int i = 0; i < 2; i++) draws.add(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, uniform(r, -2, 2, B, ACTION)));
            loss.setRandomSource(new ReplayedDraws(draws));

            TensorDict td = new TensorDict(B);
            td.set("observation", uniform(r, -1, 1, B, OBS));
            td.set("action", uniform(r, -0.9, 0.9, B, ACTION));
            td.set(Key.of("next", "observation"), uniform(r, -1, 1, B, OBS));
            td.set(Key.of("next", "reward"), uniform(r, -1, 1, B, 1));
            Tensor terminated = uniform(r, 0, 1, B, 1).lt(0.25);
            td.set(Key.of("next", "done"), terminated);
            td.set(Key.of("next", "terminated"), terminated);

            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
            total.backward();
            List<double[]> result = new ArrayList<>();
            for (String k : List.of("loss_actor", "loss_actor_bc", "loss_qvalue", "loss_cql", "loss_alpha", "loss_alpha_prime", "alpha", "entropy")) {
                result.add(new double[] {out.get(k).item()});
            }
            for (String k : List.of("td_error", "pred_q1", "pred_q2", "cql_q1_loss", "cql_q2_loss")) result.add(td.get(k).detach().toDoubleArray());
            for (Tensor p : loss.parameters()) result.add(p.grad().toDoubleArray());
            return result;
        });
    }

    @Test
    void theCqlLossesAndTheirGradientsAreTheSameOnBothDevices() {
        for (boolean compat : new boolean[] {false, true}) {
            for (boolean maxQBackup : new boolean[] {false, true}) {
                List<double[]> cpu = cqlStep(Device.CPU, compat, maxQBackup), cl = cqlStep(OpenClParityTest.OPENCL, compat, maxQBackup);
                assertEquals(cpu.size(), cl.size());
                assertTrue(cpu.size() > 13, "losses, written entries and at least one gradient");
                for (int i = 0; i < cpu.size(); i++) {
                    double[] a = cpu.get(i), c = cl.get(i);
                    assertEquals(a.length, c.length, "entry " + i + ": length");
                    for (int j = 0; j < a.length; j++) {
                        assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), "compat " + compat + ", max_q_backup " + maxQBackup + ": entry " + i + "[" + j
                                + "] (8 outputs, 5 written entries, then each parameter's gradient)");
                    }
                }
            }
        }
    }
}
