package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertMessageContains;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertTdEquals;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertTensorClose;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.engine.vmap.Randomness;

/** TensorDict vmap: ensembles of critics (patterns N0 and 00) with gradients, dict outputs, errors, and agreement with the loop. */
class TensorDictVmapTest {
    private static final int N = 3, B = 5, IN = 4, OUT = 2;

    /** A linear critic evaluated with an explicit parameter dict. */
    static Tensor critic(TensorDict p, Tensor x) {
        return x.matmul(p.get("weight").mT()).add(p.get(Key.of("head", "bias")));
    }

    record Ensemble(List<Tensor> weights, List<Tensor> biases, TensorDict stacked) {}

    /** N members' parameters, each a leaf requiring grad, stacked into a dict of batch [N] (the stacking is recorded). */
    static Ensemble ensemble(Gen gen) {
        List<Tensor> ws = new ArrayList<>(), bs = new ArrayList<>();
        List<TensorDict> members = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Tensor w = gen.uniform(new int[] {OUT, IN}, -1, 1).requiresGrad(true);
            Tensor b = gen.uniform(new int[] {OUT}, -1, 1).requiresGrad(true);
            ws.add(w);
            bs.add(b);
            members.add(TensorDict.of(new int[0], "weight", w, Key.of("head", "bias"), b));
        }
        return new Ensemble(ws, bs, TensorDict.stack(members, 0));
    }

    /** Checks outputs [N, B, OUT] against the loop, then every member's gradients against the loop's. */
    private static void checkAgainstLoop(Ensemble e, Tensor out, Function<Integer, Tensor> memberInput, Gen gen) {
        assertArrayEquals(new int[] {N, B, OUT}, out.shape());
        Tensor weights = gen.uniform(out.shape(), -1, 1);
        List<Tensor> leaves = new ArrayList<>(e.weights());
        leaves.addAll(e.biases());
        List<Tensor> got = Autograd.grad(List.of(out.mul(weights).sum()), leaves, null, false, false, false);
        List<Tensor> loopOuts = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            TensorDict member = TensorDict.of(new int[0], "weight", e.weights().get(i), Key.of("head", "bias"), e.biases().get(i));
            loopOuts.add(critic(member, memberInput.apply(i)));
        }
        Tensor loop = Tensor.stack(loopOuts, 0);
        assertTensorClose(loop, out, 1e-12, "vmap equals the loop");
        List<Tensor> expected = Autograd.grad(List.of(loop.mul(weights).sum()), leaves, null, false, false, false);
        for (int k = 0; k < leaves.size(); k++) {
            assertTensorClose(expected.get(k), got.get(k), 1e-12, "gradient of member parameter " + k);
            assertEquals(true, got.get(k).abs().sum().item() > 0, "member parameter " + k + " received a gradient");
        }
    }

    @Test
    void ensemblePatternN0SharedDataMappedParameters() {
        Gen gen = Gen.seeded(11);
        Ensemble e = ensemble(gen);
        Tensor x = gen.uniform(new int[] {B, IN}, -1, 1);
        BiFunction<TensorDict, Tensor, Tensor> f = TensorDictVmap.vmap(TensorDictVmapTest::critic, 0, null, 0, Randomness.ERROR);
        checkAgainstLoop(e, f.apply(e.stacked(), x), i -> x, gen);
    }

    @Test
    void ensemblePattern00StackedDataAndParameters() {
        Gen gen = Gen.seeded(12);
        Ensemble e = ensemble(gen);
        Tensor x = gen.uniform(new int[] {N, B, IN}, -1, 1);
        BiFunction<TensorDict, Tensor, Tensor> f = TensorDictVmap.vmap(TensorDictVmapTest::critic, 0, 0, 0, Randomness.ERROR);
        checkAgainstLoop(e, f.apply(e.stacked(), x), i -> x.select(0, i), gen);
    }

    @Test
    void dataAsADictAndDictOutputsAtAnyOutDim() {
        Gen gen = Gen.seeded(13);
        Ensemble e = ensemble(gen);
        TensorDict data = TensorDict.of(new int[] {B}, "observation", gen.uniform(new int[] {B, IN}, -1, 1));
        BiFunction<TensorDict, TensorDict, TensorDict> value = (p, d) -> {
            TensorDict out = d.copy();
            out.set("state_value", critic(p, d.get("observation")));
            return out;
        };
        TensorDict front = TensorDictVmap.vmap(value, 0, null, 0, Randomness.ERROR).apply(e.stacked(), data);
        assertArrayEquals(new int[] {N, B}, front.batchSize());
        assertArrayEquals(new int[] {N, B, OUT}, front.get("state_value").shape());
        assertArrayEquals(new int[] {N, B, IN}, front.get("observation").shape(), "an unmapped leaf is expanded");
        TensorDict back = TensorDictVmap.vmap(value, 0, null, -1, Randomness.ERROR).apply(e.stacked(), data);
        assertArrayEquals(new int[] {B, N}, back.batchSize());
        assertTensorClose(front.get("state_value").transpose(0, 1), back.get("state_value"), 0, "out dim -1");
    }

    @Test
    void mappedDictsLoseTheMappedDimInside() {
        TensorDict td = TensorDict.of(new int[] {2, 3}, "x", TensorDictAsserts.seq(0, 2, 3, 4));
        td.set("agents", TensorDict.of(new int[] {2, 3, 5}, "y", TensorDictAsserts.seq(0, 2, 3, 5)));
        td.refineNames("...", "time");
        Function<TensorDict, TensorDict> f = TensorDictVmap.vmap(inner -> {
            assertArrayEquals(new int[] {2}, inner.batchSize());
            assertArrayEquals(new int[] {2, 5}, inner.getTensorDict("agents").batchSize());
            assertArrayEquals(new int[] {2, 4}, inner.get("x").shape());
            return inner.apply(t -> t.mul(2));
        }, 1, 1, Randomness.ERROR);
        TensorDict out = f.apply(td);
        assertTdEquals(td.apply(t -> t.mul(2)), out);
    }

    @Test
    void mismatchedSizesAndBadArgumentsAreReported() {
        TensorDict p = TensorDict.of(new int[] {3}, "w", TensorDictAsserts.seq(0, 3, 2));
        Tensor x = TensorDictAsserts.seq(0, 4, 2);
        var e = assertThrows(IllegalArgumentException.class,
                () -> TensorDictVmap.<TensorDict, Tensor, Tensor>vmap((a, b) -> b, 0, 0, 0, Randomness.ERROR).apply(p, x));
        assertMessageContains(e, "same size", "[3, 4]");
        var scalarDict = assertThrows(IllegalArgumentException.class,
                () -> TensorDictVmap.<TensorDict, Tensor>vmap(a -> a.get("w"), 0, 0, Randomness.ERROR).apply(new TensorDict()));
        assertMessageContains(scalarDict, "out of range");
        var outDim = assertThrows(IllegalArgumentException.class,
                () -> TensorDictVmap.<TensorDict, TensorDict>vmap(a -> a, 0, 3, Randomness.ERROR).apply(p));
        assertMessageContains(outDim, "out_dim 3", "batch size []");
    }

    @Test
    void randomnessModeReachesDrawsInside() {
        TensorDict p = TensorDict.of(new int[] {3}, "w", TensorDictAsserts.seq(0, 3, 2));
        Generator g = new Generator(5);
        Function<TensorDict, Tensor> draw = a -> g.normal(new int[] {2}, DType.FLOAT64).add(a.get("w").mul(0));
        var error = assertThrows(RuntimeException.class, () -> TensorDictVmap.vmap(draw, 0, 0, Randomness.ERROR).apply(p));
        assertMessageContains(error, "randomness error mode");
        Tensor same = TensorDictVmap.vmap(draw, 0, 0, Randomness.SAME).apply(p);
        assertTensorClose(same.select(0, 0), same.select(0, 2), 0, "SAME: one draw for every entry");
        Tensor different = TensorDictVmap.vmap(draw, 0, 0, Randomness.DIFFERENT).apply(p);
        assertEquals(true, different.select(0, 0).sub(different.select(0, 2)).abs().sum().item() > 0, "DIFFERENT: entries differ");
    }

    @Test
    void vmapEqualsPseudoVmapOnRandomDicts() {
        Property.forAll("td vmap equals the loop", 30, gen -> {
            int[] batch = gen.shape(1, 3);
            TensorDict td = new TensorDict(batch);
            td.set("a", gen.uniform(TensorDictBatchOpsTest.concat(batch, new int[] {2}), -1, 1));
            td.set(Key.of("n", "b"), gen.uniform(batch, -1, 1));
            Tensor shared = gen.uniform(new int[] {2}, -1, 1);
            int in = gen.dim(batch.length), out = gen.intIn(-batch.length, batch.length - 1);
            gen.note("in", in).note("out", out);
            Function<List<Object>, List<Object>> fn = args -> {
                TensorDict d = (TensorDict) args.get(0);
                Tensor s = (Tensor) args.get(1);
                TensorDict r = d.apply(t -> t.exp());
                r.set("c", d.get("a").mul(s).sum(-1).add(d.get(Key.of("n", "b"))));
                return List.of(r, d.get("a").tanh());
            };
            List<Integer> inDims = java.util.Arrays.asList(in, null);
            List<Object> args = java.util.Arrays.asList(td, shared);
            List<Object> v = TensorDictVmap.vmap(fn, inDims, List.of(out), Randomness.ERROR).apply(args);
            List<Object> loop = TensorDictVmap.pseudoVmap(fn, inDims, List.of(out), Randomness.ERROR).apply(args);
            assertTdEquals((TensorDict) loop.get(0), (TensorDict) v.get(0));
            assertTensorClose((Tensor) loop.get(1), (Tensor) v.get(1), 0, "tensor output");
        });
    }
}
