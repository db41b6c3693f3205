package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.opencl.OpenClDevices;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.estimators.AdvantageAndTarget;
import org.rlgrad.estimators.Coefficient;
import org.rlgrad.estimators.EstimatorOptions;
import org.rlgrad.estimators.Estimates;
import org.rlgrad.testsuite.conformance.ConformanceRunner;
import org.rlgrad.testsuite.conformance.Summary;

/**
 * CPU-versus-OpenCL parity: the ops and distributions conformance cases, run with every tensor on
 * the first OpenCL device, pass as they do on the CPU; and end-to-end computations give the CPU's
 * numbers within float32 tolerances. Each later feature (estimators, losses) adds its check here.
 *
 * <p>Without an OpenCL device the tests are skipped, except in CI ({@code CI=true}), which
 * installs PoCL so that they run for real.
 */
class OpenClParityTest {
    static final Device OPENCL = Device.opencl(0);

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices found = OpenClDevices.system();
        if (found.isAvailable()) return;
        String message = "no OpenCL device: " + found.describe();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: CI installs PoCL, so the parity tests must run)");
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }

    /** Runs {@code body} with new tensors made on {@code device}, then restores the default. */
    private static Summary conformance(String resource, Pattern filter, Device device) {
        Path dir;
        try {
            dir = Path.of(OpenClParityTest.class.getResource(resource).toURI()).getParent();
        } catch (Exception e) {
            throw new AssertionError("missing test resource " + resource, e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        return on(device, () -> {
            try {
                return new ConformanceRunner().run(dir, filter, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void assertFamilyPassesOnBoth(String resource, String family, Pattern filter, int atLeast) {
        Summary.FamilyResult cpu = conformance(resource, filter, Device.CPU).family(family);
        Summary.FamilyResult cl = conformance(resource, filter, OPENCL).family(family);
        assertEquals(0, cl.failed(), () -> cl.failed() + " " + family + " cases fail on OpenCL:\n"
                + cl.failures().stream().map(f -> f.id() + ": " + f.reason()).collect(Collectors.joining("\n")));
        assertEquals(cpu.passed(), cl.passed(), "the same cases pass on both devices");
        assertTrue(cl.passed() >= atLeast, family + ": expected at least " + atLeast + " cases, ran " + cl.passed());
    }

    @Test
    void publicOpsCasesPassOnOpenCl() {
        assertFamilyPassesOnBoth("/reference/ops.json", "ops", Pattern.compile("^ops/"), 218);
    }

    @Test
    void derivedOpsCasesPassOnOpenCl() {
        assertFamilyPassesOnBoth("/derived/ops.json", "ops", null, 138);
    }

    @Test
    void distributionsCasesPassOnOpenCl() {
        assertFamilyPassesOnBoth("/reference/distributions.json", "distributions", Pattern.compile("^distributions/"), 56);
    }

    @Test
    void estimatorsCasesPassOnOpenCl() {
        assertFamilyPassesOnBoth("/reference/estimators.json", "estimators", Pattern.compile("^estimators/"), 417);
    }

    /**
     * GAE (sequential and vectorised) and TD(λ) (sequential, and vectorised on both the geometric
     * and the per-step table path) on float32 data made on each device: the OpenCL results and
     * gradients match the CPU's within float32 tolerance.
     */
    @Test
    void estimatorsGiveTheCpuNumbersOnOpenCl() {
        for (boolean vectorised : new boolean[] {false, true}) {
            List<double[]> cpu = estimatorRun(Device.CPU, vectorised), cl = estimatorRun(OPENCL, vectorised);
            for (int k = 0; k < cpu.size(); k++) {
                double[] a = cpu.get(k), b = cl.get(k);
                assertEquals(a.length, b.length);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-4 * (1 + Math.abs(a[i])), (vectorised ? "vectorised " : "sequential ") + "result " + k + " [" + i + "]");
                }
            }
        }
    }

    private static List<double[]> estimatorRun(Device device, boolean vectorised) {
        return on(device, () -> {
            Random r = new Random(11);
            int[] shape = {4, 30, 1};
            Tensor value = uniform(r, 1, shape).requiresGrad(true);
            Tensor nextValue = uniform(r, 1, shape);
            Tensor reward = uniform(r, 1, shape).requiresGrad(true);
            boolean[] terminated = new boolean[120], done = new boolean[120];
            for (int i = 0; i < done.length; i++) {
                terminated[i] = r.nextDouble() < 0.1;
                done[i] = terminated[i] || r.nextDouble() < 0.1;
            }
            Tensor doneT = Tensor.of(done, shape), termT = Tensor.of(terminated, shape);
            assertEquals(device, value.device(), "the data is made on the device under test");
            Tensor gammaPerStep = uniform(r, 1, shape).mul(0.2).add(0.79);
            EstimatorOptions options = EstimatorOptions.defaults().withTerminated(termT);
            Coefficient gamma = Coefficient.of(0.99), lambda = Coefficient.of(0.95);
            AdvantageAndTarget gae = vectorised
                    ? Estimates.vecGeneralizedAdvantageEstimate(gamma, lambda, value, nextValue, reward, doneT, options)
                    : Estimates.generalizedAdvantageEstimate(gamma, lambda, value, nextValue, reward, doneT, options);
            Tensor tdl = vectorised
                    ? Estimates.vecTdLambdaReturn(gamma, lambda, nextValue, reward, doneT, options)
                    : Estimates.tdLambdaReturn(gamma, lambda, nextValue, reward, doneT, options);
            Tensor tdlPerStep = vectorised
                    ? Estimates.vecTdLambdaReturn(Coefficient.of(gammaPerStep), lambda, nextValue, reward, doneT, options)
                    : Estimates.tdLambdaReturn(Coefficient.of(gammaPerStep), lambda, nextValue, reward, doneT, options);
            for (Tensor out : List.of(gae.advantage(), gae.valueTarget(), tdl, tdlPerStep)) {
                assertEquals(device, out.device(), "results stay on the device");
            }
            Tensor loss = gae.advantage().square().sum().add(gae.valueTarget().sum()).add(tdl.mul(tdlPerStep).sum());
            loss.backward();
            return List.of(gae.advantage().toDoubleArray(), gae.valueTarget().toDoubleArray(), tdl.toDoubleArray(), tdlPerStep.toDoubleArray(),
                    value.grad().toDoubleArray(), reward.grad().toDoubleArray());
        });
    }

    @Test
    void aSeedDrawsTheSameNumbersOnBothDevices() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double[] cpuUniform = on(Device.CPU, () -> new Generator(42).uniform(new int[] {3, 1001}, dtype).toDoubleArray());
            double[] clUniform = on(OPENCL, () -> new Generator(42).uniform(new int[] {3, 1001}, dtype).toDoubleArray());
            assertArrayEquals(cpuUniform, clUniform, 0, "uniform " + dtype + ": bit for bit");
            double[] cpuNormal = on(Device.CPU, () -> new Generator(7).fold(3).normal(new int[] {2049}, dtype).toDoubleArray());
            double[] clNormal = on(OPENCL, () -> new Generator(7).fold(3).normal(new int[] {2049}, dtype).toDoubleArray());
            for (int i = 0; i < cpuNormal.length; i++) {
                assertEquals(cpuNormal[i], clNormal[i], (dtype == DType.FLOAT32 ? 1e-6 : 1e-12) * (1 + Math.abs(cpuNormal[i])), "normal " + dtype + " [" + i + "]");
            }
        }
    }

    /** One MLP training step sequence (forward, MSE, backward, Adam), with identical weights and data. */
    private static List<double[]> mlpSteps(Device device, int steps) {
        return on(device, () -> {
            Random r = new Random(7);
            int[] widths = {5, 32, 32, 3};
            List<Tensor> params = new ArrayList<>();
            for (int l = 0; l + 1 < widths.length; l++) {
                double bound = 1 / Math.sqrt(widths[l]);
                params.add(uniform(r, bound, widths[l + 1], widths[l]).requiresGrad(true));
                params.add(uniform(r, bound, widths[l + 1]).requiresGrad(true));
            }
            Tensor x = uniform(r, 1, 16, 5);
            Tensor y = uniform(r, 1, 16, 3);
            Adam adam = new Adam(params, 1e-2);
            List<double[]> losses = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                adam.zeroGrad();
                Tensor h = x;
                for (int l = 0; l < params.size(); l += 2) {
                    h = Functional.linear(h, params.get(l), params.get(l + 1));
                    if (l + 2 < params.size()) h = h.tanh();
                }
                Tensor loss = h.sub(y).square().mean();
                loss.backward();
                adam.step();
                losses.add(new double[] {loss.item()});
            }
            for (Tensor p : params) losses.add(p.toDoubleArray());
            return losses;
        });
    }

    private static Tensor uniform(Random r, double bound, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (2 * r.nextDouble() - 1) * bound;
        return Tensor.of(DType.FLOAT32, v, shape);
    }

    @Test
    void anMlpTrainsToTheSameNumbersOnBothDevices() {
        List<double[]> cpu = mlpSteps(Device.CPU, 20);
        List<double[]> cl = mlpSteps(OPENCL, 20);
        assertEquals(cpu.size(), cl.size());
        assertTrue(cpu.get(19)[0] < cpu.get(0)[0], "the loss falls");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), b = cl.get(i);
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], b[j], 1e-4 * (1 + Math.abs(a[j])), "entry " + i + "[" + j + "] (losses first, then parameters)");
            }
        }
    }

    // ------------------------------------------------------------------ estimator modules (issue 7)

    /** The GAE module with a ValueOperator (a small MLP) on one batch of trajectories, all made on {@code device}. */
    private static List<double[]> gaeModule(Device device) {
        return on(device, () -> {
            int b = 3, t = 16, obs = 4;
            Generator g = new Generator(11);
            org.rlgrad.engine.nn.MLP mlp = org.rlgrad.engine.nn.MLP.builder(obs, 1).generator(new Generator(5)).build();
            org.rlgrad.engine.tensordict.TensorDict td = new org.rlgrad.engine.tensordict.TensorDict(b, t);
            td.set("observation", g.normal(new int[] {b, t, obs}, DType.FLOAT32));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "observation"), g.normal(new int[] {b, t, obs}, DType.FLOAT32));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "reward"), g.normal(new int[] {b, t, 1}, DType.FLOAT32));
            Tensor terminated = g.uniform(new int[] {b, t, 1}, DType.FLOAT32).lt(0.1);
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "done"), g.uniform(new int[] {b, t, 1}, DType.FLOAT32).lt(0.1).logicalOr(terminated));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "terminated"), terminated);
            org.rlgrad.estimators.GAE gae = org.rlgrad.estimators.GAE.builder().gamma(0.99).lambda(0.95).vectorized(true)
                    .valueNetwork(new org.rlgrad.engine.modules.ValueOperator(mlp)).build();
            gae.forward(td);
            assertEquals(device, td.get("advantage").device(), "the outputs stay on the inputs' device");
            return List.of(td.get("advantage").toDoubleArray(), td.get("value_target").toDoubleArray(), td.get("state_value").toDoubleArray());
        });
    }

    @Test
    void theGaeModuleWithAValueNetworkGivesTheSameNumbersOnBothDevices() {
        List<double[]> cpu = gaeModule(Device.CPU);
        List<double[]> cl = gaeModule(OPENCL);
        String[] what = {"advantage", "value_target", "state_value"};
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what[i] + ": length");
            for (int j = 0; j < a.length; j++) assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what[i] + "[" + j + "]");
        }
    }

    /** A shifted GAE (spec estimators.md §6.9: one fused value-network call) on trajectories with internal truncations, all made on {@code device}. */
    private static List<double[]> shiftedGaeModule(Device device) {
        return on(device, () -> {
            int b = 3, t = 12, obs = 4;
            Generator g = new Generator(23);
            org.rlgrad.engine.nn.MLP mlp = org.rlgrad.engine.nn.MLP.builder(obs, 1).generator(new Generator(7)).build();
            org.rlgrad.engine.tensordict.TensorDict td = new org.rlgrad.engine.tensordict.TensorDict(b, t);
            td.set("observation", g.normal(new int[] {b, t, obs}, DType.FLOAT32));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "observation"), g.normal(new int[] {b, t, obs}, DType.FLOAT32));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "reward"), g.normal(new int[] {b, t, 1}, DType.FLOAT32));
            Tensor terminated = g.uniform(new int[] {b, t, 1}, DType.FLOAT32).lt(0.1);
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "done"), g.uniform(new int[] {b, t, 1}, DType.FLOAT32).lt(0.25).logicalOr(terminated));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "terminated"), terminated);
            org.rlgrad.estimators.GAE gae = org.rlgrad.estimators.GAE.builder().gamma(0.99).lambda(0.95).vectorized(true).averageGae(true)
                    .shifted(true).shiftedBudget(2).valueNetwork(new org.rlgrad.engine.modules.ValueOperator(mlp)).build();
            gae.forward(td);
            assertEquals(device, td.get("advantage").device(), "the outputs stay on the inputs' device");
            assertEquals(device, td.get("shifted_valid").device(), "the validity mask too");
            return List.of(td.get("advantage").toDoubleArray(), td.get("value_target").toDoubleArray(), td.get("state_value").toDoubleArray(),
                    td.get("shifted_valid").toDoubleArray());
        });
    }

    @Test
    void theShiftedGaeModuleGivesTheSameNumbersOnBothDevices() {
        List<double[]> cpu = shiftedGaeModule(Device.CPU);
        List<double[]> cl = shiftedGaeModule(OPENCL);
        String[] what = {"advantage", "value_target", "state_value", "shifted_valid"};
        double kept = 0;
        for (double v : cpu.get(3)) kept += v;
        assertTrue(kept > 0 && kept < cpu.get(3).length, "the data drop some samples and keep others, so the masks are exercised (kept " + kept + ")");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what[i] + ": length");
            for (int j = 0; j < a.length; j++) assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what[i] + "[" + j + "]");
        }
    }

    // ------------------------------------------------------------------ losses (issue 8)

    /**
     * DQNLoss (double DQN, priority weights, delayed target one soft step away from the online
     * network) forward and backward, every tensor made on {@code device}: the loss, the td_error it
     * writes and the gradient of every online parameter.
     */
    private static List<double[]> dqnLossStep(Device device) {
        return on(device, () -> {
            int b = 16, obs = 4, actions = 3;
            Generator g = new Generator(31);
            org.rlgrad.engine.nn.MLP mlp = org.rlgrad.engine.nn.MLP.builder(obs, actions).generator(new Generator(9)).build();
            org.rlgrad.losses.DQNLoss loss = org.rlgrad.losses.DQNLoss.builder(mlp).doubleDqn(true).lossFunction("smooth_l1").build();
            org.rlgrad.losses.SoftUpdate updater = org.rlgrad.losses.SoftUpdate.withTau(loss, 0.3);
            try (org.rlgrad.engine.autograd.GradMode.Scope s = org.rlgrad.engine.autograd.GradMode.noGrad()) {
                for (Tensor p : loss.parameters()) p.addInPlace(g.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
            }
            updater.step();
            org.rlgrad.engine.tensordict.TensorDict td = new org.rlgrad.engine.tensordict.TensorDict(b);
            td.set("observation", g.normal(new int[] {b, obs}, DType.FLOAT32));
            td.set("action", g.uniform(new int[] {b}, DType.FLOAT32).mul(actions).floor().toLong().oneHot(actions));
            td.set("priority_weight", g.uniform(new int[] {b}, DType.FLOAT32).add(0.5));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "observation"), g.normal(new int[] {b, obs}, DType.FLOAT32));
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "reward"), g.normal(new int[] {b, 1}, DType.FLOAT32));
            Tensor terminated = g.uniform(new int[] {b, 1}, DType.FLOAT32).lt(0.2);
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "done"), terminated);
            td.set(org.rlgrad.engine.tensordict.Key.of("next", "terminated"), terminated);
            Tensor total = org.rlgrad.losses.LossOutputs.totalLoss(loss.forward(td));
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
            total.backward();
            List<double[]> out = new ArrayList<>();
            out.add(new double[] {total.item()});
            out.add(td.get("td_error").toDoubleArray());
            for (Tensor p : loss.parameters()) out.add(p.grad().toDoubleArray());
            return out;
        });
    }

    @Test
    void theDqnLossAndItsGradientsAreTheSameOnBothDevices() {
        List<double[]> cpu = dqnLossStep(Device.CPU);
        List<double[]> cl = dqnLossStep(OPENCL);
        assertEquals(cpu.size(), cl.size());
        assertTrue(cpu.size() > 2, "loss, td_error and at least one gradient");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, "entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), "entry " + i + "[" + j + "] (loss, td_error, then each parameter's gradient)");
            }
        }
    }
}
