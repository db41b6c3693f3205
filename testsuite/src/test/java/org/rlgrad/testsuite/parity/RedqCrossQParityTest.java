package org.rlgrad.testsuite.parity;

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
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.opencl.OpenClDevices;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.CrossQLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.REDQLoss;
import org.rlgrad.losses.SoftUpdate;
import org.rlgrad.testsuite.conformance.ConformanceRunner;
import org.rlgrad.testsuite.conformance.Summary;

/**
 * CPU-versus-OpenCL parity of REDQLoss and CrossQLoss (issue 8): their public conformance cases
 * (float64) pass on the OpenCL device too, and a float32 forward and backward pass, with every
 * tensor made on the device, gives the CPU's losses, priorities and gradients within float32
 * tolerance. Skipped without an OpenCL device, except in CI ({@code CI=true}), which installs PoCL.
 */
class RedqCrossQParityTest {
    static final Device OPENCL = Device.opencl(0);
    static final int OBS = 4, ACT = 2, B = 12;

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices found = OpenClDevices.system();
        if (found.isAvailable()) return;
        String message = "no OpenCL device: " + found.describe();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: CI installs PoCL, so the parity tests must run)");
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }

    /** Runs {@code body} with new tensors made on {@code device}, then restores the default. */
    @Test
    void thePublicRedqAndCrossQCasesPassOnOpenCl() throws Exception {
        Path dir = Path.of(RedqCrossQParityTest.class.getResource("/reference/losses.json").toURI()).getParent();
        Pattern filter = Pattern.compile("^(REDQLoss|CrossQLoss)/");
        Summary.FamilyResult cpu = on(Device.CPU, () -> conformance(dir, filter)), cl = on(OPENCL, () -> conformance(dir, filter));
        assertEquals(0, cl.failed(), () -> cl.failed() + " cases fail on OpenCL:\n" + cl.failures().stream().map(f -> f.id() + ": " + f.reason())
                .collect(Collectors.joining("\n")));
        assertEquals(cpu.passed(), cl.passed(), "the same cases pass on both devices");
        assertTrue(cl.passed() >= 4, "the two REDQ and the two CrossQ public cases, ran " + cl.passed());
    }

    private static Summary.FamilyResult conformance(Path dir, Pattern filter) {
        try {
            return new ConformanceRunner().run(dir, filter, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).family("losses");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ProbabilisticActor actor() {
        MLP mlp = MLP.builder(OBS, 2 * ACT).numCells(16).depth(2).generator(new Generator(11)).build();
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(mlp).inKeys("observation").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)));
    }

    private static ValueOperator critic() {
        MLP mlp = MLP.builder(OBS + ACT, 1).numCells(16).depth(2).generator(new Generator(12)).build();
        return new ValueOperator(mlp, (positional, named) -> mlp.forward(Tensor.cat(positional, -1)), List.of("observation", "action"),
                List.of("state_action_value"));
    }

    private static TensorDict batch() {
        Generator g = new Generator(31);
        TensorDict td = new TensorDict(B);
        td.set("observation", g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set("action", g.uniform(new int[] {B, ACT}, -0.9, 0.9, DType.FLOAT32));
        td.set(Key.of("next", "observation"), g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {B, 1}, DType.FLOAT32));
        Tensor terminated = g.uniform(new int[] {B, 1}, DType.FLOAT32).lt(0.2);
        td.set(Key.of("next", "done"), terminated);
        td.set(Key.of("next", "terminated"), terminated);
        return td;
    }

    /** One forward and backward pass of the loss {@code build} makes, on {@code device}: each loss, the priority, then every parameter's gradient. */
    private static List<double[]> step(Device device, Function<List<Object>, LossModule> build) {
        return on(device, () -> {
            LossModule loss = build.apply(List.of(actor(), critic()));
            loss.setRandomSource(new Generator(41));
            TensorDict td = batch();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
            total.backward();
            List<double[]> values = new ArrayList<>();
            for (Key k : LossOutputs.lossKeys(out)) values.add(out.get(k).toDoubleArray());
            values.add(td.get("td_error").toDoubleArray());
            for (Tensor p : loss.parameters()) values.add(p.grad().toDoubleArray());
            return values;
        });
    }

    private static void assertSameOnBothDevices(Function<List<Object>, LossModule> build) {
        List<double[]> cpu = step(Device.CPU, build), cl = step(OPENCL, build);
        assertEquals(cpu.size(), cl.size());
        assertTrue(cpu.size() > 5, "three losses, td_error and the gradients");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, "entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), "entry " + i + "[" + j + "] (losses, td_error, then each parameter's gradient)");
            }
        }
    }

    /** REDQ with 5 critics grown from one (re-drawn from a seed on each device), a target one soft step behind, 3 of them for the target. */
    @Test
    void theRedqLossAndItsGradientsAreTheSameOnBothDevices() {
        assertSameOnBothDevices(nets -> {
            REDQLoss loss = REDQLoss.builder((ProbabilisticActor) nets.get(0), (ValueOperator) nets.get(1)).numQvalueNets(5).subSampleLen(3)
                    .generator(new Generator(21)).build();
            SoftUpdate updater = SoftUpdate.withTau(loss, 0.3);
            try (var g = org.rlgrad.engine.autograd.GradMode.noGrad()) {
                Generator noise = new Generator(22);
                for (Tensor p : loss.parameters()) p.addInPlace(noise.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
            }
            updater.step();
            return loss;
        });
    }

    @Test
    void theCrossQLossAndItsGradientsAreTheSameOnBothDevices() {
        assertSameOnBothDevices(nets -> CrossQLoss.builder((ProbabilisticActor) nets.get(0), (ValueOperator) nets.get(1)).numQvalueNets(3)
                .generator(new Generator(23)).lossFunction("l2").alphaInit(0.4).build());
    }
}
