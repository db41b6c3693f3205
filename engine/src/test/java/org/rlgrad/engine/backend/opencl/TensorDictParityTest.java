package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.tensordict.TensorDictVmap;
import org.rlgrad.engine.vmap.Randomness;

/**
 * TensorDict operations on an OpenCL device against the same on the CPU: every result leaf stays
 * on the device (nothing is made on the default device) and equals the CPU's.
 */
class TensorDictParityTest {
    private static final Device CL = Device.opencl(0);

    @BeforeAll
    static void device() {
        ClTestDevice.require();
    }

    private static Tensor seq(double offset, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = offset + 0.5 * i;
        return Tensor.of(DType.FLOAT32, v, shape);
    }

    private static TensorDict host() {
        TensorDict td = new TensorDict(2, 3);
        td.set("observation", seq(0, 2, 3, 4));
        td.set("action", seq(10, 2, 3, 2));
        td.set(Key.of("next", "observation"), seq(20, 2, 3, 4));
        td.set(Key.of("next", "reward"), seq(30, 2, 3, 1));
        td.set(Key.of("next", "done"), Tensor.of(new boolean[] {false, true, false, false, false, true}, 2, 3, 1));
        td.set("agents", TensorDict.of(new int[] {2, 3, 2}, "q", seq(40, 2, 3, 2, 5)));
        return td;
    }

    /** The same operation on the CPU dict and its device copy: equal batch sizes, keys and leaves, device leaves on the device. */
    private static void same(String what, UnaryOperator<TensorDict> op) {
        TensorDict cpu = host();
        TensorDict dev = cpu.to(CL);
        assertEquals(CL, dev.device(), what + ": copied to the device");
        TensorDict expected = op.apply(cpu), got = op.apply(dev);
        assertArrayEquals(expected.batchSize(), got.batchSize(), what + ": batch size");
        assertEquals(expected.keys(true, false), got.keys(true, false), what + ": keys");
        for (Map.Entry<Key, Tensor> e : expected.leaves().entrySet()) {
            Tensor g = got.get(e.getKey());
            assertEquals(CL, g.device(), what + ": " + e.getKey() + " stays on the device");
            sameTensor(what + " " + e.getKey(), e.getValue(), g);
        }
    }

    private static void sameTensor(String what, Tensor expected, Tensor got) {
        assertEquals(expected.dtype(), got.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 1e-5, what + ": values");
    }

    private static Tensor onDeviceOf(TensorDict td, Tensor host) {
        return host.to(td.device());
    }

    @Test
    void indexingSlicingAndMasks() {
        same("index", td -> td.index(1));
        same("index last", td -> td.indexLast(-1));
        same("slice", td -> td.slice(1, 1, null, 1));
        same("bool mask", td -> td.mask(onDeviceOf(td, Tensor.of(new boolean[] {true, false, true, false, true, true}, 2, 3))));
        same("index tensor", td -> td.index(onDeviceOf(td, Tensor.of(new long[] {1, 0, 1}, 3))));
    }

    @Test
    void joiningAndReshaping() {
        same("stack", td -> TensorDict.stack(List.of(td, td.apply(t -> t.dtype().isFloating() ? t.neg() : t)), 1));
        same("cat", td -> TensorDict.cat(td.split(new int[] {1, 2}, 1), 1));
        same("reshape", td -> td.reshape(6));
        same("transpose then reshape", td -> td.transpose(0, 1).reshape(-1));
        same("expand", td -> td.expand(2, 2, 3));
        same("unsqueeze", td -> td.unsqueeze(0));
        same("tensorSplit", td -> td.tensorSplit(2, 1).get(0));
    }

    @Test
    void creationMaskingAndReductions() {
        same("newZeros", td -> td.newZeros(4));
        Tensor cond = Tensor.of(new boolean[] {true, false, false, true, true, false}, 2, 3);
        same("where", td -> td.where(onDeviceOf(td, cond), td.newZeros(2, 3)));
        same("maskedFill", td -> td.maskedFill(onDeviceOf(td, cond), -1));
        same("sum over features", td -> td.select("observation", "agents").sumFeatures());
        TensorDict cpu = host().select("observation", "action", "agents");
        Tensor expected = cpu.sumFeaturesReduced(), got = cpu.to(CL).sumFeaturesReduced();
        assertEquals(CL, got.device());
        sameTensor("sum with reduce", expected, got);
    }

    @Test
    void nextViewAndVmap() {
        same("next view", TensorDict::nextView);
        same("step mdp", TensorDict::stepMdp);
        // An ensemble of 3 linear critics over the "observation" leaf, pattern N0.
        TensorDict params = TensorDict.of(new int[] {3}, "weight", seq(-3, 3, 2, 4).mul(0.1), "bias", seq(1, 3, 2));
        BiFunction<TensorDict, TensorDict, TensorDict> critic = (p, d) -> {
            TensorDict out = new TensorDict(d.batchSize());
            out.set("state_value", d.get("observation").matmul(p.get("weight").mT()).add(p.get("bias")));
            return out;
        };
        BiFunction<TensorDict, TensorDict, TensorDict> mapped = TensorDictVmap.vmap(critic, 0, null, 0, Randomness.ERROR);
        TensorDict data = host();
        TensorDict expected = mapped.apply(params, data);
        TensorDict got = mapped.apply(params.to(CL), data.to(CL));
        assertArrayEquals(new int[] {3, 2, 3}, got.batchSize());
        assertEquals(CL, got.get("state_value").device());
        sameTensor("TD vmap", expected.get("state_value"), got.get("state_value"));
    }
}
