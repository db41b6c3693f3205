package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertMessageContains;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.seq;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.transition;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;

/** The next view / step_mdp (spec 2.6), multi-agent layouts (2.7) and keyword dispatch (2.10). */
class TensorDictRlLayoutTest {
    @Test
    void nextViewIsTheNextContentsWithoutTheRewardDoneFlagsKept() {
        TensorDict td = transition(3);
        td.set("is_init", Tensor.of(new boolean[] {true, false, false}, 3));
        TensorDict next = td.nextView();
        assertEquals(List.of(Key.of("observation"), Key.of("done"), Key.of("terminated")), next.keys(true, false));
        assertSame(td.get(Key.of("next", "observation")), next.get("observation"));
        assertArrayEquals(new int[] {3}, next.batchSize());
    }

    @Test
    void stepMdpDefaultsKeepOtherRootEntriesDropRewardAndAction() {
        TensorDict td = transition(3);
        td.set("is_init", Tensor.of(new boolean[] {true, false, false}, 3));
        TensorDict s = td.stepMdp();
        assertEquals(List.of(Key.of("observation"), Key.of("is_init"), Key.of("done"), Key.of("terminated")), s.keys(true, false));
        assertSame(td.get(Key.of("next", "observation")), s.get("observation"), "next entries win over the root's");
        assertSame(td.get("is_init"), s.get("is_init"));
    }

    @Test
    void stepMdpOptions() {
        TensorDict td = transition(2);
        TensorDict noDone = StepMdp.defaults().excludeDone(true).keepOther(false).apply(td);
        assertEquals(List.of(Key.of("observation"), Key.of("terminated")), noDone.keys());
        TensorDict withReward = StepMdp.defaults().excludeReward(false).keepOther(false).apply(td);
        assertEquals(List.of(Key.of("observation"), Key.of("reward"), Key.of("done"), Key.of("terminated")), withReward.keys());
        TensorDict withAction = StepMdp.defaults().keepOther(false).excludeAction(false).apply(td);
        assertEquals(List.of(Key.of("action"), Key.of("observation"), Key.of("done"), Key.of("terminated")), withAction.keys());
        TensorDict otherDone = StepMdp.defaults().keepOther(false).excludeDone(true).doneKeys("done", "terminated").apply(td);
        assertEquals(List.of(Key.of("observation")), otherDone.keys());
        assertMessageContains(assertThrows(MissingKeyException.class, () -> td.exclude("next").nextView()), "\"next\"", "\"action\"");
    }

    @Test
    void multiAgentNextViewMergesNestedDictsAndExcludesNestedRewards() {
        TensorDict td = new TensorDict(4);
        td.set("agents", TensorDict.of(new int[] {4, 2}, "observation", seq(0, 4, 2, 3), "action", seq(0, 4, 2, 1)));
        td.set(Key.of("next", "agents"), TensorDict.of(new int[] {4, 2}, "observation", seq(50, 4, 2, 3), "reward", seq(0, 4, 2, 1)));
        td.set(Key.of("next", "done"), Tensor.of(new boolean[4], 4, 1));
        TensorDict s = StepMdp.defaults().rewardKeys(Key.of("agents", "reward")).actionKeys(Key.of("agents", "action")).apply(td);
        assertEquals(List.of(Key.of("agents"), Key.of("agents", "observation"), Key.of("done")), s.keys(true, false));
        assertArrayEquals(new int[] {4, 2}, s.getTensorDict("agents").batchSize());
        assertSame(td.get(Key.of("next", "agents", "observation")), s.get(Key.of("agents", "observation")));
        // Team-level flags expanded to per-agent shape, as estimators need (spec 2.7).
        Tensor done = td.get(Key.of("next", "done")).unsqueeze(1).expand(4, 2, 1);
        td.set(Key.of("next", "agents", "done"), done);
        assertArrayEquals(new int[] {4, 2, 1}, td.get(Key.of("next", "agents", "done")).shape());
    }

    @Test
    void keywordDispatchAssemblesTheLargestCommonLeadingBatch() {
        List<Key> inKeys = List.of(Key.of("obs"), Key.of("next", "reward"), Key.of("next", "done"));
        Map<String, Tensor> kw = new LinkedHashMap<>();
        kw.put("next_reward", seq(0, 1, 10, 1));
        TensorDict td = KeywordDispatch.build("GAE", inKeys, List.of(seq(0, 1, 10, 3)), kw, KeywordDispatch.BatchRule.COMMON_LEADING);
        assertArrayEquals(new int[] {1, 10}, td.batchSize());
        assertEquals(List.of(Key.of("obs"), Key.of("next"), Key.of("next", "reward")), td.keys(true, false));
        TensorDict plain = KeywordDispatch.build("module", inKeys, List.of(seq(0, 1, 10, 3)), kw, KeywordDispatch.BatchRule.EMPTY);
        assertArrayEquals(new int[0], plain.batchSize());
        assertEquals(List.of(seq(0, 1, 10, 1).shape()[1]), List.of(KeywordDispatch.outputs(td, List.of(Key.of("next", "reward"))).get(0).size(1)));
        assertArrayEquals(new int[] {2}, KeywordDispatch.commonLeadingShape(List.of(seq(0, 2, 3), seq(0, 2, 4))));
        assertArrayEquals(new int[0], KeywordDispatch.commonLeadingShape(List.of(seq(0, 2, 3), seq(0, 3, 2))));
    }

    @Test
    void keywordDispatchErrors() {
        List<Key> inKeys = List.of(Key.of("obs"), Key.of("next", "reward"));
        var twice = assertThrows(IllegalArgumentException.class, () -> KeywordDispatch.build("GAE", inKeys, List.of(seq(0, 2), seq(0, 2)),
                Map.of("next_reward", seq(0, 2)), KeywordDispatch.BatchRule.COMMON_LEADING));
        assertMessageContains(twice, "GAE", "given twice", "(\"next\", \"reward\")", "next_reward");
        var unknown = assertThrows(IllegalArgumentException.class, () -> KeywordDispatch.build("GAE", inKeys, List.of(),
                Map.of("reward", seq(0, 2)), KeywordDispatch.BatchRule.COMMON_LEADING));
        assertMessageContains(unknown, "'reward'", "[obs, next_reward]");
        var many = assertThrows(IllegalArgumentException.class, () -> KeywordDispatch.build("GAE", inKeys, List.of(seq(0, 2), seq(0, 2), seq(0, 2)),
                Map.of(), KeywordDispatch.BatchRule.COMMON_LEADING));
        assertMessageContains(many, "3 positional", "2 in_keys");
    }
}
