package org.rlgrad.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** Names, modes, state dicts, the functional call, holding parameters out, moves. */
class ModuleTest {
    static final DType F64 = DType.FLOAT64;

    /** A module with a nested child list, to check dotted names. */
    static final class Net extends UnaryModule {
        final Sequential layers;
        final BatchNorm1d norm;

        Net() {
            Generator g = new Generator(1);
            layers = registerModule("layers", new Sequential(new Linear(3, 4, true, F64, g), new Tanh(), new Linear(4, 2, false, F64, g)));
            norm = registerModule("norm", new BatchNorm1d(2, 1e-5, 0.1, true, true, F64));
        }

        @Override
        public Tensor forward(Tensor x) {
            return norm.forward(layers.forward(x));
        }
    }

    @Test
    void hierarchicalNamesAsPyTorch() {
        Net n = new Net();
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "norm.weight", "norm.bias"), List.copyOf(n.namedParameters().keySet()));
        assertEquals(List.of("norm.running_mean", "norm.running_var", "norm.num_batches_tracked"), List.copyOf(n.namedBuffers().keySet()));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "norm.weight", "norm.bias", "norm.running_mean",
                "norm.running_var", "norm.num_batches_tracked"), List.copyOf(n.stateDict().keySet()));
        assertEquals(List.of("", "layers", "layers.0", "layers.1", "layers.2", "norm"), List.copyOf(n.namedModules().keySet()));
        assertEquals(2, n.children().size());
        assertEquals(5, n.parameters().size());
        for (Tensor p : n.parameters()) assertTrue(p.requiresGrad() && p.isLeaf());
        for (Tensor b : n.buffers()) assertFalse(b.requiresGrad());
    }

    @Test
    void trainAndEvalAreRecursive() {
        Net n = new Net();
        assertTrue(n.isTraining());
        n.eval();
        for (Module m : n.modules()) assertFalse(m.isTraining());
        n.train();
        for (Module m : n.modules()) assertTrue(m.isTraining());
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Net n = new Net();
        n.forward(Tensor.ones(F64, 4, 3).mul(Tensor.of(F64, new double[] {1, 2, 3, 4}, 4, 1))).square().sum().backward();
        for (Tensor p : n.parameters()) assertNotNull(p.grad());
        n.zeroGrad();
        for (Tensor p : n.parameters()) assertNull(p.grad());
    }

    @Test
    void stateDictRoundTripAndErrors() {
        Net a = new Net(), b = new Net();
        Init.normal_(b.namedParameters().get("layers.0.weight"), 0, 1, new Generator(9));
        Tensor before = b.namedParameters().get("layers.0.weight");
        Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        assertSame(before, b.namedParameters().get("layers.0.weight"), "loading copies into the existing tensor");
        for (String k : a.stateDict().keySet()) assertArrayEquals(a.stateDict().get(k).toDoubleArray(), b.stateDict().get(k).toDoubleArray(), 0, k);

        LinkedHashMap<String, Tensor> bad = new LinkedHashMap<>(a.stateDict());
        bad.remove("norm.bias");
        bad.put("extra.weight", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad, true));
        assertTrue(e.getMessage().contains("missing key(s): [norm.bias]") && e.getMessage().contains("unexpected key(s): [extra.weight]"), e.getMessage());
        Module.LoadResult lenient = b.loadStateDict(bad, false);
        assertEquals(List.of("norm.bias"), lenient.missingKeys());
        assertEquals(List.of("extra.weight"), lenient.unexpectedKeys());

        LinkedHashMap<String, Tensor> wrongShape = new LinkedHashMap<>(a.stateDict());
        wrongShape.put("layers.0.bias", Tensor.zeros(F64, 5));
        Tensor biasBefore = b.namedParameters().get("layers.0.bias").clone();
        wrongShape.put("layers.0.weight", Tensor.zeros(F64, 4, 3));
        var s = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrongShape, false));
        assertTrue(s.getMessage().contains("'layers.0.bias': expected shape [4], got [5]"), s.getMessage());
        assertArrayEquals(biasBefore.toDoubleArray(), b.namedParameters().get("layers.0.bias").toDoubleArray(), 0);
        assertFalse(b.namedParameters().get("layers.0.weight").toDoubleArray()[0] == 0, "nothing written when a check fails");
    }

    @Test
    void functionalCallSendsGradientsToTheGivenTensorsOnly() {
        Linear l = new Linear(3, 2, true, F64, new Generator(3));
        Tensor w = Tensor.ones(F64, 2, 3).requiresGrad(true);
        Tensor b = Tensor.zeros(F64, 2).requiresGrad(true);
        Tensor x = Tensor.of(F64, new double[] {1, 2, 3}, 1, 3);
        Tensor y = l.functionalCall(Map.of("weight", w, "bias", b), () -> l.forward(x));
        assertArrayEquals(new double[] {6, 6}, y.toDoubleArray(), 0);
        y.sum().backward();
        assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, w.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 1}, b.grad().toDoubleArray(), 0);
        assertNull(l.namedParameters().get("weight").grad());
        assertNull(l.namedParameters().get("bias").grad());
        // After the call the module computes with its own parameters again.
        assertFalse(l.forward(x).toDoubleArray()[0] == 6);
    }

    @Test
    void functionalCallChecksKeysAndShapes() {
        Net n = new Net();
        Map<String, Tensor> p = new LinkedHashMap<>(n.namedParameters());
        p.remove("norm.bias");
        var missing = assertThrows(IllegalArgumentException.class, () -> n.functionalCall(p, () -> 0));
        assertTrue(missing.getMessage().contains("missing parameter(s) [norm.bias]"), missing.getMessage());
        assertEquals(0, n.functionalCall(p, true, () -> 0));
        p.put("layers.9.weight", Tensor.zeros(1));
        var unknown = assertThrows(IllegalArgumentException.class, () -> n.functionalCall(p, true, () -> 0));
        assertTrue(unknown.getMessage().contains("unexpected key(s) [layers.9.weight]"), unknown.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> n.functionalCall(Map.of("norm.bias", Tensor.zeros(F64, 3)), true, () -> 0));
        assertTrue(shape.getMessage().contains("'norm.bias' has shape [3] but the module's is [2]"), shape.getMessage());
    }

    @Test
    void functionalCallIsReentrantAndThreadConfined() throws Exception {
        Linear l = new Linear(1, 1, false, F64, new Generator(3));
        Tensor x = Tensor.ones(F64, 1, 1);
        double own = l.forward(x).item();
        Map<String, Tensor> two = Map.of("weight", Tensor.full(new int[] {1, 1}, 2, F64));
        Map<String, Tensor> three = Map.of("weight", Tensor.full(new int[] {1, 1}, 3, F64));
        CountDownLatch inside = new CountDownLatch(1), checked = new CountDownLatch(1);
        CompletableFuture<Double> other = CompletableFuture.supplyAsync(() -> {
            try {
                inside.await();
                return l.forward(x).item();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                checked.countDown();
            }
        });
        l.functionalCall(two, () -> {
            assertEquals(2, l.forward(x).item());
            inside.countDown();
            try {
                checked.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertEquals(3.0, l.functionalCall(three, () -> l.forward(x).item()));
            assertEquals(2, l.forward(x).item(), "the outer substitution is back after the inner call");
            return null;
        });
        assertEquals(own, other.get(), "another thread sees the module's own parameters");
        assertEquals(own, l.forward(x).item());
        var scope = l.substitute(two, false);
        var inner = l.substitute(three, false);
        assertThrows(IllegalStateException.class, scope::close);
        inner.close();
        scope.close();
        assertEquals(own, l.forward(x).item());
    }

    @Test
    void holdOutRestoresEachParametersOwnFlag() {
        Net n = new Net();
        Tensor frozen = n.namedParameters().get("norm.bias").requiresGrad(false);
        Tensor x = Tensor.ones(F64, 4, 3).mul(Tensor.of(F64, new double[] {1, 2, 3, 4}, 4, 1)).requiresGrad(true);
        try (var hold = n.holdOutParameters()) {
            for (Tensor p : n.parameters()) assertFalse(p.requiresGrad());
            n.forward(x).square().sum().backward();
        }
        assertNotNull(x.grad(), "outputs still depend on the inputs");
        for (Tensor p : n.parameters()) assertNull(p.grad());
        assertFalse(frozen.requiresGrad(), "a frozen parameter stays frozen");
        for (Tensor p : n.parameters()) if (p != frozen) assertTrue(p.requiresGrad());
        try (var hold = new Tanh().holdOutParameters()) {
            assertEquals(0.0, new Tanh().forward(Tensor.zeros(F64, 1)).item());
        }
    }

    @Test
    void toDTypeCastsFloatingTensorsAndKeepsFlags() {
        Net n = new Net();
        n.to(DType.FLOAT32);
        for (Tensor p : n.parameters()) assertTrue(p.dtype() == DType.FLOAT32 && p.requiresGrad() && p.isLeaf());
        assertEquals(DType.FLOAT32, n.namedBuffers().get("norm.running_mean").dtype());
        assertEquals(DType.INT64, n.namedBuffers().get("norm.num_batches_tracked").dtype());
        assertThrows(IllegalArgumentException.class, () -> n.to(DType.INT64));
    }

    @Test
    void parametersOutliveMemoryScopes() {
        Linear l;
        try (var scope = MemoryScope.open()) {
            l = new Linear(2, 2);
            l.forward(Tensor.ones(1, 2)).sum().backward();
        }
        assertEquals(4, l.parameters().get(0).toDoubleArray().length);
        assertEquals(2, l.forward(Tensor.ones(1, 2)).numel());
    }

    @Test
    void printsTheTree() {
        String s = new Net().toString();
        assertTrue(s.contains("(layers): Sequential(") && s.contains("(0): Linear(in_features=3, out_features=4, bias=true)"), s);
    }
}
