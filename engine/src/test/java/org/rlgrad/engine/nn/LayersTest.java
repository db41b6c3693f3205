package org.rlgrad.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;
import org.rlgrad.engine.vmap.RandomModules;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.engine.vmap.Vmap;

/**
 * Each layer against torch's outputs (the fixture) or hand-worked values, and float64
 * finite-difference gradients with respect to inputs and parameters.
 */
class LayersTest {
    static final DType F64 = DType.FLOAT64;

    static void close(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol);
    }

    static <M extends Module> M loaded(M m, String prefix, String... exclude) {
        m.to(F64);
        m.loadStateDict(NnFixture.stateOf(prefix, exclude), true);
        return m;
    }

    static Generator gen() {
        return new Generator(7);
    }

    // ------------------------------------------------------------------ against torch

    @Test
    void linearMatchesTorch() {
        Linear l = loaded(new Linear(3, 2), "linear", "input", "output");
        close(NnFixture.get("linear.output"), l.forward(NnFixture.get("linear.input")), 1e-12);
    }

    @Test
    void mlpMatchesTorchWithTorchRlKeys() {
        MLP mlp = MLP.builder(3, 2).numCells(5, 4).dtype(F64).build();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), new ArrayList<>(mlp.stateDict().keySet()));
        loaded(mlp, "mlp", "input", "output");
        close(NnFixture.get("mlp.output"), mlp.forward(NnFixture.get("mlp.input")), 1e-12);
    }

    @Test
    void layerNormMatchesTorch() {
        LayerNorm ln = loaded(new LayerNorm(5), "layernorm", "input", "output");
        close(NnFixture.get("layernorm.output"), ln.forward(NnFixture.get("layernorm.input")), 1e-12);
    }

    @Test
    void batchNormTrainingUpdatesRunningStatsAsTorchThenEvalUsesThem() {
        BatchNorm1d bn = loaded(new BatchNorm1d(3), "batchnorm", "input", "input_eval", "output_train", "output_eval", "after");
        bn.train();
        close(NnFixture.get("batchnorm.output_train"), bn.forward(NnFixture.get("batchnorm.input")), 1e-12);
        close(NnFixture.get("batchnorm.after.running_mean"), bn.namedBuffers().get("running_mean"), 1e-12);
        close(NnFixture.get("batchnorm.after.running_var"), bn.namedBuffers().get("running_var"), 1e-12);
        assertEquals(1, bn.namedBuffers().get("num_batches_tracked").longItem());
        bn.eval();
        close(NnFixture.get("batchnorm.output_eval"), bn.forward(NnFixture.get("batchnorm.input_eval")), 1e-12);
        assertEquals(1, bn.namedBuffers().get("num_batches_tracked").longItem(), "eval does not count batches");
    }

    @Test
    void batchNormRejectsOneValuePerChannelInTraining() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(1, 3)));
        assertTrue(e.getMessage().contains("more than 1 value per channel"), e.getMessage());
    }

    @Test
    void embeddingMatchesTorch() {
        Embedding emb = loaded(new Embedding(6, 3), "embedding", "input", "output");
        close(NnFixture.get("embedding.output"), emb.forward(NnFixture.get("embedding.input")), 0);
    }

    @Test
    void gruCellMatchesTorch() {
        GRUCell gru = loaded(new GRUCell(3, 4), "gru", "input", "hidden", "output");
        close(NnFixture.get("gru.output"), gru.forward(NnFixture.get("gru.input"), NnFixture.get("gru.hidden")), 1e-12);
    }

    @Test
    void geluBothFormsMatchTorch() {
        Tensor x = NnFixture.get("gelu.input");
        close(NnFixture.get("gelu.output_erf"), new GELU().forward(x), 1e-12);
        close(NnFixture.get("gelu.output_tanh"), new GELU(true).forward(x), 1e-12);
    }

    @Test
    void transformerBlockMatchesTorch() {
        TransformerBlock block = loaded(new TransformerBlock(6, 2), "block", "input", "output");
        close(NnFixture.get("block.output"), block.forward(NnFixture.get("block.input")), 1e-12);
    }

    // ------------------------------------------------------------------ hand-worked

    @Test
    void activationsAgainstFormulas() {
        Tensor x = Tensor.of(F64, new double[] {-2, -0.5, 0, 0.5, 2}, 5);
        double[] v = x.toDoubleArray();
        double[] relu = new double[5], tanh = new double[5], elu = new double[5], leaky = new double[5], sig = new double[5], silu = new double[5];
        for (int i = 0; i < 5; i++) {
            relu[i] = Math.max(v[i], 0);
            tanh[i] = Math.tanh(v[i]);
            elu[i] = v[i] > 0 ? v[i] : 0.7 * Math.expm1(v[i]);
            leaky[i] = v[i] >= 0 ? v[i] : 0.2 * v[i];
            sig[i] = 1 / (1 + Math.exp(-v[i]));
            silu[i] = v[i] * sig[i];
        }
        assertArrayEquals(relu, new ReLU().forward(x).toDoubleArray(), 1e-15);
        assertArrayEquals(tanh, new Tanh().forward(x).toDoubleArray(), 1e-15);
        assertArrayEquals(elu, new ELU(0.7).forward(x).toDoubleArray(), 1e-15);
        assertArrayEquals(leaky, new LeakyReLU(0.2).forward(x).toDoubleArray(), 1e-15);
        assertArrayEquals(sig, new Sigmoid().forward(x).toDoubleArray(), 1e-15);
        assertArrayEquals(silu, new SiLU().forward(x).toDoubleArray(), 1e-15);
    }

    @Test
    void linearHandWorked() {
        Linear l = new Linear(2, 1, true, F64, gen());
        l.loadStateDict(java.util.Map.of("weight", Tensor.of(F64, new double[] {2, -1}, 1, 2), "bias", Tensor.of(F64, new double[] {0.5}, 1)), true);
        // [3, 4] . [2, -1] + 0.5 = 2.5
        assertEquals(2.5, l.forward(Tensor.of(F64, new double[] {3, 4}, 2)).item(), 0);
    }

    @Test
    void gruCellHandWorkedWithZeroWeights() {
        // All weights 0 and biases b: r = z = sigmoid(2b_r), n = tanh(b_in + r b_hn), h' = (1 - z) n + z h.
        GRUCell g = new GRUCell(1, 1, true, F64, gen());
        g.loadStateDict(java.util.Map.of(
                "weight_ih", Tensor.zeros(F64, 3, 1), "weight_hh", Tensor.zeros(F64, 3, 1),
                "bias_ih", Tensor.of(F64, new double[] {0.1, 0.2, 0.3}, 3), "bias_hh", Tensor.of(F64, new double[] {0.4, 0.5, 0.6}, 3)), true);
        double r = 1 / (1 + Math.exp(-0.5)), z = 1 / (1 + Math.exp(-0.7)), n = Math.tanh(0.3 + r * 0.6), h = 0.9;
        assertEquals((1 - z) * n + z * h, g.forward(Tensor.of(F64, new double[] {5}, 1, 1), Tensor.of(F64, new double[] {h}, 1, 1)).item(), 1e-15);
    }

    @Test
    void attentionIsCausal() {
        CausalSelfAttention a = new CausalSelfAttention(4, 2, 0, F64, gen());
        Tensor x = new Generator(3).normal(new int[] {5, 4}, F64);
        Tensor y = a.forward(x);
        // Changing the last position changes only the last output row.
        Tensor x2 = Tensor.cat(List.of(x.narrow(0, 0, 4), x.narrow(0, 4, 1).add(1)), 0);
        Tensor y2 = a.forward(x2);
        close(y.narrow(0, 0, 4), y2.narrow(0, 0, 4), 1e-15);
        assertNotEquals(y.select(0, 4).toDoubleArray()[0], y2.select(0, 4).toDoubleArray()[0]);
    }

    @Test
    void dropoutMasksScalesAndIsIdentityInEval() {
        assertTrue(RandomModules.isRandom(new Dropout(0.5)));
        assertTrue(RandomModules.isRandom(MLP.builder(2, 2).dropout(0.1).build().get(1)));
        Dropout d = new Dropout(0.25).randomSource(new Generator(11));
        Tensor x = Tensor.ones(F64, 4000);
        double[] y = d.forward(x).toDoubleArray();
        int kept = 0;
        for (double v : y) {
            assertTrue(v == 0 || Math.abs(v - 1 / 0.75) < 1e-15, "value " + v);
            if (v != 0) kept++;
        }
        assertEquals(0.75, kept / 4000.0, 0.03);
        // The mask is the uniforms below 1 - p of the same stream.
        double[] u = new Generator(11).uniform(new int[] {4000}, F64).toDoubleArray();
        for (int i = 0; i < u.length; i++) assertEquals(u[i] < 0.75, y[i] != 0, "element " + i);
        d.eval();
        assertTrue(d.forward(x) == x);
        // Eval draws nothing, so it is allowed in vmap's ERROR mode; training mode is not.
        Tensor batch = Tensor.ones(F64, 3, 4);
        close(batch, Vmap.vmap(d, Randomness.ERROR).apply(batch), 0);
        d.train();
        assertThrows(RuntimeException.class, () -> Vmap.vmap(d, Randomness.ERROR).apply(batch));
    }

    @Test
    void embeddingGradientGoesToTheRowsUsed() {
        Embedding emb = new Embedding(4, 2, F64, gen());
        emb.forward(Tensor.of(new long[] {1, 1, 3}, 3)).sum().backward();
        assertArrayEquals(new double[] {0, 0, 2, 2, 0, 0, 1, 1}, emb.parameters().get(0).grad().toDoubleArray(), 0);
    }

    @Test
    void mlpStructureFollowsTorchRl() {
        MLP m = MLP.builder(3, 2).depth(2).numCells(8).activation(ReLU::new).activateLastLayer(true).layerNorm(true).dropout(0.1).build();
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) kinds.add(m.get(i).getClass().getSimpleName());
        assertEquals(List.of("Linear", "Dropout", "LayerNorm", "ReLU", "Linear", "Dropout", "LayerNorm", "ReLU", "Linear", "Dropout", "LayerNorm", "ReLU"), kinds);
        MLP d = MLP.builder(3, 2).build();
        assertArrayEquals(new int[] {32, 32, 32}, d.numCells());
        assertEquals(Tanh.class, d.get(1).getClass());
        assertEquals(7, d.size());
        assertThrows(IllegalArgumentException.class, () -> MLP.builder(3, 2).depth(3).numCells(4, 4).build());
    }

    // ------------------------------------------------------------------ gradients

    /** Checks d(layer(x)) w.r.t. the input and every parameter, through a functional call. */
    static void gradCheck(String name, Module m, java.util.function.Function<Tensor, Tensor> forward, Tensor x) {
        List<String> keys = new ArrayList<>(m.namedParameters().keySet());
        Tensor[] at = new Tensor[keys.size() + 1];
        at[0] = x;
        for (int i = 0; i < keys.size(); i++) at[i + 1] = m.namedParameters().get(keys.get(i)).detach().clone();
        GradientCheck.of(name, xs -> {
            java.util.Map<String, Tensor> p = new java.util.LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) p.put(keys.get(i), xs.get(i + 1));
            return m.functionalCall(p, () -> forward.apply(xs.get(0)));
        }).at(at).check();
    }

    @Test
    void gradientsOfLinearMlpAndActivations() {
        Generator g = new Generator(5);
        Linear lin = new Linear(3, 2, true, F64, g);
        gradCheck("Linear", lin, lin::forward, g.normal(new int[] {2, 3}, F64));
        MLP mlp = MLP.builder(3, 2).numCells(4).depth(1).activation(ELU::new).layerNorm(true).dtype(F64).generator(g).build();
        gradCheck("MLP", mlp, mlp::forward, g.normal(new int[] {2, 3}, F64));
        for (UnaryModule act : List.of(new Tanh(), new Sigmoid(), new SiLU(), new GELU(), new GELU(true), new ELU(0.5), new LeakyReLU(0.1), new ReLU())) {
            gradCheck(act.toString(), act, act::forward, g.normal(new int[] {7}, F64).add(0.05));
        }
    }

    @Test
    void gradientsOfNormalisations() {
        Generator g = new Generator(6);
        LayerNorm ln = new LayerNorm(new int[] {2, 3}, 1e-5, true, F64);
        Init.normal_(ln.namedParameters().get("weight"), 1, 0.5, g);
        gradCheck("LayerNorm", ln, ln::forward, g.normal(new int[] {2, 2, 3}, F64));
        BatchNorm1d bn = new BatchNorm1d(3, 1e-5, 0.1, true, true, DType.FLOAT64);
        Init.normal_(bn.namedParameters().get("weight"), 1, 0.5, g);
        gradCheck("BatchNorm1d train", bn, bn::forward, g.normal(new int[] {4, 3}, F64));
        gradCheck("BatchNorm1d train 3d", bn, bn::forward, g.normal(new int[] {2, 3, 2}, F64));
        bn.eval();
        gradCheck("BatchNorm1d eval", bn, bn::forward, g.normal(new int[] {4, 3}, F64));
    }

    @Test
    void gradientsOfRecurrentAndAttentionLayers() {
        Generator g = new Generator(8);
        GRUCell gru = new GRUCell(3, 2, true, F64, g);
        Tensor h = g.normal(new int[] {2, 2}, F64);
        gradCheck("GRUCell", gru, x -> gru.forward(x, h), g.normal(new int[] {2, 3}, F64));
        GradientCheck.of("GRUCell wrt h", xs -> gru.forward(Tensor.ones(F64, 2, 3), xs.get(0))).at(h).check();
        TransformerBlock block = new TransformerBlock(4, 2, 8, 0, true, F64, g);
        for (Tensor p : block.parameters()) Init.normal_(p, 0, 0.5, g);
        gradCheck("TransformerBlock", block, block::forward, g.normal(new int[] {2, 3, 4}, F64));
        CausalTransformer tr = new CausalTransformer(4, 1, 2, 5, 0, F64, g);
        gradCheck("CausalTransformer", tr, tr::forward, g.normal(new int[] {3, 4}, F64));
        Embedding emb = new Embedding(4, 2, F64, g);
        Tensor idx = Tensor.of(new long[] {3, 0, 3}, 3);
        GradientCheck.of("Embedding", xs -> emb.functionalCall(java.util.Map.of("weight", xs.get(0)), () -> emb.forward(idx)))
                .at(emb.namedParameters().get("weight").detach().clone()).check();
    }

    @Test
    void dropoutGradientIsTheScaledMask() {
        Dropout d = new Dropout(0.5).randomSource(new Generator(2));
        Tensor x = Tensor.ones(F64, 50).requiresGrad(true);
        Tensor y = d.forward(x);
        y.sum().backward();
        close(y.detach(), x.grad(), 0);
    }
}
