package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Sigmoid;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** Spec losses.md §2.12. */
class GAILLossTest {
    private static final int OBS = 3, ACT = 2, HIDDEN = 4;
    private static final double H = 1e-6;

    /** [observation, action] → a probability. */
    private static Sequential net(long seed, int hidden) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS + ACT, hidden, true, DType.FLOAT64, g), new Tanh(), new Linear(hidden, 1, true, DType.FLOAT64, g),
                new Sigmoid());
    }

    private static Sequential net(long seed) {
        return net(seed, HIDDEN);
    }

    private static ValueOperator discriminator(Sequential net, String obs, String act, String out) {
        TensorFunction f = TensorFunction.of((o, a) -> net.forward(Tensor.cat(List.of(o, a), -1)));
        return new ValueOperator(net, f, List.of(obs, act), List.of(out));
    }

    private static ValueOperator discriminator(Sequential net) {
        return discriminator(net, "observation", "action", "d_logits");
    }

    private static double[] d(Sequential net, Tensor obs, Tensor act) {
        return net.forward(Tensor.cat(List.of(obs, act), -1)).toDoubleArray();
    }

    /** Expert and collector samples of batch {@code batch}. */
    private static TensorDict batch(Gen gen, int... batch) {
        TensorDict td = new TensorDict(batch);
        td.set("observation", gen.uniform(shape(batch, OBS), -1, 1));
        td.set("action", gen.uniform(shape(batch, ACT), -1, 1));
        td.set("collector_observation", gen.uniform(shape(batch, OBS), -1, 1));
        td.set("collector_action", gen.uniform(shape(batch, ACT), -1, 1));
        return td;
    }

    private static int[] shape(int[] batch, int last) {
        int[] s = Arrays.copyOf(batch, batch.length + 1);
        s[batch.length] = last;
        return s;
    }

    /** The interpolation noise {@code u_o, u_a} as the loss must ask for it. */
    private static ReplayedDraws draws(Tensor uO, Tensor uA) {
        return new ReplayedDraws(List.of(new ReplayedDraws.Draw(GAILLoss.NOISE_SITE, ReplayedDraws.Kind.UNIFORM, uO),
                new ReplayedDraws.Draw(GAILLoss.NOISE_SITE, ReplayedDraws.Kind.UNIFORM, uA)));
    }

    /** A source that fails on any draw. */
    private static final RandomSource NO_DRAWS = new RandomSource() {
        @Override
        public Tensor standardNormal(String site, int[] shape, DType dtype) { throw new AssertionError("unexpected normal draw at " + site); }

        @Override
        public Tensor uniform(String site, int[] shape, DType dtype, double low, double high) { throw new AssertionError("unexpected uniform draw at " + site); }

        @Override
        public Tensor randperm(String site, int n) { throw new AssertionError("unexpected randperm at " + site); }
    };

    /** The BCE terms recomputed from the network alone: −ln D(expert) − ln(1 − D(collector)), per sample. */
    @Test
    void theLossIsTheCrossEntropyOfExpertAndCollectorProbabilities() {
        Property.forAll("gail bce", 20, gen -> {
            Sequential net = net(gen.intIn(1, 1000));
            int[] b = gen.bool() ? new int[] {gen.intIn(1, 5)} : new int[] {gen.intIn(1, 4), gen.intIn(1, 4)};
            TensorDict td = batch(gen, b);
            double[] pE = d(net, td.get("observation"), td.get("action"));
            double[] pC = d(net, td.get("collector_observation"), td.get("collector_action"));
            double[] want = new double[pE.length];
            double mean = 0;
            for (int i = 0; i < want.length; i++) {
                want[i] = -Math.log(pE[i]) - Math.log(1 - pC[i]);
                mean += want[i] / want.length;
            }
            GAILLoss none = GAILLoss.builder(discriminator(net)).reduction("none").build();
            none.setRandomSource(NO_DRAWS);
            Tensor perElement = none.forward(td).get("loss");
            assertArrayEquals(shape(b, 1), perElement.shapeRef(), "reduction none: [*B, 1]");
            assertArrayEquals(want, perElement.toDoubleArray(), 1e-13);
            GAILLoss meanLoss = GAILLoss.builder(discriminator(net)).build();
            meanLoss.setRandomSource(NO_DRAWS);
            TensorDict out = meanLoss.forward(td);
            assertEquals(mean, out.get("loss").item(), 1e-13);
            assertFalse(out.contains("gp_loss"), "no penalty, no gp_loss entry");
        });
    }

    @Test
    void gradientReachesEveryDiscriminatorParameterAndThereIsNoTarget() {
        Sequential net = net(3);
        GAILLoss loss = GAILLoss.builder(discriminator(net)).useGradPenalty(true).build();
        TensorDict td = batch(Gen.seeded(4), 4);
        loss.setRandomSource(new Generator(5));
        loss.forward(td).get("loss").backward();
        for (Tensor p : net.parameters()) {
            assertNotNull(p.grad());
            assertTrue(Arrays.stream(p.grad().toDoubleArray()).anyMatch(v -> v != 0), "a zero gradient");
        }
        assertEquals(net.parameters().size(), loss.parameters().size());
        assertFalse(loss.hasDelayedTarget(GAILLoss.DISCRIMINATOR));
        assertEquals(List.of(GAILLoss.DISCRIMINATOR), loss.networkNames());
        for (String k : List.of("observation", "action", "collector_observation", "collector_action")) {
            assertFalse(td.get(k).requiresGrad(), "the caller's data is untouched");
        }
        assertEquals(4, td.keys().size(), "nothing is written into the caller's dict");
    }

    /**
     * The check: d(gp)/dθ from autograd (a second-order gradient, through g) against central
     * finite differences of gp over every discriminator weight, in float64, with fixed noise.
     */
    @Test
    void thePenaltysGradientMatchesFiniteDifferencesOverEveryWeight() {
        Gen gen = Gen.seeded(11);
        Sequential net = net(12);
        GAILLoss loss = GAILLoss.builder(discriminator(net)).useGradPenalty(true).gpLambda(3.0).build();
        TensorDict td = batch(gen, 3, 2);
        Tensor uO = gen.uniform(new int[] {3, 2, OBS}, 0, 1), uA = gen.uniform(new int[] {3, 2, ACT}, 0, 1);
        loss.setRandomSource(draws(uO, uA));
        Tensor gp = loss.gradientPenalty(td);
        List<Tensor> params = net.parameters();
        List<Tensor> analytic = Autograd.grad(List.of(gp), params, null, false, false, false);
        int checked = 0;
        for (int k = 0; k < params.size(); k++) {
            Tensor p = params.get(k);
            double[] values = p.toDoubleArray(), grad = analytic.get(k).toDoubleArray();
            for (int j = 0; j < values.length; j++) {
                double up = penaltyWith(loss, td, uO, uA, p, values, j, values[j] + H);
                double down = penaltyWith(loss, td, uO, uA, p, values, j, values[j] - H);
                double numeric = (up - down) / (2 * H);
                assertEquals(numeric, grad[j], 1e-6 * Math.max(1, Math.abs(numeric)), "parameter " + k + " element " + j);
                checked++;
            }
            set(p, values);
        }
        assertEquals((OBS + ACT) * HIDDEN + HIDDEN + HIDDEN + 1, checked);
    }

    private static double penaltyWith(GAILLoss loss, TensorDict td, Tensor uO, Tensor uA, Tensor p, double[] values, int j, double v) {
        double[] moved = values.clone();
        moved[j] = v;
        set(p, moved);
        loss.setRandomSource(draws(uO, uA));
        try (GradMode.Scope g = GradMode.noGrad()) {
            return loss.gradientPenalty(td).item();
        }
    }

    private static void set(Tensor p, double[] values) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            p.copy_(Tensor.of(DType.FLOAT64, values, p.shape()));
        }
    }

    /**
     * g = ∂ΣD/∂(x̂_o, x̂_a) against central differences of ΣD over every input element; the penalty
     * recomputed from that numeric g; and the noise enters as u·collector + (1 − u)·expert, drawn
     * observation first, at site Uniform.sample.
     */
    @Test
    void theInputGradientAndThePenaltyMatchFiniteDifferences() {
        Gen gen = Gen.seeded(21);
        Sequential net = net(22);
        GAILLoss loss = GAILLoss.builder(discriminator(net)).useGradPenalty(true).build();
        TensorDict td = batch(gen, 4);
        Tensor uO = gen.uniform(new int[] {4, OBS}, 0, 1), uA = gen.uniform(new int[] {4, ACT}, 0, 1);
        Tensor xO = uO.mul(td.get("collector_observation")).add(uO.rsub(1).mul(td.get("observation")));
        Tensor xA = uA.mul(td.get("collector_action")).add(uA.rsub(1).mul(td.get("action")));

        double[] g = loss.inputGradient(xO, xA).toDoubleArray();
        double[] numeric = new double[4 * (OBS + ACT)];
        double[] o = xO.toDoubleArray(), a = xA.toDoubleArray();
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < OBS + ACT; c++) {
                double[][] plus = {o.clone(), a.clone()}, minus = {o.clone(), a.clone()};
                int which = c < OBS ? 0 : 1, col = c < OBS ? c : c - OBS, width = c < OBS ? OBS : ACT;
                plus[which][i * width + col] += H;
                minus[which][i * width + col] -= H;
                numeric[i * (OBS + ACT) + c] = (sumD(net, plus) - sumD(net, minus)) / (2 * H);
            }
        }
        assertArrayEquals(numeric, g, 1e-8);

        double want = 0;
        for (int i = 0; i < 4; i++) {
            double sq = 0;
            for (int c = 0; c < OBS + ACT; c++) sq += numeric[i * (OBS + ACT) + c] * numeric[i * (OBS + ACT) + c];
            want += Math.pow(Math.sqrt(sq) - 1, 2) / 4;
        }
        ReplayedDraws replay = draws(uO, uA);
        loss.setRandomSource(replay);
        assertEquals(10 * want, loss.gradientPenalty(td).item(), 1e-7);
        replay.checkAllUsed();

        // u = 0 puts x̂ on the expert samples, u = 1 on the collector samples.
        double atExpert = penalty(loss.inputGradient(td.get("observation"), td.get("action")));
        double atCollector = penalty(loss.inputGradient(td.get("collector_observation"), td.get("collector_action")));
        assertNotEquals(atExpert, atCollector, 1e-6);
        loss.setRandomSource(draws(Tensor.zeros(DType.FLOAT64, 4, OBS), Tensor.zeros(DType.FLOAT64, 4, ACT)));
        assertEquals(atExpert, loss.gradientPenalty(td).item(), 1e-12);
        loss.setRandomSource(draws(Tensor.ones(DType.FLOAT64, 4, OBS), Tensor.ones(DType.FLOAT64, 4, ACT)));
        assertEquals(atCollector, loss.gradientPenalty(td).item(), 1e-12);
    }

    private static double penalty(Tensor g) {
        return g.norm(2, new int[] {-1}, false).sub(1).square().mean().item() * 10;
    }

    private static double sumD(Sequential net, double[][] oa) {
        Tensor o = Tensor.of(DType.FLOAT64, oa[0], 4, OBS), a = Tensor.of(DType.FLOAT64, oa[1], 4, ACT);
        return Arrays.stream(d(net, o, a)).sum();
    }

    /** Without the penalty nothing is drawn and nothing reported; with it the difference is gp, counted once per element under sum. */
    @Test
    void thePenaltyOptionChangesTheLossByGpPerElement() {
        Gen gen = Gen.seeded(31);
        Sequential net = net(32);
        TensorDict td = batch(gen, 3, 2);
        Tensor uO = gen.uniform(new int[] {3, 2, OBS}, 0, 1), uA = gen.uniform(new int[] {3, 2, ACT}, 0, 1);
        for (String reduction : List.of("mean", "sum", "none")) {
            GAILLoss off = GAILLoss.builder(discriminator(net)).reduction(reduction).build();
            off.setRandomSource(NO_DRAWS);
            TensorDict plain = off.forward(td);
            assertFalse(plain.contains("gp_loss"));
            GAILLoss on = GAILLoss.builder(discriminator(net)).reduction(reduction).useGradPenalty(true).gpLambda(10).build();
            on.setRandomSource(draws(uO, uA));
            TensorDict penalised = on.forward(td);
            Tensor gp = penalised.get("gp_loss");
            assertArrayEquals(new int[0], gp.shapeRef());
            assertFalse(gp.requiresGrad(), "gp_loss is a detached metric");
            assertTrue(gp.item() > 1e-3, "a penalty that vanishes cannot show the difference: " + gp.item());
            double[] a = plain.get("loss").toDoubleArray(), b = penalised.get("loss").toDoubleArray();
            assertEquals(a.length, b.length);
            double perElement = reduction.equals("sum") ? 6 * gp.item() : gp.item();
            for (int i = 0; i < a.length; i++) assertEquals(a[i] + perElement, b[i], 1e-12, reduction);
        }
    }

    @Test
    void lambdaScalesThePenalty() {
        Gen gen = Gen.seeded(41);
        Sequential net = net(42);
        TensorDict td = batch(gen, 5);
        Tensor uO = gen.uniform(new int[] {5, OBS}, 0, 1), uA = gen.uniform(new int[] {5, ACT}, 0, 1);
        GAILLoss ten = GAILLoss.builder(discriminator(net)).useGradPenalty(true).build();
        GAILLoss two = GAILLoss.builder(discriminator(net)).useGradPenalty(true).gpLambda(2).build();
        assertEquals(10.0, ten.gpLambda());
        ten.setRandomSource(draws(uO, uA));
        two.setRandomSource(draws(uO, uA));
        assertEquals(ten.forward(td).get("gp_loss").item() / 5, two.forward(td).get("gp_loss").item(), 1e-13);
    }

    @Test
    void keysCanBeRenamedAndAMissingInputIsNamed() {
        Sequential net = net(51);
        Gen gen = Gen.seeded(52);
        TensorDict td = batch(gen, 3);
        Tensor uO = gen.uniform(new int[] {3, OBS}, 0, 1), uA = gen.uniform(new int[] {3, ACT}, 0, 1);
        GAILLoss plain = GAILLoss.builder(discriminator(net)).useGradPenalty(true).build();
        plain.setRandomSource(draws(uO, uA));
        TensorDict want = plain.forward(td);

        TensorDict renamed = new TensorDict(3);
        renamed.set("obs_e", td.get("observation"));
        renamed.set("act_e", td.get("action"));
        renamed.set("obs_c", td.get("collector_observation"));
        renamed.set("act_c", td.get("collector_action"));
        GAILLoss loss = GAILLoss.builder(discriminator(net, "obs_e", "act_e", "prob")).useGradPenalty(true).build();
        loss.setKeys("expert_observation", "obs_e").setKeys("expert_action", "act_e").setKeys("collector_observation", "obs_c")
                .setKeys("collector_action", "act_c").setKeys("discriminator_pred", "prob");
        loss.setRandomSource(draws(uO, uA));
        TensorDict got = loss.forward(renamed);
        assertEquals(want.get("loss").item(), got.get("loss").item(), 1e-14);
        assertEquals(want.get("gp_loss").item(), got.get("gp_loss").item(), 1e-14);

        renamed.remove("act_c");
        loss.setRandomSource(draws(uO, uA));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(renamed));
        assertTrue(e.getMessage().contains("act_c"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loss.setKeys("value", "v"), "an unknown key name");
        assertEquals(List.of("expert_action", "expert_observation", "collector_action", "collector_observation", "discriminator_pred"), GAILLoss.keyNames());
    }

    @Test
    void anUnbatchedInputIsRefused() {
        GAILLoss loss = GAILLoss.builder(discriminator(net(61))).build();
        TensorDict td = new TensorDict();
        Gen gen = Gen.seeded(62);
        td.set("observation", gen.uniform(new int[] {OBS}, -1, 1));
        td.set("action", gen.uniform(new int[] {ACT}, -1, 1));
        td.set("collector_observation", gen.uniform(new int[] {OBS}, -1, 1));
        td.set("collector_action", gen.uniform(new int[] {ACT}, -1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(td));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
    }

    /** Shuffling expert and collector samples (and the noise with them) leaves the mean loss unchanged. */
    @Test
    void meanLossIgnoresTheOrderOfSamples() {
        Property.forAll("gail order", 10, gen -> {
            Sequential net = net(gen.intIn(1, 100));
            int b = gen.intIn(2, 6);
            TensorDict td = batch(gen, b);
            Tensor uO = gen.uniform(new int[] {b, OBS}, 0, 1), uA = gen.uniform(new int[] {b, ACT}, 0, 1);
            Tensor perm = Tensor.of(Arrays.stream(gen.permutation(b)).asLongStream().toArray(), b);
            GAILLoss loss = GAILLoss.builder(discriminator(net)).useGradPenalty(gen.bool()).build();
            loss.setRandomSource(draws(uO, uA));
            double original = loss.forward(td).get("loss").item();
            loss.setRandomSource(draws(uO.indexSelect(0, perm), uA.indexSelect(0, perm)));
            assertEquals(original, loss.forward(td.index(perm)).get("loss").item(), 1e-13);
        });
    }

    @Test
    void thePenaltyIsComputedUnderNoGradToo() {
        Gen gen = Gen.seeded(71);
        Sequential net = net(72);
        TensorDict td = batch(gen, 4);
        Tensor uO = gen.uniform(new int[] {4, OBS}, 0, 1), uA = gen.uniform(new int[] {4, ACT}, 0, 1);
        GAILLoss loss = GAILLoss.builder(discriminator(net)).useGradPenalty(true).build();
        loss.setRandomSource(draws(uO, uA));
        double live = loss.forward(td).get("loss").item();
        loss.setRandomSource(draws(uO, uA));
        Tensor quiet;
        try (GradMode.Scope g = GradMode.noGrad()) {
            quiet = loss.forward(td).get("loss");
        }
        assertFalse(quiet.requiresGrad(), "no history under noGrad");
        assertEquals(live, quiet.item(), 1e-14);
    }

    @Test
    void itUsesNoValueEstimator() {
        GAILLoss loss = GAILLoss.builder(discriminator(net(1))).build();
        assertThrows(UnsupportedOperationException.class, loss::valueEstimator);
        assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator("td0"));
    }

    /**
     * Expert actions follow the observation, collector actions oppose it: trained with the penalty
     * (second-order gradients every step), the discriminator separates them and the loss falls.
     */
    @Test
    void theDiscriminatorLearnsToSeparateExpertFromCollectorSamples() {
        Sequential net = net(81, 16);
        GAILLoss loss = GAILLoss.builder(discriminator(net)).useGradPenalty(true).gpLambda(1).build();
        loss.setRandomSource(new Generator(82));
        Gen gen = Gen.seeded(83);
        Adam opt = new Adam(loss.parameters(), 0.02);
        List<Double> history = new ArrayList<>();
        TensorDict td = null;
        for (int step = 0; step < 300; step++) {
            td = separable(gen, 32);
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor l = out.get("loss");
            l.backward();
            opt.step();
            assertTrue(Double.isFinite(l.item()) && Double.isFinite(out.get("gp_loss").item()), "step " + step);
            for (Tensor p : net.parameters()) assertTrue(Arrays.stream(p.toDoubleArray()).allMatch(Double::isFinite), "step " + step);
            history.add(l.item());
        }
        double first = history.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = history.subList(290, 300).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.5 * first, first + " -> " + last);
        double[] pE = d(net, td.get("observation"), td.get("action")), pC = d(net, td.get("collector_observation"), td.get("collector_action"));
        assertTrue(Arrays.stream(pE).average().orElseThrow() > 0.8, "expert samples look expert");
        assertTrue(Arrays.stream(pC).average().orElseThrow() < 0.2, "collector samples look collected");
    }

    private static TensorDict separable(Gen gen, int n) {
        TensorDict td = batch(gen, n);
        Tensor oE = td.get("observation"), oC = td.get("collector_observation");
        td.set("action", oE.narrow(-1, 0, ACT).mul(0.8));
        td.set("collector_action", oC.narrow(-1, 0, ACT).mul(-0.8));
        return td;
    }
}
