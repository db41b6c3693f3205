package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.modules.ModulesFixture.F64;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.randn;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.engine.vmap.Randomness;

/** Ensembles of critics as TD modules (spec 3.12) and parameters as a TensorDict (2.8): one vmap equals the loop, gradients included. */
class EnsembleModuleTest {
    static ValueOperator critic(long seed) {
        MLP net = MLP.builder(5, 1).numCells(4).depth(2).activation(ReLU::new).dtype(F64).generator(new Generator(seed)).build();
        return new ValueOperator(net, TensorFunction.of((o, a) -> net.forward(Tensor.cat(List.of(o, a), -1))), List.of("observation", "action"), null);
    }

    @Test
    void fromModuleKeysFollowTheDottedPaths() {
        ValueOperator v = new ValueOperator(MLP.builder(3, 1).numCells(4).depth(1).dtype(F64).generator(new Generator(1)).build());
        TensorDict p = Parameters.fromModule(v);
        assertEquals(List.of(Key.of("module", "0", "weight"), Key.of("module", "0", "bias"), Key.of("module", "2", "weight"), Key.of("module", "2", "bias")),
                p.keys(true, true));
        assertEquals(0, p.batchDims());
        assertTrue(p.get(Key.of("module", "0", "weight")) == v.namedParameters().get("module.0.weight"), "the module's own tensors");
        assertEquals(Map.copyOf(v.namedParameters()), Map.copyOf(Parameters.toMap(p)));
    }

    @Test
    void sharedDataN0EqualsTheLoopWithGradients() {
        Property.forAll("ensemble N0 equals the loop", 6, gen -> {
            int n = gen.intIn(1, 4), b = gen.intIn(1, 5);
            List<ValueOperator> members = List.of(critic(1), critic(2), critic(3), critic(4)).subList(0, n);
            EnsembleModule ens = EnsembleModule.fromModules(members, Randomness.ERROR);
            assertEquals(n, ens.size());
            TensorDict data = TensorDict.of(new int[] {b}, "observation", randn(10 + b, b, 3), "action", randn(20 + b, b, 2));
            TensorDict out = ens.forward(data);
            assertArrayEquals(new int[] {n, b}, out.batchSize());
            assertFalse(data.contains("state_action_value"), "the input is not written to");
            Tensor values = out.get("state_action_value");
            assertArrayEquals(new int[] {n, b, 1}, values.shape());
            Tensor w = randn(99, n, b, 1);
            values.mul(w).sum().backward();
            TensorDict params = ens.params();
            for (int i = 0; i < n; i++) {
                ValueOperator m = members.get(i);
                Tensor vi = m.forward(data.copy()).get("state_action_value");
                assertClose(vi, values.select(0, i), 1e-12, "member " + i);
                vi.mul(w.select(0, i)).sum().backward();
                for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                    Tensor g = params.get(Key.parse(e.getKey(), ".")).grad();
                    assertClose(e.getValue().grad(), g.select(0, i), 1e-12, "gradient of " + e.getKey() + " slice " + i);
                }
            }
        });
    }

    @Test
    void stackedData00EqualsTheLoop() {
        ValueOperator template = critic(5);
        EnsembleModule ens = EnsembleModule.expand(template, 3, new Generator(6), null, Randomness.ERROR);
        TensorDict data = TensorDict.of(new int[] {3, 4}, "observation", randn(1, 3, 4, 3), "action", randn(2, 3, 4, 2));
        Tensor values = ens.forward(data, EnsembleModule.Layout.STACKED).get("state_action_value");
        assertArrayEquals(new int[] {3, 4, 1}, values.shape());
        values.sum().backward();
        for (int i = 0; i < 3; i++) {
            TensorDict pi = ens.memberParams(i);
            Tensor vi = template.forwardWith(pi, data.index(i)).get("state_action_value");
            assertClose(vi, values.select(0, i), 1e-12, "member " + i + " on slice " + i);
        }
        for (Tensor p : ens.parameters()) assertTrue(p.grad() != null, "every stacked parameter gets a gradient");
        for (Tensor p : template.parameters()) assertNull(p.grad(), "the template's own tensors are not used");
        var e = assertThrows(IllegalArgumentException.class, () -> ens.forward(TensorDict.of(new int[] {2}, "observation", randn(1, 2, 3)), EnsembleModule.Layout.STACKED));
        assertMentions(e, "batch [3, ...]", "got batch [2]");
    }

    @Test
    void expandRedrawsWithinEachParametersRangeAndSharesCompareAgainst() {
        ValueOperator template = critic(7);
        Tensor shared = template.namedParameters().get("module.0.weight");
        EnsembleModule ens = EnsembleModule.expand(template, 2, new Generator(8), List.of(shared), Randomness.ERROR);
        TensorDict p = ens.params();
        Tensor bias = template.namedParameters().get("module.0.bias");
        for (double x : p.get(Key.of("module", "0", "bias")).toDoubleArray()) {
            assertTrue(x >= bias.min().item() && x <= bias.max().item(), x + " within the original's range");
        }
        Tensor sharedCopies = p.get(Key.of("module", "0", "weight"));
        assertFalse(sharedCopies.requiresGrad(), "shared with the actor: a detached view");
        assertClose(shared.detach(), sharedCopies.select(0, 1), 0, "same values, not re-drawn");
        assertFalse(ens.namedParameters().containsKey("module/0/weight"), "not trainable in the ensemble");
        assertTrue(ens.namedParameters().containsKey("module/0/bias"));
    }
}
