package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.linear;
import static org.rlgrad.engine.modules.ModulesFixture.seq;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.ParameterHold;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** TensorDictModule (spec 3.2), the base contract (3.1), skip-existing (3.4), hold-out (3.5), keyword dispatch (2.10). */
class TensorDictModuleTest {
    static TensorDict obs() {
        return TensorDict.of(new int[] {2}, "obs", seq(0, 1, 2, 3), Key.of("next", "obs"), seq(10, 1, 2, 3));
    }

    @Test
    void wrapsANetworkAndWritesInPlace() {
        Linear net = linear(3, 4, 1);
        TensorDictModule m = TensorDictModule.of(net, List.of("obs"), List.of("hidden"));
        TensorDict td = obs();
        TensorDict out = m.forward(td);
        assertSame(td, out, "inplace (WriteTarget.INPUT) returns the input");
        Tensor expected = seq(0, 1, 2, 3).matmul(net.weight().mT()).add(net.bias());
        assertClose(expected, td.get("hidden"), 1e-12, "hidden = x W^T + b");
        assertEquals(List.of(Key.of("obs")), m.inKeys());
        assertEquals(List.of("module.weight", "module.bias"), List.copyOf(m.namedParameters().keySet()), "the network is the child 'module'");
    }

    @Test
    void positionalAndNamedInKeys() {
        TensorFunction sub = TensorFunction.of((a, b) -> a.sub(b));
        TensorDictModule pos = TensorDictModule.builder(sub).inKeys(Key.of("next", "obs"), "obs").outKeys("d").build();
        assertClose(Tensor.full(new int[] {2, 3}, 10.0, ModulesFixture.F64), pos.forward(obs()).get("d"), 0, "positional order");
        TensorFunction named = (p, n) -> n.get("x").sub(n.get("y"));
        Map<String, Object> byName = new LinkedHashMap<>();
        byName.put("y", Key.of("next", "obs"));
        byName.put("x", "obs");
        TensorDictModule nm = TensorDictModule.builder(named).inKeyMap(byName).outKeys("d").build();
        assertClose(Tensor.full(new int[] {2, 3}, -10.0, ModulesFixture.F64), nm.forward(obs()).get("d"), 0, "by name");
        assertEquals(List.of(Key.of("next", "obs"), Key.of("obs")), nm.inKeys());
    }

    @Test
    void missingInKeysStrictAndNonStrict() {
        Linear net = linear(3, 4, 1);
        TensorDict td = TensorDict.of(new int[] {2}, "other", seq(0, 1, 2, 3));
        TensorDictModule strict = TensorDictModule.builder(net).inKeys("obs").outKeys("h").strict(true).build();
        var e = assertThrows(IllegalArgumentException.class, () -> strict.forward(td));
        assertMentions(e, "missing in_key(s) [\"obs\"]", "holds [\"other\"]");
        TensorDictModule lax = TensorDictModule.builder(net).inKeys("obs").outKeys("h").build();
        var e2 = assertThrows(IllegalArgumentException.class, () -> lax.forward(td));
        assertMentions(e2, "[\"obs\"] missing", "holds [\"other\"]");
        // A non-strict function that copes with null gets it.
        TensorDictModule tolerant = TensorDictModule.builder((TensorFunction) (p, n) -> p.get(0) == null ? Tensor.zeros(2, 1) : p.get(0))
                .inKeys("obs").outKeys("h").build();
        assertClose(Tensor.zeros(2, 1), tolerant.forward(td).get("h"), 0, "null passed");
    }

    @Test
    void outputsOneListOrMapAndCountMismatches() {
        TensorDict td = obs();
        TensorFunction two = (p, n) -> List.of(p.get(0).mul(2), p.get(0).mul(3));
        TensorDictModule m = TensorDictModule.builder(two).inKeys("obs").outKeys("a", Key.of("nested", "b")).build();
        m.forward(td);
        assertClose(seq(0, 2, 2, 3), td.get("a"), 0, "first output");
        assertClose(seq(0, 3, 2, 3), td.get(Key.of("nested", "b")), 0, "second output, nested key");
        var more = assertThrows(IllegalArgumentException.class, () -> TensorDictModule.builder(two).inKeys("obs").outKeys("a").build().forward(obs()));
        assertMentions(more, "returned 2 tensors for 1 out_keys", "more tensors than out_keys");
        var fewer = assertThrows(IllegalArgumentException.class,
                () -> TensorDictModule.builder(two).inKeys("obs").outKeys("a", "b", "c").build().forward(obs()));
        assertMentions(fewer, "returned 2 tensor(s) for 3 out_keys", "more out_keys than tensors");
        TensorFunction map = (p, n) -> Map.of("b", p.get(0).mul(5), "a", p.get(0).mul(4), "extra", p.get(0));
        TensorDict viaMap = TensorDictModule.builder(map).inKeys("obs").outKeys("a", "b").build().forward(obs());
        assertClose(seq(0, 4, 2, 3), viaMap.get("a"), 0, "map output a");
        assertClose(seq(0, 5, 2, 3), viaMap.get("b"), 0, "map output b");
        var lacks = assertThrows(IllegalArgumentException.class, () -> TensorDictModule.builder(map).inKeys("obs").outKeys("a", "z").build().forward(obs()));
        assertMentions(lacks, "without out_key \"z\"");
    }

    @Test
    void discardKeyDropsThatOutput() {
        TensorFunction two = (p, n) -> List.of(p.get(0).mul(2), p.get(0).mul(3));
        TensorDict td = TensorDictModule.builder(two).inKeys("obs").outKeys("_", "kept").build().forward(obs());
        assertFalse(td.contains("_"));
        assertClose(seq(0, 3, 2, 3), td.get("kept"), 0, "kept");
    }

    @Test
    void writeTargets() {
        Linear net = linear(3, 1, 2);
        TensorDict in = obs();
        TensorDict fresh = TensorDictModule.builder(net).inKeys("obs").outKeys("v").writeTarget(WriteTarget.NEW).build().forward(in);
        assertEquals(0, fresh.batchDims(), "inplace=false: a new dict of batch []");
        assertEquals(List.of(Key.of("v")), fresh.keys(true, false));
        assertFalse(in.contains("v"), "the input is untouched");
        TensorDict emptyLike = TensorDictModule.builder(net).inKeys("obs").outKeys("v").writeTarget(WriteTarget.fromInplace("empty")).build().forward(in);
        assertEquals(1, emptyLike.batchDims(), "inplace=\"empty\": like input.empty()");
        assertEquals(List.of(Key.of("v")), emptyLike.keys(true, false));
        assertEquals(WriteTarget.INPUT, WriteTarget.fromInplace(true));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> WriteTarget.fromInplace("yes")), "true, false or \"empty\"", "got yes");
    }

    @Test
    void keywordDispatch() {
        TensorFunction sub = TensorFunction.of((a, b) -> a.sub(b));
        TensorDictModule m = TensorDictModule.builder(sub).inKeys("obs", Key.of("next", "obs")).outKeys("d").build();
        Tensor a = seq(5, 1, 3), b = seq(1, 0, 3);
        assertClose(a.sub(b), m.call(a, b).get(0), 0, "positional");
        assertClose(a.sub(b), m.call(List.of(a), Map.of("next_obs", b)).get(0), 0, "keyword by joined name");
        var twice = assertThrows(IllegalArgumentException.class, () -> m.call(List.of(a), Map.of("obs", b)));
        assertMentions(twice, "given twice");
    }

    @Test
    void skipExistingReturnsTheInputOnlyWhenAllOutputsArePresent() {
        int[] calls = {0};
        TensorFunction f = (p, n) -> {
            calls[0]++;
            return p.get(0).mul(2);
        };
        TensorDictModule m = TensorDictModule.builder(f).inKeys("obs").outKeys("v").build();
        TensorDict td = obs();
        td.set("v", seq(-1, 0, 2, 3));
        try (var s = SkipExisting.set(true)) {
            assertTrue(SkipExisting.isOn());
            m.forward(td);
            assertEquals(0, calls[0], "out-key present: skipped");
            assertClose(seq(-1, 0, 2, 3), td.get("v"), 0, "unchanged");
            m.forward(obs());
            assertEquals(1, calls[0], "out-key absent: computed");
            TensorDictModule inOut = TensorDictModule.builder(f).inKeys("obs").outKeys("obs").build();
            inOut.forward(obs());
            assertEquals(2, calls[0], "an out-key that is also an in-key is never skipped");
        }
        assertFalse(SkipExisting.isOn(), "the scope restores the flag");
        m.forward(td);
        assertEquals(3, calls[0], "off: always computed");
        assertClose(seq(0, 2, 2, 3), td.get("v"), 0, "recomputed");
    }

    @Test
    void holdOutStopsParameterGradientsAndRestoresEachFlag() {
        Linear net = linear(3, 1, 4);
        TensorDictModule m = TensorDictModule.of(net, List.of("obs"), List.of("v"));
        net.bias().requiresGrad(false); // frozen before: must stay frozen
        Tensor x = seq(0, 1, 2, 3).requiresGrad(true);
        try (ParameterHold hold = m.holdOutParameters()) {
            Tensor v = m.call(x).get(0);
            assertFalse(net.weight().requiresGrad());
            v.sum().backward();
        }
        assertNull(net.weight().grad(), "no gradient reached the held-out weight");
        assertClose(net.weight().detach().sum(0).expand(2, 3), x.grad(), 1e-12, "the input still gets its gradient");
        assertTrue(net.weight().requiresGrad(), "restored");
        assertFalse(net.bias().requiresGrad(), "previous flag restored, not forced on");
    }

    @Test
    void functionalCallWithAParameterDict() {
        Linear net = linear(3, 2, 5), other = linear(3, 2, 6);
        TensorDictModule m = TensorDictModule.of(net, List.of("obs"), List.of("y"));
        TensorDict params = Parameters.fromModule(TensorDictModule.of(other, List.of("obs"), List.of("y")));
        assertEquals(List.of(Key.of("module", "weight"), Key.of("module", "bias")), params.keys(true, true), "nested keys along dotted paths");
        TensorDict out = m.forwardWith(params, obs());
        assertClose(other.forward(seq(0, 1, 2, 3)), out.get("y"), 1e-12, "computed with the given tensors");
        out.get("y").sum().backward();
        assertTrue(other.weight().grad() != null, "gradient reaches the given tensors");
        assertNull(net.weight().grad(), "not the module's own");
        var missing = assertThrows(IllegalArgumentException.class, () -> m.forwardWith(params.exclude(Key.of("module", "bias")), obs()));
        assertMentions(missing, "missing parameter(s) [module.bias]");
    }
}
