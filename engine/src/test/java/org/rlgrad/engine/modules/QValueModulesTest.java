package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rlgrad.engine.modules.ModulesFixture.F64;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.linear;
import static org.rlgrad.engine.modules.ModulesFixture.seq;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** QValueModule / QValueActor (spec 3.10) and their distributional forms (3.11). */
class QValueModulesTest {
    static final Tensor Q = Tensor.of(F64, new double[] {1, 3, 3, 0, -2, 5, 5, -1}, 2, 4);

    static TensorDict q() {
        return TensorDict.of(new int[] {2}, "action_value", Q);
    }

    @Test
    void actionSpaceNames() {
        assertEquals(ActionSpace.ONE_HOT, ActionSpace.parse("one-hot"));
        assertEquals(ActionSpace.MULT_ONE_HOT, ActionSpace.parse("multi_one_hot"));
        assertEquals(ActionSpace.MULT_ONE_HOT, ActionSpace.parse("mult-one-hot"));
        assertEquals(ActionSpace.CATEGORICAL, ActionSpace.parse("categorical"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActionSpace.parse("continuous")), "one_hot", "categorical", "\"continuous\"");
        QValueModule binary = QValueModule.builder("binary").build();
        assertMentions(assertThrows(UnsupportedOperationException.class, () -> binary.forward(q())), "binary", "not implemented");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> QValueModule.builder(ActionSpace.MULT_ONE_HOT).build()), "varNums");
    }

    @Test
    void oneHotTiesGiveSeveralOnesAndTheChosenValueIsTheDotProduct() {
        TensorDict td = QValueModule.builder("one_hot").build().forward(q());
        Tensor action = td.get("action");
        assertEquals(DType.INT64, action.dtype());
        assertClose(Tensor.of(new long[] {0, 1, 1, 0, 0, 1, 1, 0}, 2, 4), action, 0, "ties: several ones");
        assertClose(Tensor.of(F64, new double[] {6, 10}, 2, 1), td.get("chosen_action_value"), 0, "sum(action * q), [..., 1]");
        assertClose(Q, td.get("action_value"), 0, "action values written back");
    }

    @Test
    void categoricalTakesTheFirstMaximum() {
        TensorDict td = QValueModule.builder(ActionSpace.CATEGORICAL).build().forward(q());
        assertClose(Tensor.of(new long[] {1, 1}, 2), td.get("action"), 0, "first argmax");
        assertClose(Tensor.of(F64, new double[] {3, 5}, 2, 1), td.get("chosen_action_value"), 0, "gather");
    }

    @Test
    void multOneHotChoosesPerBlock() {
        Tensor q = Tensor.of(F64, new double[] {1, 4, 2, 0, 9, 7, 7}, 1, 7);
        TensorDict td = QValueModule.builder("mult_one_hot").varNums(3, 2, 2).build().forward(TensorDict.of(new int[] {1}, "action_value", q));
        assertClose(Tensor.of(new long[] {0, 1, 0, 0, 1, 1, 1}, 1, 7), td.get("action"), 0, "blocks [1,4,2] [0,9] [7,7]");
        assertClose(Tensor.of(F64, new double[] {4 + 9 + 14}, 1, 1), td.get("chosen_action_value"), 0, "chosen value over all blocks");
        var bad = assertThrows(IllegalArgumentException.class,
                () -> QValueModule.builder("mult_one_hot").varNums(3, 3).build().forward(TensorDict.of(new int[] {1}, "action_value", q)));
        assertMentions(bad, "[3, 3] sum to 6", "7 entries");
    }

    @Test
    void maskSetsFinfoMinBeforeTheChoice() {
        Tensor mask = Tensor.of(new boolean[] {true, false, true, true, true, false, false, true}, 2, 4);
        TensorDict td = q();
        td.set("mask", mask);
        QValueModule m = QValueModule.builder(ActionSpace.CATEGORICAL).actionMaskKey("mask").build();
        assertEquals(List.of(Key.of("action_value"), Key.of("mask")), m.inKeys());
        m.forward(td);
        assertClose(Tensor.of(new long[] {2, 3}, 2), td.get("action"), 0, "masked maxima skipped");
        double min = -Double.MAX_VALUE;
        assertClose(Tensor.of(F64, new double[] {1, min, 3, 0, -2, min, min, -1}, 2, 4), td.get("action_value"), 0, "the masked values are written");
        assertMentions(assertThrows(java.util.NoSuchElementException.class, () -> m.forward(q())), "\"mask\"", "[\"action_value\"]");
    }

    @Test
    void qValueActorWrapsANetworkOrRequiresTheKey() {
        Linear net = linear(3, 4, 8);
        QValueActor actor = new QValueActor(net, QValueModule.builder("one_hot").build());
        Tensor obs = seq(-1, 0.25, 5, 3);
        TensorDict td = actor.forward(TensorDict.of(new int[] {5}, "observation", obs));
        Tensor qv = net.forward(obs);
        assertClose(qv, td.get("action_value"), 1e-12, "network output");
        assertClose(qv.eq(qv.amax(new int[] {-1}, true)).toLong(), td.get("action"), 0, "greedy");
        assertEquals(List.of(Key.of("action"), Key.of("action_value"), Key.of("chosen_action_value")), actor.outKeys(), "action_value rewritten by the Q-value module: kept at its last position");
        TensorDictModule wrong = TensorDictModule.of(net, List.of("observation"), List.of("q"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new QValueActor(wrong, QValueModule.builder("one_hot").build())),
                "out_keys [\"q\"]", "\"action_value\"");
    }

    // ------------------------------------------------------------------ distributional

    static final Tensor SUPPORT = Tensor.of(F64, new double[] {-1, 0, 2}, 3);

    @Test
    void distributionalChoosesOnTheExpectedValue() {
        Tensor logits = seq(-1, 0.37, 2, 3, 4).sin().mul(3);
        Tensor logp = logits.logSoftmax(-2);
        TensorDict td = DistributionalQValueModule.builder("categorical", SUPPORT).build().forward(TensorDict.of(new int[] {2}, "action_value", logp));
        // E[Q] computed entry by entry.
        double[] lp = logp.toDoubleArray();
        long[] best = new long[2];
        for (int b = 0; b < 2; b++) {
            double bestV = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < 4; a++) {
                double e = 0;
                for (int z = 0; z < 3; z++) e += Math.exp(lp[b * 12 + z * 4 + a]) * SUPPORT.toDoubleArray()[z];
                if (e > bestV) {
                    bestV = e;
                    best[b] = a;
                }
            }
        }
        assertClose(Tensor.of(best, 2), td.get("action"), 0, "argmax of the expected values");
        assertEquals(List.of(Key.of("action_value"), Key.of("action")), td.keys(true, false), "no chosen value");
    }

    @Test
    void distributionalErrors() {
        Tensor positive = Tensor.of(F64, new double[] {0.5, -1, -1, -1, -2, -3}, 3, 2);
        var e = assertThrows(IllegalArgumentException.class,
                () -> DistributionalQValueModule.builder("one_hot", SUPPORT).build().forward(TensorDict.of(new int[0], "action_value", positive)));
        assertMentions(e, "input to QValueHook must be log-softmax values", "got a maximum value of 0.5000");
        Tensor fourAtoms = seq(-1, -0.1, 4, 2);
        var len = assertThrows(IllegalArgumentException.class,
                () -> DistributionalQValueModule.builder("one_hot", SUPPORT).build().forward(TensorDict.of(new int[0], "action_value", fourAtoms)));
        assertMentions(len, "support length and number of atoms", "[3]", "[4, 2]");
    }

    @Test
    void distributionalActorInsertsLogSoftmaxOverAtoms() {
        Linear net = linear(2, 6, 3);
        TensorDictModule reshape = TensorDictModule.builder(TensorFunction.of(x -> net.forward(x).unflatten(-1, 3, 2))).inKeys("observation").outKeys("action_value").build();
        DistributionalQValueActor actor = new DistributionalQValueActor(reshape, DistributionalQValueModule.builder("categorical", SUPPORT).build(), true);
        assertEquals(3, actor.sequence().size(), "network, log-softmax, Q-value module");
        assertEquals(ActionSpace.CATEGORICAL, actor.qValueModule().actionSpace(), "the actor exposes its Q-value module and its action space");
        assertEquals(ActionSpace.ONE_HOT, DistributionalQValueModule.builder("one_hot", SUPPORT).build().actionSpace());
        Tensor obs = seq(0, 0.5, 4, 2);
        TensorDict td = actor.forward(TensorDict.of(new int[] {4}, "observation", obs));
        assertClose(net.forward(obs).unflatten(-1, 3, 2).logSoftmax(-2), td.get("action_value"), 1e-12, "log_softmax over dim -2");
        DistributionalQValueActor again = new DistributionalQValueActor(new TensorDictSequential(actor.sequence().subList(0, 2), false),
                DistributionalQValueModule.builder("categorical", SUPPORT).build(), true);
        assertEquals(2, again.sequence().size(), "no second log-softmax");
        TensorDictModule flat = TensorDictModule.builder(TensorFunction.of(x -> x.sum(-1))).inKeys("observation").outKeys("action_value").build();
        DistributionalQValueActor rank1 = new DistributionalQValueActor(flat, DistributionalQValueModule.builder("categorical", SUPPORT).build(), true);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> rank1.forward(TensorDict.of(new int[0], "observation", seq(0, 1, 2)))),
                "rank >= 2", "got shape []");
    }
}
