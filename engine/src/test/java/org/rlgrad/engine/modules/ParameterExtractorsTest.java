package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.modules.ModulesFixture.F64;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.seq;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/** The parameter extractors as TD-module functions (spec 3.13). */
class ParameterExtractorsTest {
    @Test
    void normalParamExtractorSplitsAndPassesExtrasThrough() {
        Tensor p = seq(-2, 0.5, 2, 4);
        TensorDictModule m = TensorDictModule.builder(new NormalParamExtractorModule("exp", 0.2)).inKeys("param", "extra").outKeys("loc", "scale", "extra_out").build();
        TensorDict td = m.forward(TensorDict.of(new int[] {2}, "param", p, "extra", seq(9, 0, 2, 1)));
        assertClose(p.narrow(-1, 0, 2), td.get("loc"), 0, "first half");
        assertClose(p.narrow(-1, 2, 2).exp().clampMin(0.2), td.get("scale"), 1e-12, "max(exp(second half), 0.2)");
        assertClose(seq(9, 0, 2, 1), td.get("extra_out"), 0, "passed through");
        var odd = assertThrows(IllegalArgumentException.class,
                () -> TensorDictModule.builder(new NormalParamExtractorModule()).inKeys("param").outKeys("loc", "scale").build()
                        .forward(TensorDict.of(new int[0], "param", seq(0, 1, 3))));
        assertMentions(odd, "even size", "[3]");
    }

    @Test
    void stateIndependentScaleIsTrainableAndExpanded() {
        AddStateIndependentNormalScale head = new AddStateIndependentNormalScale(new int[] {3}, "exp", 1e-4, 0.5, F64);
        TensorDictModule m = TensorDictModule.builder(head).inKeys("loc").outKeys("loc", "scale").build();
        assertEquals(List.of("module.scale"), List.copyOf(m.namedParameters().keySet()), "the trainable parameter is registered");
        Tensor loc = seq(0, 1, 4, 3);
        TensorDict td = m.forward(TensorDict.of(new int[] {4}, "loc", loc));
        assertClose(Tensor.full(new int[] {4, 3}, Math.exp(0.5), F64), td.get("scale"), 1e-12, "exp(0.5) expanded to loc");
        td.get("scale").sum().backward();
        assertClose(Tensor.full(new int[] {3}, 4 * Math.exp(0.5), F64), head.namedParameters().get("scale").grad(), 1e-12, "d/dp sum exp(p) over 4 rows");
        var bad = assertThrows(IllegalArgumentException.class, () -> m.forward(TensorDict.of(new int[] {4}, "loc", seq(0, 1, 4, 2))));
        assertMentions(bad, "trailing dims of loc (shape [4, 2])", "scale shape [3]");
    }
}
