package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertMessageContains;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertTdEquals;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertTensorEquals;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.seq;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** Batch-dim operations (spec 2.5): each applied to every leaf, nested dicts included, checked against the leaf op. */
class TensorDictBatchOpsTest {
    /** Batch [2, 3]: a leaf with features, a leaf without, a nested dict, and a longer "agents" dict [2, 3, 2]. */
    static TensorDict sample() {
        TensorDict td = new TensorDict(2, 3);
        td.set("obs", seq(0, 2, 3, 4));
        td.set("flag", seq(50, 2, 3));
        td.set(Key.of("next", "reward"), seq(100, 2, 3, 1));
        td.set("agents", TensorDict.of(new int[] {2, 3, 2}, "q", seq(200, 2, 3, 2, 5)));
        return td;
    }

    private static void eachLeaf(TensorDict source, TensorDict got, java.util.function.UnaryOperator<Tensor> leafOp) {
        for (var e : source.leaves().entrySet()) assertTensorEquals(leafOp.apply(e.getValue()), got.get(e.getKey()), e.getKey().toString());
    }

    @Test
    void intIndexingAndLastDimIndexing() {
        TensorDict td = sample();
        TensorDict first = td.index(1);
        assertArrayEquals(new int[] {3}, first.batchSize());
        assertArrayEquals(new int[] {3, 2}, first.getTensorDict("agents").batchSize());
        eachLeaf(td, first, t -> t.select(0, 1));
        TensorDict last = td.indexLast(-1);
        assertArrayEquals(new int[] {2}, last.batchSize());
        eachLeaf(td, last, t -> t.select(1, 2));
        var e = assertThrows(IndexOutOfBoundsException.class, () -> td.index(1, 3));
        assertMessageContains(e, "index 3", "size 3", "[2, 3]");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> new TensorDict().index(0)), "batch size []");
    }

    @Test
    void slicesWithNegativeBounds() {
        TensorDict td = sample();
        TensorDict s = td.slice(1, 1, null, 1); // td[:, 1:]
        assertArrayEquals(new int[] {2, 2}, s.batchSize());
        eachLeaf(td, s, t -> t.slice(1, 1, null, 1));
        TensorDict neg = td.slice(1, -2, -1, 1);
        assertArrayEquals(new int[] {2, 1}, neg.batchSize());
        eachLeaf(td, neg, t -> t.narrow(1, 1, 1));
        assertArrayEquals(new int[] {1, 3}, td.slice(0, 1).batchSize());
        assertArrayEquals(new int[] {2, 2}, td.slice(1, null, null, 2).batchSize());
    }

    @Test
    void booleanMasksOfTheBatchShapeOrItsLeadingDims() {
        TensorDict td = sample();
        Tensor full = Tensor.of(new boolean[] {true, false, true, false, false, true}, 2, 3);
        TensorDict m = td.index(full);
        assertArrayEquals(new int[] {3}, m.batchSize());
        assertArrayEquals(new int[] {3, 2}, m.getTensorDict("agents").batchSize());
        assertTensorEquals(Tensor.of(org.rlgrad.engine.tensor.DType.FLOAT64, new double[] {50, 52, 55}, 3), m.get("flag"), "masked");
        TensorDict lead = td.mask(Tensor.of(new boolean[] {false, true}, 2));
        assertArrayEquals(new int[] {1, 3}, lead.batchSize());
        eachLeaf(td, lead, t -> t.narrow(0, 1, 1));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.mask(Tensor.of(new boolean[] {true, true, true}, 3))),
                "batch size [2, 3]", "got shape [3]");
    }

    @Test
    void int64IndexTensors() {
        TensorDict td = sample();
        TensorDict picked = td.index(Tensor.of(new long[] {1, 1, 0}, 3));
        assertArrayEquals(new int[] {3, 3}, picked.batchSize());
        eachLeaf(td, picked, t -> t.indexSelect(0, Tensor.of(new long[] {1, 1, 0}, 3)));
        TensorDict grid = td.index(Tensor.of(new long[] {0, 1, 1, 0}, 2, 2));
        assertArrayEquals(new int[] {2, 2, 3}, grid.batchSize());
        assertTdEquals(td.index(1), grid.index(0).index(1));
        TensorDict along1 = td.indexSelect(1, Tensor.of(new long[] {2, 0}, 2));
        eachLeaf(td, along1, t -> t.indexSelect(1, Tensor.of(new long[] {2, 0}, 2)));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.index(seq(0, 2))), "bool mask or an int64", "float64");
    }

    @Test
    void unbindStackCat() {
        TensorDict td = sample();
        List<TensorDict> parts = td.unbind(1);
        assertEquals(3, parts.size());
        assertTdEquals(td, TensorDict.stack(parts, 1));
        assertTdEquals(td, TensorDict.cat(td.split(new int[] {1, 2}, 1), 1));
        TensorDict doubled = TensorDict.cat(List.of(td, td), 0);
        assertArrayEquals(new int[] {4, 3}, doubled.batchSize());
        assertArrayEquals(new int[] {4, 3, 2}, doubled.getTensorDict("agents").batchSize());
        var keys = assertThrows(IllegalArgumentException.class, () -> TensorDict.stack(List.of(td, td.exclude("flag")), 0));
        assertMessageContains(keys, "TensorDict 1 has", "\"flag\"");
        var sizes = assertThrows(IllegalArgumentException.class, () -> TensorDict.stack(List.of(td, td.slice(0, 1)), 0));
        assertMessageContains(sizes, "[2, 3]", "[1, 3]");
        var cat = assertThrows(IllegalArgumentException.class, () -> TensorDict.cat(List.of(td, td.slice(1, 0, 1, 1)), 0));
        assertMessageContains(cat, "except along dim 0", "[2, 1]");
        assertThrows(IllegalArgumentException.class, () -> TensorDict.stack(List.of(), 0));
    }

    @Test
    void expandReshapeViewFlattenUnflatten() {
        TensorDict td = sample();
        TensorDict ex = td.expand(4, 2, 3);
        assertArrayEquals(new int[] {4, 2, 3, 2}, ex.getTensorDict("agents").batchSize());
        eachLeaf(td, ex, t -> t.expand(concat(new int[] {4}, t.shape())));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.expand(2, 4)), "dim 1: 3 is not 1");

        TensorDict r = td.reshape(-1);
        assertArrayEquals(new int[] {6}, r.batchSize());
        assertArrayEquals(new int[] {6, 2}, r.getTensorDict("agents").batchSize());
        assertTdEquals(r, td.flatten(0, 1));
        assertTdEquals(r, td.view(6));
        assertTdEquals(td, r.unflatten(0, 2, -1));
        assertTdEquals(td, r.reshape(2, 3));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.reshape(4)), "(6 entries)", "[4]");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.unflatten(1, 2, 2)), "size 3", "[2, 2]");
        // A transposed leaf cannot be viewed to one dim; reshape copies instead.
        TensorDict t = td.transpose(0, 1);
        assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertArrayEquals(new int[] {6}, t.reshape(6).batchSize());
    }

    @Test
    void transposePermuteSqueezeUnsqueeze() {
        TensorDict td = sample();
        TensorDict t = td.transpose(0, 1);
        assertArrayEquals(new int[] {3, 2}, t.batchSize());
        assertArrayEquals(new int[] {3, 2, 2}, t.getTensorDict("agents").batchSize());
        eachLeaf(td, t, x -> x.transpose(0, 1));
        assertTdEquals(t, td.permute(1, 0));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.permute(0, 0)), "appears twice");
        TensorDict u = td.unsqueeze(-1);
        assertArrayEquals(new int[] {2, 3, 1}, u.batchSize());
        eachLeaf(td, u, x -> x.unsqueeze(2));
        assertTdEquals(td, u.squeeze(2));
        assertTdEquals(td, u.unsqueeze(0).squeeze());
        assertTdEquals(td, td.squeeze(0));
        assertMessageContains(assertThrows(IndexOutOfBoundsException.class, () -> td.transpose(0, 2)), "dim 2", "[2, 3]");
    }

    @Test
    void splitTensorSplitChunk() {
        TensorDict td = new TensorDict(5);
        td.set("x", seq(0, 5, 2));
        assertEquals(List.of(2, 2, 1), td.split(2, 0).stream().map(p -> p.batchSize()[0]).toList());
        assertEquals(List.of(2, 2, 1), td.tensorSplit(3, 0).stream().map(p -> p.batchSize()[0]).toList());
        assertEquals(List.of(1, 1, 1, 1, 1, 0, 0), td.tensorSplit(7, 0).stream().map(p -> p.batchSize()[0]).toList());
        assertEquals(List.of(2, 2, 1), td.chunk(3, 0).stream().map(p -> p.batchSize()[0]).toList());
        assertEquals(List.of(3, 2), td.chunk(2, 0).stream().map(p -> p.batchSize()[0]).toList());
        assertTensorEquals(seq(4, 2, 2), td.tensorSplit(3, 0).get(1).get("x"), "second piece: rows 2 and 3");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.split(new int[] {2, 2}, 0)), "add up to 4", "size 5");
    }

    // ------------------------------------------------------------------ properties

    /** A dict of random batch shape (rank 1 to 3) with two leaves of random feature shapes and a nested dict. */
    static TensorDict random(Gen gen) {
        int[] batch = gen.shape(1, 3);
        TensorDict td = new TensorDict(batch);
        td.set("a", gen.uniform(concat(batch, gen.shape(0, 2)), -1, 1));
        td.set(Key.of("n", "b"), gen.uniform(concat(batch, gen.shape(0, 1)), -1, 1));
        td.set("c", gen.bools(batch, 0.5));
        return td;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void stackThenUnbindIsIdentity() {
        Property.forAll("td stack then unbind", 40, gen -> {
            int n = gen.intIn(1, 3);
            int[] batch = gen.shape(0, 2);
            List<TensorDict> tds = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                TensorDict td = new TensorDict(batch);
                td.set("a", gen.uniform(concat(batch, new int[] {2}), -1, 1));
                td.set(Key.of("n", "b"), gen.uniform(batch, -1, 1));
                tds.add(td);
            }
            int dim = gen.intIn(0, batch.length);
            gen.note("dim", dim);
            List<TensorDict> back = TensorDict.stack(tds, dim).unbind(dim);
            assertEquals(n, back.size());
            for (int i = 0; i < n; i++) assertTdEquals(tds.get(i), back.get(i));
        });
    }

    @Test
    void catThenSplitRoundTrips() {
        Property.forAll("td split then cat", 40, gen -> {
            TensorDict td = random(gen);
            int dim = gen.dim(td.batchDims());
            int size = gen.intIn(1, 3);
            gen.note("dim", dim).note("size", size);
            List<TensorDict> pieces = td.split(size, dim);
            assertTdEquals(td, TensorDict.cat(pieces, dim));
            int n = td.batchSize()[dim < 0 ? dim + td.batchDims() : dim];
            assertEquals(Math.max(1, (n + size - 1) / size), pieces.size());
        });
    }

    @Test
    void tensorSplitSizesAreNearEqualFirstOnesLarger() {
        Property.forAll("td tensorSplit sizes", 60, gen -> {
            int n = gen.intIn(0, 9), sections = gen.intIn(1, 5);
            gen.note("n", n).note("sections", sections);
            TensorDict td = TensorDict.of(new int[] {n}, "x", seq(0, n, 1));
            List<TensorDict> parts = td.tensorSplit(sections, 0);
            assertEquals(sections, parts.size());
            int total = 0, prev = Integer.MAX_VALUE;
            for (TensorDict p : parts) {
                int s = p.batchSize()[0];
                total += s;
                assertEquals(true, s <= prev, "sizes never grow");
                assertEquals(true, s == n / sections || s == n / sections + 1, "near-equal");
                prev = s;
            }
            assertEquals(n, total);
            assertTdEquals(td, TensorDict.cat(parts, 0));
        });
    }

    @Test
    void indexingCommutesWithLeafIndexing() {
        Property.forAll("td indexing commutes with leaf indexing", 60, gen -> {
            TensorDict td = random(gen);
            int dim = gen.dim(td.batchDims());
            int d = dim < 0 ? dim + td.batchDims() : dim;
            int size = td.batchSize()[d];
            int i = gen.intIn(-size, size - 1);
            gen.note("dim", dim).note("i", i);
            int op = gen.intIn(0, 3);
            gen.note("op", op);
            TensorDict got;
            java.util.function.UnaryOperator<Tensor> leaf;
            switch (op) {
                case 0 -> { got = td.index(dim, i); leaf = t -> t.select(d, i); }
                case 1 -> { got = td.slice(dim, i, null, 1); leaf = t -> t.slice(d, i, null, 1); }
                case 2 -> {
                    Tensor idx = Tensor.of(new long[] {(i + size) % size, 0}, 2);
                    got = td.indexSelect(dim, idx);
                    leaf = t -> t.indexSelect(d, idx);
                }
                default -> {
                    Tensor mask = gen.bools(td.batchSize(), 0.5);
                    got = td.mask(mask);
                    leaf = t -> t.flatten(0, td.batchDims() - 1).indexSelect(0, mask.reshape(-1).nonzero().reshape(-1));
                }
            }
            eachLeaf(td, got, leaf);
        });
    }

    @Test
    void transposeAndReshapeRoundTrip() {
        Property.forAll("td transpose/permute/reshape round trips", 40, gen -> {
            TensorDict td = random(gen);
            int n = td.batchDims();
            int[] p = gen.permutation(n);
            int[] inverse = new int[n];
            for (int i = 0; i < n; i++) inverse[p[i]] = i;
            gen.note("perm", Arrays.toString(p));
            assertTdEquals(td, td.permute(p).permute(inverse));
            int a = gen.dim(n), b = gen.dim(n);
            assertTdEquals(td, td.transpose(a, b).transpose(a, b));
            assertTdEquals(td, td.flatten().reshape(td.batchSize()));
        });
    }
}
