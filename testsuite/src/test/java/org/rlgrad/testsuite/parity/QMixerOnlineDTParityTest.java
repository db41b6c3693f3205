package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Mixer;
import org.rlgrad.engine.nn.QMixer;
import org.rlgrad.engine.nn.VDNMixer;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.OnlineDTLoss;
import org.rlgrad.losses.QMixerLoss;
import org.rlgrad.losses.SoftUpdate;

/**
 * CPU-versus-OpenCL parity of QMixerLoss (VDN and QMIX mixers, with targets moved away from the
 * online networks) and OnlineDTLoss (a TanhNormal actor over a {@code [B, T]} batch, two
 * Monte-Carlo entropy draws from a seeded counter-based generator, which gives the same numbers on
 * both devices), each built, fed and run with every tensor on one device (float32): the losses,
 * metrics, the priority QMixer writes and the gradient of every trainable parameter (log α
 * included) agree within float32 tolerance. Skipped without an OpenCL device outside CI, as
 * {@link OpenClParityTest}.
 */
class QMixerOnlineDTParityTest {
    private static final int B = 6, T = 4, AGENTS = 3, OBS = 3, ACTIONS = 4, STATE = 5, ACT = 2;

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    private static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(6).depth(1).generator(new Generator(seed)).build();
    }

    private static QMixerLoss qmixer(boolean qmix) {
        QValueActor local = new QValueActor(mlp(OBS, ACTIONS, 1), List.of(Key.of("agents", "observation")), QValueModule.builder("one_hot")
                .actionValueKey(Key.of("agents", "action_value")).outKeys(Key.of("agents", "action"), Key.of("agents", "action_value"),
                        Key.of("agents", "chosen_action_value")).build());
        Mixer mixer = qmix ? new QMixer(new int[] {STATE}, 4, AGENTS, DType.FLOAT32, new Generator(2)) : new VDNMixer(AGENTS);
        return QMixerLoss.builder(local, mixer).lossFunction("smooth_l1").build();
    }

    /** B transitions of AGENTS agents on the default device; row 2 is terminated, row 4 only truncated. */
    private static TensorDict agentsBatch() {
        Generator g = new Generator(31);
        TensorDict agents = new TensorDict(B, AGENTS);
        agents.set("observation", g.normal(new int[] {B, AGENTS, OBS}, DType.FLOAT32));
        agents.set("action", g.uniform(new int[] {B, AGENTS}, DType.FLOAT32).mul(ACTIONS).floor().toLong().oneHot(ACTIONS));
        TensorDict nextAgents = new TensorDict(B, AGENTS);
        nextAgents.set("observation", g.normal(new int[] {B, AGENTS, OBS}, DType.FLOAT32));
        TensorDict td = new TensorDict(B);
        td.set("agents", agents);
        td.set("state", g.normal(new int[] {B, STATE}, DType.FLOAT32));
        td.set(Key.of("next", "agents"), nextAgents);
        td.set(Key.of("next", "state"), g.normal(new int[] {B, STATE}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {B, 1}, DType.FLOAT32).mul(2));
        boolean[] terminated = new boolean[B], done = new boolean[B];
        terminated[2] = done[2] = true;
        done[4] = true;
        td.set(Key.of("next", "terminated"), Tensor.of(terminated, B, 1));
        td.set(Key.of("next", "done"), Tensor.of(done, B, 1));
        return td;
    }

    /** Targets one soft step away from the online networks, so that reading the wrong tree shows. */
    private static void moveTargets(LossModule loss) {
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.3);
        Generator g = new Generator(5);
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) p.addInPlace(g.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
        }
        updater.step();
    }

    private static ProbabilisticActor tanhNormalActor() {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * ACT, 3), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
    }

    private static TensorDict sequenceBatch() {
        Generator g = new Generator(41);
        TensorDict td = new TensorDict(B, T);
        td.set("observation", g.normal(new int[] {B, T, OBS}, DType.FLOAT32));
        td.set("action", g.uniform(new int[] {B, T, ACT}, DType.FLOAT32).mul(1.8).sub(0.9));
        return td;
    }

    /** Every loss entry, the metrics, the written priority (if any), then the gradient of every parameter, all computed on {@code device}. */
    private static List<double[]> step(Device device, Supplier<LossModule> build, boolean delayed, Supplier<TensorDict> data, List<String> metrics) {
        return on(device, () -> {
            LossModule loss = build.get();
            if (delayed) moveTargets(loss);
            TensorDict td = data.get();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            total.backward();
            List<double[]> values = new ArrayList<>();
            for (Key k : LossOutputs.lossKeys(out)) values.add(out.get(k).toDoubleArray());
            for (String m : metrics) values.add(out.get(m).toDoubleArray());
            if (td.contains("td_error")) {
                assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
                values.add(td.get("td_error").toDoubleArray());
            }
            for (Tensor p : loss.parameters()) values.add(p.grad().toDoubleArray());
            return values;
        });
    }

    private static void assertSameOnBothDevices(String what, Supplier<LossModule> build, boolean delayed, Supplier<TensorDict> data, List<String> metrics,
                                                int atLeast) {
        List<double[]> cpu = step(Device.CPU, build, delayed, data, metrics), cl = step(OpenClParityTest.OPENCL, build, delayed, data, metrics);
        assertEquals(cpu.size(), cl.size(), what);
        assertTrue(cpu.size() >= atLeast, what + ": losses, metrics, priorities and gradients, got " + cpu.size() + " entries");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what + " entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what + " entry " + i + "[" + j + "] (losses, metrics, td_error, then gradients)");
            }
        }
    }

    @Test
    void vdnAndItsGradientsAreTheSameOnBothDevices() {
        // loss, td_error, 4 local-network tensors
        assertSameOnBothDevices("QMixer VDN", () -> qmixer(false), true, QMixerOnlineDTParityTest::agentsBatch, List.of(), 6);
    }

    @Test
    void qmixAndItsGradientsAreTheSameOnBothDevices() {
        // loss, td_error, 4 local-network tensors, 10 mixer tensors
        assertSameOnBothDevices("QMixer QMIX", () -> qmixer(true), true, QMixerOnlineDTParityTest::agentsBatch, List.of(), 16);
    }

    @Test
    void onlineDtAndItsGradientsAreTheSameOnBothDevices() {
        // three losses, alpha, entropy, 4 actor tensors, log_alpha
        assertSameOnBothDevices("OnlineDT", () -> OnlineDTLoss.builder(tanhNormalActor()).alphaInit(0.4).targetEntropy(-2.0).samplesMcEntropy(2).build()
                .setRandomSource(new Generator(77)), false, QMixerOnlineDTParityTest::sequenceBatch, List.of("alpha", "entropy"), 10);
    }
}
