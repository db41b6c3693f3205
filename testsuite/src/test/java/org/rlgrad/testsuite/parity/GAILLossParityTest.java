package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Sigmoid;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.GAILLoss;
import org.rlgrad.testsuite.conformance.ConformanceRunner;
import org.rlgrad.testsuite.conformance.Summary;

/**
 * GAILLoss on the OpenCL backend: its public conformance cases (float64, the gradient-penalty ones
 * included, so second-order gradients run on the device) pass there too, and a float32 forward
 * and backward pass with every tensor made on the device gives the CPU's loss, penalty and
 * discriminator gradients within float32 tolerance, for a flat and a {@code [B, T]} batch, with
 * and without the penalty. The penalty's noise comes from the same seeded generator on both
 * devices (OpenClParityTest checks that it draws the same numbers). Skipped without an OpenCL
 * device outside CI, as {@link OpenClParityTest}.
 */
class GAILLossParityTest {
    private static final int OBS = 3, ACTION = 2;

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    @Test
    void thePublicGailCasesPassOnOpenCl() throws Exception {
        Path dir = Path.of(GAILLossParityTest.class.getResource("/reference/losses.json").toURI()).getParent();
        Pattern filter = Pattern.compile("^GAILLoss/");
        Summary.FamilyResult cpu = on(Device.CPU, () -> conformance(dir, filter)), cl = on(OpenClParityTest.OPENCL, () -> conformance(dir, filter));
        assertEquals(0, cl.failed(), () -> cl.failed() + " cases fail on OpenCL:\n" + cl.failures().stream().map(f -> f.id() + ": " + f.reason())
                .collect(Collectors.joining("\n")));
        assertEquals(cpu.passed(), cl.passed(), "the same cases pass on both devices");
        assertTrue(cl.passed() >= 4, "the four public GAIL cases (two with the penalty), ran " + cl.passed());
    }

    private static Summary.FamilyResult conformance(Path dir, Pattern filter) {
        try {
            return new ConformanceRunner().run(dir, filter, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).family("losses");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<double[]> step(Device device, boolean penalty, int... batch) {
        return on(device, () -> {
            Generator g = new Generator(43);
            MLP mlp = MLP.builder(OBS + ACTION, 1).numCells(16).depth(2).generator(new Generator(9)).build();
            Sequential net = new Sequential(mlp, new Sigmoid());
            ValueOperator d = new ValueOperator(net, (positional, named) -> net.forward(Tensor.cat(positional, -1)), List.of("observation", "action"),
                    List.of("d_logits"));
            GAILLoss loss = GAILLoss.builder(d).useGradPenalty(penalty).build();
            loss.setRandomSource(new Generator(17));
            TensorDict td = new TensorDict(batch);
            td.set("observation", g.normal(shape(batch, OBS), DType.FLOAT32));
            td.set("action", g.uniform(shape(batch, ACTION), DType.FLOAT32).mul(2).sub(1));
            td.set("collector_observation", g.normal(shape(batch, OBS), DType.FLOAT32));
            td.set("collector_action", g.uniform(shape(batch, ACTION), DType.FLOAT32).mul(2).sub(1));
            TensorDict out = loss.forward(td);
            Tensor l = out.get("loss");
            assertEquals(device, l.device(), "the loss stays on the inputs' device");
            l.backward();
            List<double[]> result = new ArrayList<>();
            result.add(new double[] {l.item()});
            if (penalty) result.add(new double[] {out.get("gp_loss").item()});
            for (Tensor p : loss.parameters()) result.add(p.grad().toDoubleArray());
            return result;
        });
    }

    private static int[] shape(int[] batch, int last) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 1);
        s[batch.length] = last;
        return s;
    }

    @Test
    void theLossThePenaltyAndTheGradientsAreTheSameOnBothDevices() {
        for (int[] batch : List.of(new int[] {6}, new int[] {3, 4})) {
            for (boolean penalty : List.of(false, true)) {
                String what = java.util.Arrays.toString(batch) + (penalty ? " with the penalty" : "");
                List<double[]> cpu = step(Device.CPU, penalty, batch), cl = step(OpenClParityTest.OPENCL, penalty, batch);
                assertEquals(cpu.size(), cl.size(), what);
                if (penalty) assertTrue(cpu.get(1)[0] > 1e-3, what + ": a vanishing penalty would check nothing, got " + cpu.get(1)[0]);
                for (int i = 0; i < cpu.size(); i++) {
                    double scale = 0;
                    for (double v : cpu.get(i)) scale = Math.max(scale, Math.abs(v));
                    assertArrayEquals(cpu.get(i), cl.get(i), 1e-4 * Math.max(1, scale), what + " entry " + i);
                }
            }
        }
    }
}
