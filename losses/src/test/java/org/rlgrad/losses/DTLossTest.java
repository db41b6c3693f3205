package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** Spec losses.md §2.14. */
class DTLossTest {
    private static final int OBS = 3, ACT = 2;

    private static Sequential net(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS, 8, true, DType.FLOAT64, g), new Tanh(), new Linear(8, ACT, true, DType.FLOAT64, g), new Tanh());
    }

    private static TensorDict batch(Gen gen, int b, int t) {
        TensorDict td = new TensorDict(b, t);
        td.set("observation", gen.uniform(new int[] {b, t, OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {b, t, ACT}, -0.9, 0.9));
        return td;
    }

    /** The loss recomputed from the network itself: every element's distance to the data action. */
    @Test
    void theLossIsTheDistanceOfEveryActionComponent() {
        Property.forAll("dt loss", 20, gen -> {
            Sequential net = net(gen.intIn(1, 1000));
            String d = gen.oneOf("l2", "l1", "smooth_l1");
            TensorDict td = batch(gen, gen.intIn(1, 4), gen.intIn(1, 5));
            Tensor action = td.get("action");
            DTLoss none = DTLoss.builder(new Actor(net)).lossFunction(d).reduction("none").build();
            Tensor perElement = none.forward(td).get("loss");
            Tensor want = Distance.parse(d).apply(net.forward(td.get("observation")), action);
            assertArrayEquals(action.shapeRef(), perElement.shapeRef(), "reduction none keeps the action's shape");
            assertArrayEquals(want.toDoubleArray(), perElement.toDoubleArray(), 1e-14);
            assertSame(action, td.get("action"), "the caller's action is not overwritten by the prediction");
            DTLoss mean = DTLoss.builder(new Actor(net)).lossFunction(d).build();
            assertEquals(want.mean().item(), mean.forward(td).get("loss").item(), 1e-14);
        });
    }

    @Test
    void gradientReachesTheActorOnlyThroughThePrediction() {
        Sequential net = net(3);
        DTLoss loss = DTLoss.builder(new Actor(net)).build();
        TensorDict td = batch(Gen.seeded(4), 2, 3);
        Tensor action = td.get("action").clone().requiresGrad(true);
        td.set("action", action);
        loss.forward(td).get("loss").backward();
        for (Tensor p : net.parameters()) assertNotNull(p.grad());
        assertEquals(null, action.grad(), "the target is detached");
        assertEquals(net.parameters().size(), loss.parameters().size());
    }

    @Test
    void keysCanBeRenamedAndAMissingTargetIsNamed() {
        Sequential net = net(5);
        TensorDict td = batch(Gen.seeded(6), 2, 2);
        double plain = DTLoss.builder(new Actor(net)).build().forward(td).get("loss").item();
        TensorDict renamed = new TensorDict(2, 2);
        renamed.set("observation", td.get("observation"));
        renamed.set("expert_action", td.get("action"));
        DTLoss loss = DTLoss.builder(new Actor(net, List.of("observation"), List.of("predicted"))).build();
        loss.setKeys("action_target", "expert_action").setKeys("action_pred", "predicted");
        assertEquals(plain, loss.forward(renamed).get("loss").item(), 1e-14);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("expert_action"), e.getMessage());
    }

    @Test
    void meanLossIgnoresTheOrderOfSamples() {
        Property.forAll("dt order", 10, gen -> {
            DTLoss loss = DTLoss.builder(new Actor(net(gen.intIn(1, 100)))).lossFunction("smooth_l1").build();
            int b = gen.intIn(2, 6);
            TensorDict td = batch(gen, b, 2);
            int[] perm = gen.permutation(b);
            TensorDict shuffled = td.index(Tensor.of(java.util.Arrays.stream(perm).asLongStream().toArray(), b));
            assertEquals(loss.forward(td).get("loss").item(), loss.forward(shuffled).get("loss").item(), 1e-13);
        });
    }

    @Test
    void itUsesNoValueEstimator() {
        DTLoss loss = DTLoss.builder(new Actor(net(1))).build();
        assertThrows(UnsupportedOperationException.class, loss::valueEstimator);
        assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator("td0"));
    }

    @Test
    void cloningTheDataLowersTheLossAndStaysFinite() {
        Sequential net = net(8);
        DTLoss loss = DTLoss.builder(new Actor(net)).build();
        Gen gen = Gen.seeded(9);
        TensorDict td = batch(gen, 8, 4);
        td.set("action", td.get("observation").narrow(-1, 0, ACT).mul(0.8));
        Adam opt = new Adam(loss.parameters(), 0.01);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 200; step++) {
            opt.zeroGrad();
            Tensor l = loss.forward(td).get("loss");
            l.backward();
            opt.step();
            if (step == 0) first = l.item();
            last = l.item();
            assertTrue(Double.isFinite(last));
        }
        assertTrue(last < 0.2 * first, first + " -> " + last);
    }
}
