package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.nn.BatchNorm1d;
import org.rlgrad.engine.nn.Dropout;
import org.rlgrad.engine.nn.Embedding;
import org.rlgrad.engine.nn.GRUCell;
import org.rlgrad.engine.nn.LayerNorm;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.nn.TransformerBlock;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Every nn layer forward and backward on the OpenCL device against the CPU, with the same
 * parameters (one module built twice from one seed, one copy moved) and the same inputs, within
 * float32 tolerance. The moved module must compute on the device only: its outputs and gradients
 * live there.
 */
class NnParityTest {
    static final Device CL = Device.opencl(0);
    static final double TOL = 2e-5;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
    }

    /** Builds the module twice, moves one to the device, runs both on {@code input}, compares outputs, input and parameter gradients. */
    static void parity(String name, Supplier<? extends Module> make, Function<Module, Function<Tensor, Tensor>> forward, Tensor input) {
        Module cpu = make.get(), cl = make.get();
        cl.to(CL);
        boolean grad = input.dtype().isFloating();
        Tensor xCpu = grad ? input.detach().clone().requiresGrad(true) : input;
        Tensor xCl = grad ? input.to(CL).detach().requiresGrad(true) : input.to(CL);
        Tensor yCpu = forward.apply(cpu).apply(xCpu), yCl = forward.apply(cl).apply(xCl);
        assertEquals(CL, yCl.device(), name + ": output on the device");
        assertArrayEquals(yCpu.toDoubleArray(), yCl.toDoubleArray(), TOL, name + ": forward");
        Tensor w = Tensor.of(DType.FLOAT32, sinWeights(yCpu.numel()), yCpu.shape());
        yCpu.mul(w).sum().backward();
        yCl.mul(w.to(CL)).sum().backward();
        if (grad) assertArrayEquals(xCpu.grad().toDoubleArray(), xCl.grad().toDoubleArray(), TOL, name + ": input gradient");
        List<String> keys = new ArrayList<>(cpu.namedParameters().keySet());
        for (String k : keys) {
            Tensor gc = cl.namedParameters().get(k).grad();
            assertEquals(CL, gc.device(), name + ": gradient of " + k + " on the device");
            assertArrayEquals(cpu.namedParameters().get(k).grad().toDoubleArray(), gc.toDoubleArray(), TOL, name + ": gradient of " + k);
        }
        for (Map.Entry<String, Tensor> b : cpu.namedBuffers().entrySet()) {
            assertArrayEquals(b.getValue().toDoubleArray(), cl.namedBuffers().get(b.getKey()).toDoubleArray(), TOL, name + ": buffer " + b.getKey());
        }
    }

    static double[] sinWeights(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = Math.sin(1 + 0.7 * i);
        return w;
    }

    static Tensor input(long seed, int... shape) {
        return new Generator(seed).normal(shape, DType.FLOAT32);
    }

    @Test
    void linearAndMlp() {
        parity("Linear", () -> new Linear(5, 3, true, DType.FLOAT32, new Generator(1)), m -> ((Linear) m)::forward, input(2, 4, 5));
        parity("MLP", () -> MLP.builder(5, 2).numCells(8).depth(2).activation(ReLU::new).layerNorm(true).generator(new Generator(3)).build(),
                m -> ((MLP) m)::forward, input(4, 6, 5));
    }

    @Test
    void normalisations() {
        parity("LayerNorm", () -> {
            LayerNorm ln = new LayerNorm(6);
            org.rlgrad.engine.nn.Init.normal_(ln.namedParameters().get("weight"), 1, 0.3, new Generator(5));
            return ln;
        }, m -> ((LayerNorm) m)::forward, input(6, 3, 6));
        parity("BatchNorm1d train", () -> new BatchNorm1d(4), m -> ((BatchNorm1d) m)::forward, input(7, 5, 4));
        parity("BatchNorm1d eval", () -> {
            BatchNorm1d bn = new BatchNorm1d(4);
            bn.forward(input(8, 6, 4));
            bn.eval();
            return bn;
        }, m -> ((BatchNorm1d) m)::forward, input(9, 3, 4, 2));
    }

    @Test
    void embeddingGruTransformerAndDropoutInEval() {
        parity("Embedding", () -> new Embedding(7, 3, DType.FLOAT32, new Generator(10)), m -> ((Embedding) m)::forward,
                Tensor.of(new long[] {0, 6, 2, 2, 5, 1}, 2, 3));
        Tensor h = input(12, 3, 4);
        parity("GRUCell", () -> new GRUCell(5, 4, true, DType.FLOAT32, new Generator(11)),
                m -> x -> ((GRUCell) m).forward(x, h.to(x.device())), input(13, 3, 5));
        parity("TransformerBlock", () -> new TransformerBlock(8, 2, 16, 0.1, true, DType.FLOAT32, new Generator(14)).eval(),
                m -> ((TransformerBlock) m)::forward, input(15, 2, 5, 8));
        parity("Dropout eval", () -> new Dropout(0.3).eval(), m -> ((Dropout) m)::forward, input(16, 4, 3));
    }
}
