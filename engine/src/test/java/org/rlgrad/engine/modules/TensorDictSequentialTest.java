package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.seq;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** TensorDictSequential (spec 3.3): key derivation, selected out-keys, partial tolerance. */
class TensorDictSequentialTest {
    static TensorDictModule scale(String in, String out, double k) {
        return TensorDictModule.builder(TensorFunction.of(x -> x.mul(k))).inKeys(in).outKeys(out).build();
    }

    static TensorDictModule add(String a, String b, String out) {
        return TensorDictModule.builder(TensorFunction.of((x, y) -> x.add(y))).inKeys(a, b).outKeys(out).build();
    }

    @Test
    void inAndOutKeysFollowTheDerivationRules() {
        TensorDictSequential s = new TensorDictSequential(scale("a", "h", 2), add("h", "b", "x"), scale("x", "h", 3), add("c", "a", "y"));
        assertEquals(Key.of("a"), s.inKeys().get(0));
        assertEquals(List.of(Key.of("a"), Key.of("b"), Key.of("c")), s.inKeys(), "not produced earlier, first-seen order");
        assertEquals(List.of(Key.of("x"), Key.of("h"), Key.of("y")), s.outKeys(), "a key written twice is kept at its last position");
        assertEquals(List.of("module.0", "module.1", "module.2", "module.3"),
                s.namedModules().keySet().stream().filter(n -> n.matches("module\\.\\d")).toList(), "children named as TorchRL's");
    }

    @Test
    void runsInOrderOnTheSameDict() {
        TensorDictSequential s = new TensorDictSequential(scale("a", "h", 2), add("h", "b", "x"), scale("x", "h", 3));
        TensorDict td = TensorDict.of(new int[] {3}, "a", seq(1, 1, 3), "b", seq(10, 0, 3));
        s.forward(td);
        Tensor x = seq(1, 1, 3).mul(2).add(10);
        assertClose(x, td.get("x"), 0, "x = 2a + b");
        assertClose(x.mul(3), td.get("h"), 0, "h overwritten by the last writer");
    }

    @Test
    void selectOutKeysKeepsOnlyThoseAndTheInputKeys() {
        TensorDictSequential s = new TensorDictSequential(scale("a", "h", 2), add("h", "b", "x"));
        s.selectOutKeys("x");
        assertEquals(List.of(Key.of("x")), s.outKeys());
        TensorDict td = TensorDict.of(new int[] {3}, "a", seq(1, 1, 3), "b", seq(10, 0, 3), "keep", seq(0, 0, 3));
        s.forward(td);
        assertEquals(List.of(Key.of("a"), Key.of("b"), Key.of("keep"), Key.of("x")), td.keys(true, false), "the intermediate h is dropped");
        var e = assertThrows(IllegalArgumentException.class, () -> s.selectOutKeys("nope"));
        assertMentions(e, "\"nope\" is not an out_key", "[\"h\", \"x\"]");
        s.resetOutKeys();
        TensorDict again = TensorDict.of(new int[] {3}, "a", seq(1, 1, 3), "b", seq(10, 0, 3));
        s.forward(again);
        assertTrue(again.contains("h"));
    }

    @Test
    void partialTolerantSkipsModulesWithMissingInputs() {
        List<TensorDictModuleBase> ms = List.of(scale("a", "h", 2), add("h", "missing", "x"), scale("h", "z", 5));
        TensorDict td = TensorDict.of(new int[] {3}, "a", seq(1, 1, 3));
        new TensorDictSequential(ms, true).forward(td);
        assertFalse(td.contains("x"), "skipped");
        assertClose(seq(1, 1, 3).mul(10), td.get("z"), 0, "later modules still run");
        var e = assertThrows(IllegalArgumentException.class, () -> new TensorDictSequential(ms, false).forward(TensorDict.of(new int[] {3}, "a", seq(1, 1, 3))));
        assertMentions(e, "\"missing\"");
    }

    @Test
    void skipExistingAppliesToTheWholeSequence() {
        TensorDictSequential s = new TensorDictSequential(scale("a", "h", 2), scale("h", "x", 3));
        TensorDict td = TensorDict.of(new int[] {3}, "a", seq(1, 1, 3), "h", seq(0, 0, 3), "x", seq(7, 0, 3));
        try (var scope = SkipExisting.set(true)) {
            s.forward(td);
        }
        assertClose(seq(7, 0, 3), td.get("x"), 0, "all out-keys present: nothing recomputed");
    }
}
