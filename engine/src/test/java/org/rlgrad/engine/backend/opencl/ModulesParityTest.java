package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.vmap.Randomness;

/**
 * The TensorDict modules on the OpenCL device against the CPU: each module built twice from one
 * seed, one copy moved with {@code module.to(device)}, run on the same data ({@code td.to(device)}),
 * outputs and parameter gradients compared within float32 tolerance. Outputs must live on the
 * device: a module that made a tensor on the default device would fail there or here.
 */
class ModulesParityTest {
    static final Device CL = Device.opencl(0);
    static final double TOL = 2e-5;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
    }

    static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(8).depth(2).activation(ReLU::new).generator(new Generator(seed)).build();
    }

    static TensorDict observations(long seed, int b) {
        return TensorDict.of(new int[] {b}, "observation", new Generator(seed).normal(new int[] {b, 3}, DType.FLOAT32),
                "action", new Generator(seed + 1).normal(new int[] {b, 2}, DType.FLOAT32));
    }

    static void compare(TensorDict cpu, TensorDict cl, List<Key> keys, String what) {
        for (Key k : keys) {
            assertEquals(CL, cl.get(k).device(), what + ": " + k + " on the device");
            assertArrayEquals(cpu.get(k).toDoubleArray(), cl.get(k).toDoubleArray(), TOL, what + ": " + k);
        }
    }

    static void compareGradients(TensorDictModuleBase cpu, TensorDictModuleBase cl, String what) {
        for (String k : cpu.namedParameters().keySet()) {
            Tensor g = cl.namedParameters().get(k).grad();
            assertEquals(CL, g.device(), what + ": gradient of " + k + " on the device");
            assertArrayEquals(cpu.namedParameters().get(k).grad().toDoubleArray(), g.toDoubleArray(), TOL, what + ": gradient of " + k);
        }
    }

    static ProbabilisticActor tanhActor(long seed) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(3, 4, seed), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule()).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                .distribution(DistributionFactory.TANH_NORMAL).returnLogProb(true));
    }

    @Test
    void tanhNormalActorDeterministicAndRandom() {
        for (InteractionType type : List.of(InteractionType.DETERMINISTIC, InteractionType.RANDOM)) {
            ProbabilisticActor cpu = tanhActor(1), cl = tanhActor(1);
            cl.to(CL);
            // The same seed on both: the counter-based generator gives the same noise on every backend.
            ((ProbabilisticTensorDictModule) cpu.sequence().get(1)).randomSource(new Generator(5));
            ((ProbabilisticTensorDictModule) cl.sequence().get(1)).randomSource(new Generator(5));
            TensorDict a, b;
            try (var s = InteractionType.set(type)) {
                a = cpu.forward(observations(2, 6));
                b = cl.forward(observations(2, 6).to(CL));
            }
            compare(a, b, List.of(Key.of("loc"), Key.of("scale"), Key.of("action"), Key.of("action_log_prob")), "TanhNormal actor " + type);
            a.get("action_log_prob").sum().backward();
            b.get("action_log_prob").sum().backward();
            compareGradients(cpu, cl, "TanhNormal actor " + type);
        }
    }

    @Test
    void qValueActor() {
        Supplier<QValueActor> make = () -> new QValueActor(mlp(3, 4, 7), QValueModule.builder("one_hot").build());
        QValueActor cpu = make.get(), cl = make.get();
        cl.to(CL);
        TensorDict a = cpu.forward(observations(3, 5)), b = cl.forward(observations(3, 5).to(CL));
        compare(a, b, List.of(Key.of("action_value"), Key.of("action"), Key.of("chosen_action_value")), "QValueActor");
        a.get("chosen_action_value").sum().backward();
        b.get("chosen_action_value").sum().backward();
        compareGradients(cpu, cl, "QValueActor");
        QValueModule masked = QValueModule.builder("categorical").actionMaskKey("mask").build();
        TensorDict td = TensorDict.of(new int[] {2}, "action_value", Tensor.of(new float[] {1, 5, 2, 3, 0, 9}, 2, 3),
                "mask", Tensor.of(new boolean[] {true, false, true, true, true, false}, 2, 3));
        TensorDict ma = masked.forward(td.copy()), mb = masked.forward(td.to(CL));
        compare(ma, mb, List.of(Key.of("action"), Key.of("action_value"), Key.of("chosen_action_value")), "masked categorical");
    }

    static ValueOperator critic(long seed) {
        MLP net = mlp(5, 1, seed);
        return new ValueOperator(net, TensorFunction.of((o, a) -> net.forward(Tensor.cat(List.of(o, a), -1))), List.of("observation", "action"), null);
    }

    @Test
    void valueOperatorAndEnsemble() {
        ValueOperator cpu = critic(11), cl = critic(11);
        cl.to(CL);
        TensorDict a = cpu.forward(observations(4, 7)), b = cl.forward(observations(4, 7).to(CL));
        compare(a, b, List.of(Key.of("state_action_value")), "ValueOperator");
        a.get("state_action_value").sum().backward();
        b.get("state_action_value").sum().backward();
        compareGradients(cpu, cl, "ValueOperator");

        EnsembleModule ecpu = EnsembleModule.fromModules(List.of(critic(12), critic(13), critic(14)), Randomness.ERROR);
        EnsembleModule ecl = EnsembleModule.fromModules(List.of(critic(12), critic(13), critic(14)), Randomness.ERROR);
        ecl.to(CL);
        TensorDict ea = ecpu.forward(observations(5, 4)), eb = ecl.forward(observations(5, 4).to(CL));
        compare(ea, eb, List.of(Key.of("state_action_value")), "ensemble N0");
        ea.get("state_action_value").sum().backward();
        eb.get("state_action_value").sum().backward();
        compareGradients(ecpu, ecl, "ensemble N0");
    }
}
