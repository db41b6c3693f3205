package org.rlgrad.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradientCheck;
import org.rlgrad.engine.testing.Property;

/** VDNMixer and QMixer (TorchRL's multi-agent mixers) against their formulas, computed element by element. */
class MixersTest {
    /** Batch dims of rank 0 to 2. */
    private static int[] batch(Gen gen) {
        return switch (gen.intIn(0, 2)) {
            case 0 -> new int[0];
            case 1 -> new int[] {gen.intIn(1, 4)};
            default -> new int[] {gen.intIn(1, 3), gen.intIn(1, 3)};
        };
    }

    @Test
    void vdnSumsTheAgentsValuesAndHasNoParameters() {
        Property.forAll("vdn", 20, gen -> {
            int n = gen.intIn(1, 4);
            int[] b = batch(gen);
            Tensor q = gen.uniform(Shape.concat(b, new int[] {n, 1}), -2, 2);
            VDNMixer mixer = new VDNMixer(n);
            Tensor got = mixer.forward(q);
            assertArrayEquals(Shape.concat(b, new int[] {1}), got.shapeRef());
            double[] qs = q.toDoubleArray(), out = got.toDoubleArray();
            for (int i = 0; i < out.length; i++) {
                double want = 0;
                for (int a = 0; a < n; a++) want += qs[i * n + a];
                assertEquals(want, out[i], 1e-12);
            }
            assertTrue(mixer.parameters().isEmpty());
            assertTrue(!mixer.needsState());
        });
    }

    /** W₁ = |hyper_w_1(x)| row-major [n, E], b₁, h = elu(qᵀW₁ + b₁), w = |hyper_w_final(x)|, Q = h·w + V(x), per sample with scalar loops. */
    private static double qmixByHand(QMixer m, double[] q, double[] x) {
        int n = m.nAgents(), e = m.mixingEmbedDim();
        double[] w1 = affine((Linear) m.namedChildren().get("hyper_w_1"), x);
        double[] b1 = affine((Linear) m.namedChildren().get("hyper_b_1"), x);
        double[] wf = affine((Linear) m.namedChildren().get("hyper_w_final"), x);
        Sequential v = (Sequential) m.namedChildren().get("V");
        double[] hv = affine((Linear) v.get(0), x);
        for (int i = 0; i < hv.length; i++) hv[i] = Math.max(0, hv[i]);
        double value = affine((Linear) v.get(2), hv)[0];
        double total = value;
        for (int j = 0; j < e; j++) {
            double pre = b1[j];
            for (int a = 0; a < n; a++) pre += q[a] * Math.abs(w1[a * e + j]);
            double h = pre > 0 ? pre : Math.expm1(pre);
            total += h * Math.abs(wf[j]);
        }
        return total;
    }

    private static double[] affine(Linear l, double[] x) {
        double[] w = l.weight().toDoubleArray(), b = l.bias().toDoubleArray();
        double[] y = new double[l.outFeatures()];
        for (int o = 0; o < y.length; o++) {
            y[o] = b[o];
            for (int i = 0; i < x.length; i++) y[o] += w[o * x.length + i] * x[i];
        }
        return y;
    }

    @Test
    void qmixMatchesItsFormulaForAnyBatchShape() {
        Property.forAll("qmix", 20, gen -> {
            int n = gen.intIn(1, 4), e = gen.intIn(1, 4), s = gen.intIn(1, 4);
            int[] b = batch(gen);
            QMixer mixer = new QMixer(new int[] {s}, e, n, DType.FLOAT64, new Generator(gen.intIn(0, 1000)));
            Tensor q = gen.uniform(Shape.concat(b, new int[] {n, 1}), -2, 2);
            Tensor x = gen.uniform(Shape.concat(b, new int[] {s}), -2, 2);
            Tensor got = mixer.forward(q, x);
            assertArrayEquals(Shape.concat(b, new int[] {1}), got.shapeRef());
            double[] qs = q.toDoubleArray(), xs = x.toDoubleArray(), out = got.toDoubleArray();
            for (int i = 0; i < out.length; i++) {
                double want = qmixByHand(mixer, Arrays.copyOfRange(qs, i * n, (i + 1) * n), Arrays.copyOfRange(xs, i * s, (i + 1) * s));
                assertEquals(want, out[i], 1e-12 * (1 + Math.abs(want)));
            }
        });
    }

    @Test
    void aMultiDimensionalStateIsFlattened() {
        QMixer flat = new QMixer(new int[] {6}, 3, 2, DType.FLOAT64, new Generator(4));
        QMixer grid = new QMixer(new int[] {2, 3}, 3, 2, DType.FLOAT64, new Generator(4));
        Gen gen = Gen.seeded(5);
        Tensor q = gen.uniform(new int[] {4, 2, 1}, -1, 1), x = gen.uniform(new int[] {4, 2, 3}, -1, 1);
        assertArrayEquals(flat.forward(q, x.reshape(4, 6)).toDoubleArray(), grid.forward(q, x).toDoubleArray(), 0.0);
        assertEquals(6, grid.stateDim());
    }

    /** The point of QMIX: non-negative mixing weights make Q_tot monotone in every agent's value. */
    @Test
    void qmixIsMonotoneInEveryAgentsValue() {
        Property.forAll("qmix monotone", 20, gen -> {
            int n = gen.intIn(1, 4);
            QMixer mixer = new QMixer(new int[] {3}, gen.intIn(1, 5), n, DType.FLOAT64, new Generator(gen.intIn(0, 1000)));
            Tensor q = gen.uniform(new int[] {5, n, 1}, -3, 3).requiresGrad(true);
            Tensor x = gen.uniform(new int[] {5, 3}, -3, 3);
            Tensor dq = Autograd.grad(List.of(mixer.forward(q, x).sum()), List.of(q), null, false, false, false).get(0);
            for (double d : dq.toDoubleArray()) assertTrue(d >= 0, "dQ_tot/dq_a = " + d);
        });
    }

    @Test
    void qmixGradientsMatchFiniteDifferences() {
        Gen gen = Gen.seeded(11);
        QMixer mixer = new QMixer(new int[] {3}, 4, 2, DType.FLOAT64, new Generator(12));
        Tensor w1 = ((Linear) mixer.namedChildren().get("hyper_w_1")).weight();
        GradientCheck.of("qmix", xs -> mixer.functionalCall(Map.of("hyper_w_1.weight", xs.get(2)), true, () -> mixer.forward(xs.get(0), xs.get(1)))).at(gen.uniform(new int[] {3, 2, 1}, -1, 1), gen.uniform(new int[] {3, 3}, -1, 1), w1.detach().clone()).check();
    }

    @Test
    void parameterNamesAreTorchRls() {
        QMixer mixer = new QMixer(new int[] {4}, 3, 2, DType.FLOAT64, new Generator(1));
        assertEquals(List.of("hyper_w_1.weight", "hyper_w_1.bias", "hyper_w_final.weight", "hyper_w_final.bias", "hyper_b_1.weight", "hyper_b_1.bias",
                "V.0.weight", "V.0.bias", "V.2.weight", "V.2.bias"), List.copyOf(mixer.namedParameters().keySet()));
        assertArrayEquals(new int[] {6, 4}, mixer.namedParameters().get("hyper_w_1.weight").shapeRef(), "E·n rows");
    }

    @Test
    void wrongShapesAreErrorsThatSayWhatCame() {
        QMixer qmix = new QMixer(new int[] {4}, 3, 2, DType.FLOAT64, new Generator(1));
        Tensor q = Tensor.zeros(DType.FLOAT64, 5, 2, 1), x = Tensor.zeros(DType.FLOAT64, 5, 4);
        IllegalArgumentException agents = assertThrows(IllegalArgumentException.class, () -> qmix.forward(Tensor.zeros(DType.FLOAT64, 5, 3, 1), x));
        assertTrue(agents.getMessage().contains("[2, 1]") && agents.getMessage().contains("[5, 3, 1]"), agents.getMessage());
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class, () -> qmix.forward(q, Tensor.zeros(DType.FLOAT64, 5, 3)));
        assertTrue(state.getMessage().contains("[5, 4]") && state.getMessage().contains("[5, 3]"), state.getMessage());
        assertThrows(IllegalArgumentException.class, () -> qmix.forward(q));
        VDNMixer vdn = new VDNMixer(2);
        assertThrows(IllegalArgumentException.class, () -> vdn.forward(q, x));
        assertThrows(IllegalArgumentException.class, () -> new VDNMixer(0));
        QMixer narrow = new QMixer(new int[] {4}, 3, 2, new Linear(4, 5), new Linear(4, 3), new Linear(4, 3), new Linear(4, 1));
        IllegalArgumentException maps = assertThrows(IllegalArgumentException.class, () -> narrow.forward(q.to(DType.FLOAT32), x.to(DType.FLOAT32)));
        assertTrue(maps.getMessage().contains("hyper_w_1") && maps.getMessage().contains("6"), maps.getMessage());
    }
}
