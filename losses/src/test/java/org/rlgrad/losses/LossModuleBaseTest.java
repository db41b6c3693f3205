package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.nn.Dropout;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.estimators.ValueEstimators;

class LossModuleBaseTest {
    /** Spec §1.8 written out element by element, against {@link MaskedReduction}. */
    @Test
    void maskedAndWeightedReductionsFollowTheSpec() {
        Property.forAll("masked reduction", 40, gen -> {
            int n = gen.intIn(1, 8);
            Tensor l = gen.uniform(new int[] {n}, -2, 2);
            Tensor m = gen.bools(new int[] {n, 1}, 0.6);
            Tensor w = gen.uniform(new int[] {n}, 0.1, 2);
            boolean useMask = gen.bool(), useW = gen.bool();
            Reduction red = gen.oneOf(Reduction.MEAN, Reduction.SUM, Reduction.NONE);
            Tensor got = MaskedReduction.reduce(l, red, useMask ? m : null, useW ? w : null);
            double[] lv = l.toDoubleArray(), wv = w.toDoubleArray();
            boolean[] mv = m.toBooleanArray();
            double num = 0, den = 0, count = 0;
            double[] none = new double[n];
            for (int i = 0; i < n; i++) {
                double mi = !useMask || mv[i] ? 1 : 0, wi = useW ? wv[i] : 1;
                none[i] = mi * lv[i] * wi;
                num += none[i];
                den += wi * mi;
                count += mi;
            }
            switch (red) {
                case NONE -> {
                    double[] g = got.toDoubleArray();
                    for (int i = 0; i < n; i++) assertEquals(none[i], g[i], 1e-12);
                }
                case SUM -> assertEquals(num, got.item(), 1e-12);
                case MEAN -> assertEquals(useW ? num / den : num / Math.max(1, count), got.item(), 1e-12);
            }
        });
    }

    @Test
    void aMaskedNanPoisonsNeitherTheValueNorTheOtherGradients() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor l = x.mul(Tensor.of(DType.FLOAT64, new double[] {1, Double.NaN, 1}, 3));
        Tensor out = MaskedReduction.reduce(l, Reduction.MEAN, Tensor.of(new boolean[] {true, false, true}, 3), null);
        assertEquals(2.0, out.item(), 1e-15);
        out.backward();
        double[] g = x.grad().toDoubleArray();
        assertEquals(0.5, g[0], 1e-15, "the unmasked entries keep their exact gradient (a product by the mask would make the sum NaN)");
        assertEquals(0.5, g[2], 1e-15);
    }

    @Test
    void maskShapingAndWeightShapeErrors() {
        Tensor l = Tensor.zeros(DType.FLOAT64, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskedReduction.reduce(l, Reduction.MEAN, Tensor.of(new boolean[8], 4, 2), null));
        assertTrue(e.getMessage().contains("more non-singleton"), e.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> MaskedReduction.reduce(l, Reduction.MEAN, null, Tensor.ones(DType.FLOAT64, 4, 1)));
        assertTrue(w.getMessage().contains("[4]") && w.getMessage().contains("[4, 1]"), w.getMessage());
    }

    @Test
    void theAutoMaskAndTheMaskKeySetting() {
        DQNLoss loss = DQNLoss.builder(TinyQ.network(1)).reduction("sum").build();
        TensorDict td = TinyQ.batch(Gen.seeded(2), 4);
        double all = loss.forward(td.copy()).get("loss").item();
        TensorDict masked = td.copy();
        masked.set("shifted_valid", Tensor.of(new boolean[] {true, false, false, false}, 4));
        double first = loss.forward(masked).get("loss").item();
        DQNLoss none = DQNLoss.builder(TinyQ.network(1)).reduction("none").build();
        double[] each = none.forward(td.copy()).get("loss").toDoubleArray();
        assertEquals(each[0], first, 1e-12);
        assertEquals(each[0] + each[1] + each[2] + each[3], all, 1e-12);

        loss.setLossMaskKey(null);
        assertEquals(all, loss.forward(masked.copy()).get("loss").item(), 1e-12, "null: no masking");
        assertThrows(IllegalArgumentException.class, () -> loss.setLossMaskKey(3));
        assertEquals(null, loss.lossMaskKey(), "a rejected value keeps the previous one");
        loss.setLossMaskKey(Key.of("auto"));
        assertEquals(Key.of("auto"), loss.lossMaskKey(), "Key.of(\"auto\") addresses an entry named auto");
        loss.setLossMaskKey("auto");
        assertSame(LossModule.AUTO, loss.lossMaskKey());
    }

    @Test
    void distances() {
        Property.forAll("distances", 20, gen -> {
            int n = gen.intIn(1, 6);
            Tensor a = gen.uniform(new int[] {n}, -3, 3), b = gen.uniform(new int[] {n}, -3, 3);
            double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
            double[] l1 = Distance.L1.apply(a, b).toDoubleArray(), l2 = Distance.L2.apply(a, b).toDoubleArray(),
                    sm = Distance.SMOOTH_L1.apply(a, b).toDoubleArray();
            for (int i = 0; i < n; i++) {
                double d = av[i] - bv[i];
                assertEquals(Math.abs(d), l1[i], 1e-14);
                assertEquals(d * d, l2[i], 1e-12);
                assertEquals(Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5, sm[i], 1e-12);
            }
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Distance.L2.apply(Tensor.zeros(DType.FLOAT64, 3), Tensor.zeros(DType.FLOAT64, 3, 1)));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[3, 1]"), e.getMessage());
        assertEquals(3, Distance.L2.apply(Tensor.zeros(DType.FLOAT64, 3), Tensor.zeros(DType.FLOAT64, 3, 1), false).dim() + 1);
    }

    @Test
    void totalLossSumsTheLossEntriesOnly() {
        TensorDict out = new TensorDict();
        out.set("loss_actor", Tensor.scalar(2.0, DType.FLOAT64));
        out.set("loss_value", Tensor.of(DType.FLOAT64, new double[] {1, 3}, 2));
        out.set("alpha", Tensor.scalar(100.0, DType.FLOAT64));
        assertEquals(6.0, LossOutputs.totalLoss(out).item(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> LossOutputs.totalLoss(new TensorDict()));
    }

    @Test
    void valueEstimatorMergesDefaultsAndHyperparameters() {
        DQNLoss loss = DQNLoss.builder(TinyQ.network(1)).build();
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType(), "created lazily with the default type");
        loss.makeValueEstimator("tdlambda", Map.of("gamma", 0.5));
        assertEquals(ValueEstimators.TDLambda, loss.valueEstimatorType());
        assertTrue(loss.valueEstimator().toString().contains("0.5"), loss.valueEstimator().toString());
        assertThrows(IllegalArgumentException.class, () -> loss.makeValueEstimator("td0", Map.of("lr", 1)));
        loss.setKeys("value", "action_value");
        assertEquals(Key.of("action_value"), loss.valueEstimator().tensorKeys().value(), "setKeys reaches the estimator");
    }

    @Test
    void vmapRandomnessDefaultsFromTheNetworksAndCanBeSet() {
        assertEquals(Randomness.ERROR, DQNLoss.builder(TinyQ.network(1)).build().vmapRandomness());
        Generator g = new Generator(1);
        Sequential withDropout = new Sequential(new Linear(3, 4, true, DType.FLOAT64, g), new Dropout(0.1));
        DQNLoss loss = DQNLoss.builder(withDropout).build();
        assertEquals(Randomness.DIFFERENT, loss.vmapRandomness());
        loss.setVmapRandomness("same");
        assertEquals(Randomness.SAME, loss.vmapRandomness());
        assertThrows(IllegalArgumentException.class, () -> loss.setVmapRandomness("sometimes"));
    }

    @Test
    void forwardRunsInTheDeterministicSamplingMode() {
        InteractionType[] seen = new InteractionType[1];
        DQNLoss loss = DQNLoss.builder(TinyQ.network(1)).build();
        LossModule probe = new LossModule("Probe", Map.of()) {
            @Override protected TensorDict computeLosses(TensorDict td) {
                seen[0] = InteractionType.current();
                return new TensorDict();
            }
            @Override protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }
            @Override protected java.util.Set<ValueEstimators> supportedValueEstimators() { return java.util.Set.of(ValueEstimators.TD0); }
        };
        probe.setDeterministicSamplingMode(InteractionType.MODE).forward(new TensorDict());
        assertEquals(InteractionType.MODE, seen[0]);
        assertTrue(loss.deterministicSamplingMode() == InteractionType.DETERMINISTIC);
    }
}
