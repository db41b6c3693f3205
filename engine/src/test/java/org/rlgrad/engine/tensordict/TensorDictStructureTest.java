package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertMessageContains;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertTensorEquals;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.seq;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.transition;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** Reading, writing and structure operations (spec 2.2 to 2.4). */
class TensorDictStructureTest {
    private static final Key NEXT_REWARD = Key.of("next", "reward");

    @Test
    void setChecksTheBatchSizeAndNamesKeyShapeAndBatch() {
        TensorDict td = new TensorDict(4);
        td.set("obs", seq(0, 4, 3));
        assertArrayEquals(new int[] {4, 3}, td.get("obs").shape());
        var e = assertThrows(IllegalArgumentException.class, () -> td.set(NEXT_REWARD, seq(0, 3, 1)));
        assertMessageContains(e, "(\"next\", \"reward\")", "[3, 1]", "batch size [4]");
        assertThrows(IllegalArgumentException.class, () -> td.set("scalar", Tensor.scalar(1)));
    }

    @Test
    void setCreatesIntermediateDictsWithTheParentsBatchSize() {
        TensorDict td = new TensorDict(2, 5);
        td.set(Key.of("next", "agents", "reward"), seq(0, 2, 5, 1));
        assertArrayEquals(new int[] {2, 5}, td.getTensorDict("next").batchSize());
        assertArrayEquals(new int[] {2, 5}, td.getTensorDict(Key.of("next", "agents")).batchSize());
    }

    @Test
    void nestedDictMayHaveALongerBatchSizeButMustStartWithTheParents() {
        TensorDict root = new TensorDict(3);
        TensorDict agents = new TensorDict(3, 2);
        agents.set("observation", seq(0, 3, 2, 4));
        root.set("agents", agents);
        assertArrayEquals(new int[] {3, 2, 4}, root.get(Key.of("agents", "observation")).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> root.set("bad", new TensorDict(2, 3)));
        assertMessageContains(e, "\"bad\"", "starts with [3]", "batch size [2, 3]");
        // Under a longer sub-dict, leaves must start with the sub-dict's batch size.
        var e2 = assertThrows(IllegalArgumentException.class, () -> root.set(Key.of("agents", "x"), seq(0, 3, 4)));
        assertMessageContains(e2, "(\"agents\", \"x\")", "[3, 4]", "[3, 2]");
    }

    @Test
    void strictGetNamesTheKeyAndTheKeysPresent() {
        TensorDict td = transition(2);
        MissingKeyException e = assertThrows(MissingKeyException.class, () -> td.get(Key.of("next", "truncated")));
        assertMessageContains(e, "key (\"next\", \"truncated\") not found in TensorDict with keys", "\"observation\"", "(\"next\", \"done\")");
        assertEquals(Key.of("next", "truncated"), e.key());
        assertTrue(e.present().contains(NEXT_REWARD));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.get(Key.of("action", "x"))), "goes through \"action\"", "tensor");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.get("next")), "holds a TensorDict");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.getTensorDict("action")), "holds a tensor of shape [2, 2]");
    }

    @Test
    void defaultingGetSupportsTheTerminatedFallsBackToDonePattern() {
        TensorDict td = transition(2);
        td.remove(Key.of("next", "terminated"));
        Tensor done = td.get(Key.of("next", "done"));
        assertSame(done, td.get(Key.of("next", "terminated"), done));
        assertNull(td.get("is_init", null));
        assertNull(td.find(Key.of("x", "y")));
        assertTrue(td.contains(NEXT_REWARD));
        assertFalse(td.contains("is_init"));
    }

    @Test
    void overwriteIsNotInPlace() {
        TensorDict td = transition(2);
        TensorDict shallow = td.copy();
        Tensor old = td.get("action");
        td.set("action", seq(-5, 2, 2));
        assertSame(old, shallow.get("action"));
        assertTensorEquals(seq(100, 2, 2), old, "old action untouched");
        shallow.set(NEXT_REWARD, seq(0, 2, 1));
        assertTensorEquals(seq(300, 2, 1), td.get(NEXT_REWARD), "the copy's nested dicts are its own");
    }

    @Test
    void updatePopRemoveRename() {
        TensorDict td = transition(2);
        TensorDict other = new TensorDict(2);
        other.set(NEXT_REWARD, seq(7, 2, 1));
        other.set("advantage", seq(9, 2, 1));
        td.update(other, List.of(NEXT_REWARD));
        assertTensorEquals(seq(7, 2, 1), td.get(NEXT_REWARD), "listed key updated");
        assertFalse(td.contains("advantage"));
        td.update(other);
        assertTrue(td.contains("advantage"));
        assertTrue(td.contains(Key.of("next", "done")), "update merges nested dicts");

        Tensor adv = td.pop("advantage");
        assertTensorEquals(seq(9, 2, 1), adv, "popped");
        assertFalse(td.contains("advantage"));
        assertNull(td.pop(Key.of("advantage"), null));
        assertThrows(MissingKeyException.class, () -> td.remove("advantage"));

        td.rename(Key.of("next", "reward"), Key.of("r"));
        assertTensorEquals(seq(7, 2, 1), td.get("r"), "renamed");
        assertFalse(td.contains(NEXT_REWARD));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.rename("r", "action")), "already exists");
    }

    @Test
    void keysFollowInsertionOrderDepthFirst() {
        TensorDict td = transition(2);
        assertEquals(List.of(Key.of("observation"), Key.of("action"), Key.of("next")), td.keys());
        assertEquals(List.of(Key.of("observation"), Key.of("action"), Key.of("next"), Key.of("next", "observation"), NEXT_REWARD,
                Key.of("next", "done"), Key.of("next", "terminated")), td.keys(true, false));
        assertEquals(List.of(Key.of("observation"), Key.of("action"), Key.of("next", "observation"), NEXT_REWARD, Key.of("next", "done"),
                Key.of("next", "terminated")), td.keys(true, true));
        assertEquals(6, td.values(true, true).size());
        assertEquals(6, td.leaves().size());
    }

    @Test
    void selectAndExclude() {
        TensorDict td = transition(2);
        TensorDict s = td.select("action", NEXT_REWARD);
        assertEquals(List.of(Key.of("action"), Key.of("next"), NEXT_REWARD), s.keys(true, false));
        assertSame(td.get("action"), s.get("action"));
        assertMessageContains(assertThrows(MissingKeyException.class, () -> td.select("action", "nope")), "\"nope\"");
        TensorDict lenient = td.select(List.of(Key.of("action"), Key.of("nope")), false);
        assertEquals(List.of(Key.of("action")), lenient.keys());

        TensorDict ex = td.exclude(NEXT_REWARD, "observation", "nope");
        assertEquals(List.of(Key.of("action"), Key.of("next"), Key.of("next", "observation"), Key.of("next", "done"), Key.of("next", "terminated")),
                ex.keys(true, false));
        assertTrue(td.contains(NEXT_REWARD), "exclude leaves the source alone");
    }

    @Test
    void cloneDetachAndShallowClone() {
        Tensor w = seq(0, 3, 2).requiresGrad(true);
        TensorDict params = TensorDict.of(new int[0], "weight", w);
        TensorDict deep = params.cloneDeep();
        assertNotSame(w, deep.get("weight"));
        assertTensorEquals(w, deep.get("weight"), "clone values");
        assertTrue(deep.get("weight").requiresGrad());
        assertFalse(params.detach().get("weight").requiresGrad());
        assertSame(w, params.clone(false).get("weight"));
        assertNotSame(params, params.clone(false));
    }

    @Test
    void emptyAndFilterEmpty() {
        TensorDict td = transition(3).refineNames("time");
        TensorDict e = td.empty(false);
        assertTrue(e.isEmpty());
        assertArrayEquals(new int[] {3}, e.batchSize());
        assertEquals(List.of("time"), e.names());
        TensorDict skeleton = td.empty(true);
        assertEquals(List.of(Key.of("next")), skeleton.keys(true, false));
        assertTrue(skeleton.filterEmpty().isEmpty());
        td.set("empty", new TensorDict(3));
        assertFalse(td.filterEmpty().contains("empty"));
        assertTrue(td.filterEmpty().contains(NEXT_REWARD));
    }

    @Test
    void applyMapsLeavesAndMatchesOtherDictsByKey() {
        TensorDict a = transition(2).exclude(Key.of("next", "done"), Key.of("next", "terminated"));
        TensorDict doubled = a.apply(t -> t.mul(2));
        assertTensorEquals(seq(300, 2, 1).mul(2), doubled.get(NEXT_REWARD), "apply");
        TensorDict sum = a.apply(Tensor::add, doubled);
        assertTensorEquals(seq(0, 2, 3).mul(3), sum.get("observation"), "apply with another dict");
        TensorDict dropped = a.apply(t -> t.dim() == 2 && t.size(1) == 1 ? null : t);
        assertFalse(dropped.contains(NEXT_REWARD), "a null result drops the entry");
        TensorDict three = a.apply(ts -> ts.get(0).add(ts.get(1)).add(ts.get(2)), List.of(a, a), null);
        assertTensorEquals(seq(100, 2, 2).mul(3), three.get("action"), "apply with two others");
        TensorDict missing = a.exclude(NEXT_REWARD);
        var e = assertThrows(MissingKeyException.class, () -> a.apply(Tensor::add, missing));
        assertMessageContains(e, "(\"next\", \"reward\")", "(\"next\", \"observation\")");
        TensorDict rebatched = a.apply(t -> t.unsqueeze(0), new int[] {1, 2});
        assertArrayEquals(new int[] {1, 2}, rebatched.getTensorDict("next").batchSize());
    }

    @Test
    void flattenAndUnflattenKeys() {
        TensorDict td = transition(2);
        TensorDict flat = td.flattenKeys(".");
        assertEquals(List.of(Key.of("observation"), Key.of("action"), Key.of("next.observation"), Key.of("next.reward"), Key.of("next.done"),
                Key.of("next.terminated")), flat.keys(true, false));
        TensorDictAsserts.assertTdEquals(td, flat.unflattenKeys("."));
        td.set(Key.of("odd.name"), seq(0, 2));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.flattenKeys(".")), "\"odd.name\"", "separator");
    }

    @Test
    void newZerosKeepsFeatureDimsAndDtypes() {
        TensorDict td = transition(2);
        TensorDict z = td.newZeros(5, 3);
        assertArrayEquals(new int[] {5, 3}, z.batchSize());
        assertArrayEquals(new int[] {5, 3, 2}, z.get("action").shape());
        assertEquals(DType.BOOL, z.get(Key.of("next", "done")).dtype());
        assertEquals(0.0, z.get("observation").abs().sum().item());
    }

    @Test
    void maskedFillAndWhere() {
        TensorDict td = transition(3).select("observation", NEXT_REWARD);
        Tensor mask = Tensor.of(new boolean[] {true, false, true}, 3);
        TensorDict f = td.maskedFill(mask, -1);
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {-1, 301, -1}, 3, 1), f.get(NEXT_REWARD), "masked fill");
        TensorDict w = td.where(mask, td.newZeros(3));
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {0, 1, 2, 0, 0, 0, 6, 7, 8}, 3, 3), w.get("observation"), "where");
        TensorDict w2 = td.where(mask, 5.0);
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {300, 5, 302}, 3, 1), w2.get(NEXT_REWARD), "where with a number");
        var e = assertThrows(IllegalArgumentException.class, () -> td.maskedFill(Tensor.of(new boolean[] {true, false}, 2), 0));
        assertMessageContains(e, "batch size [3]", "got shape [2]");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.maskedFill(seq(0, 3), 0)), "bool", "float64");
    }

    @Test
    void featureReductions() {
        TensorDict lp = new TensorDict(2);
        lp.set("a", seq(0, 2, 3));          // sums 3, 12
        lp.set(Key.of("h", "b"), seq(10, 2)); // no feature dims: unchanged
        TensorDict sums = lp.sumFeatures();
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {3, 12}, 2), sums.get("a"), "sum over features");
        assertTensorEquals(seq(10, 2), sums.get(Key.of("h", "b")), "a leaf without features");
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {13, 23}, 2), lp.sumFeaturesReduced(), "reduce=true adds the leaves");
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {1, 4}, 2), lp.meanFeatures().get("a"), "mean");
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {2, 5}, 2), lp.reduceFeatures(FeatureReduction.AMAX).get("a"), "amax");
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {1, 1}, 2), lp.reduceFeatures(FeatureReduction.STD).get("a"), "std");
        // An agents sub-dict [2, 3]: its own feature dims for reduce=false, its agent dim too for reduce=true.
        TensorDict ma = new TensorDict(2);
        ma.set("agents", TensorDict.of(new int[] {2, 3}, "lp", seq(0, 2, 3, 2)));
        assertArrayEquals(new int[] {2, 3}, ma.sumFeatures().get(Key.of("agents", "lp")).shape());
        assertTensorEquals(Tensor.of(DType.FLOAT64, new double[] {15, 51}, 2), ma.sumFeaturesReduced(), "multi-agent reduce");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> new TensorDict(2).sumFeaturesReduced()), "no leaves");
    }

    @Test
    void batchSizeReassignmentIsCheckedAgainstLeaves() {
        TensorDict td = new TensorDict(2);
        td.set("obs", seq(0, 2, 5, 3));
        td.set(Key.of("next", "obs"), seq(0, 2, 5, 3));
        td.setBatchSize(2, 5);
        assertArrayEquals(new int[] {2, 5}, td.batchSize());
        assertArrayEquals(new int[] {2, 5}, td.getTensorDict("next").batchSize(), "a nested dict follows when it must");
        assertEquals(2, td.batchDims());
        assertEquals(10, td.numel());
        var e = assertThrows(IllegalArgumentException.class, () -> td.setBatchSize(2, 4));
        assertMessageContains(e, "[2, 4]", "\"obs\"", "[2, 5, 3]");
        td.setBatchSize();
        assertArrayEquals(new int[] {2, 5}, td.getTensorDict("next").batchSize(), "a longer nested dict keeps its batch size");
    }

    @Test
    void dimNamesFollowTransposeAndIndexing() {
        TensorDict td = new TensorDict(2, 4);
        td.set("r", seq(0, 2, 4, 1));
        td.set(Key.of("next", "r"), seq(0, 2, 4, 1));
        td.refineNames("...", "time");
        assertEquals(java.util.Arrays.asList(null, "time"), td.names());
        assertEquals(1, td.dimNamed(TensorDict.TIME));
        assertEquals(java.util.Arrays.asList(null, "time"), td.getTensorDict("next").names(), "names reach nested dicts");
        assertEquals(0, td.transpose(0, 1).dimNamed("time"));
        assertEquals(0, td.index(0).dimNamed("time"));
        assertEquals(-1, td.indexLast(0).dimNamed("time"));
        assertEquals(1, td.slice(1, 1, null, 1).dimNamed("time"));
        assertEquals(2, td.unsqueeze(0).dimNamed("time"));
        assertEquals(-1, td.reshape(8).dimNamed("time"));
        assertEquals(2, TensorDict.stack(List.of(td, td), 0).getTensorDict("next").dimNamed("time"));
        var e = assertThrows(IllegalArgumentException.class, () -> td.refineNames("batch", "other"));
        assertMessageContains(e, "already named \"time\"", "\"other\"");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.refineNames("x")), "expected 2 names", "got 1");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> td.setNames("time", "time")), "appears twice");
    }

    @Test
    void lockedDictsRefuseStructuralWrites() {
        TensorDict td = transition(2).lock();
        assertTrue(td.isLocked());
        var e = assertThrows(IllegalStateException.class, () -> td.set("x", seq(0, 2)));
        assertMessageContains(e, "locked", "\"x\"");
        assertThrows(IllegalStateException.class, () -> td.set(Key.of("next", "x"), seq(0, 2)));
        assertThrows(IllegalStateException.class, () -> td.getTensorDict("next").set("x", seq(0, 2)));
        assertThrows(IllegalStateException.class, () -> td.remove("action"));
        assertThrows(IllegalStateException.class, () -> td.rename("action", "a"));
        assertThrows(IllegalStateException.class, () -> td.setBatchSize());
        assertTrue(td.contains("action"), "the failed remove left the entry");
        assertFalse(td.copy().isLocked());
        td.copy().set("x", seq(0, 2));
        assertTrue(td.toString().contains("locked"));
        td.unlock().set("x", seq(0, 2));
        assertTrue(td.contains("x"));
    }

    @Test
    void toStringShowsTreeShapesDtypesAndBatchSize() {
        TensorDict td = transition(4).refineNames("time");
        String s = td.toString();
        assertEquals("""
                TensorDict(batch_size=[4], names=[time]) {
                  observation: float64 [4, 3]
                  action: float64 [4, 2]
                  next: TensorDict(batch_size=[4], names=[time]) {
                    observation: float64 [4, 3]
                    reward: float64 [4, 1]
                    done: bool [4, 1]
                    terminated: bool [4, 1]
                  }
                }""", s);
        assertEquals("TensorDict(batch_size=[]) {}", new TensorDict().toString());
    }

    @Test
    void ofBuildsFromKeysAndValues() {
        TensorDict td = TensorDict.of(new int[] {2}, "a", seq(0, 2), Key.of("n", "b"), seq(0, 2, 1));
        assertEquals(List.of(Key.of("a"), Key.of("n"), Key.of("n", "b")), td.keys(true, false));
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> TensorDict.of(new int[] {2}, "a")), "odd");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> TensorDict.of(new int[] {2}, "a", 3)), "Integer");
    }
}
