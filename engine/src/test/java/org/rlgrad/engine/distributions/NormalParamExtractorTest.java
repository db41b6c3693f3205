package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.NormalTest.f64;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;

/** NormalParamExtractor and its scale mappings, at points worked by hand. */
class NormalParamExtractorTest {
    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    @Test
    void splitsTheLastDimAndFloorsTheScale() {
        Tensor in = Tensor.of(DType.FLOAT64, new double[] {1, 2, 0, -20, 3, 4, 1, 0}, 2, 4);
        NormalParamExtractor.LocAndScale out = new NormalParamExtractor("exp", 0.01).apply(in);
        assertArrayEquals(new double[] {1, 2, 3, 4}, out.loc().toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 0.01, Math.E, 1}, out.scale().toDoubleArray(), 1e-15);
    }

    @Test
    void biasedSoftplusSendsZeroToItsBias() {
        Tensor zero = Tensor.zeros(DType.FLOAT64, 1);
        assertEquals(1.0, ScaleMapping.named("biased_softplus_1.0").apply(zero).item(), 1e-15);
        assertEquals(1.0, ScaleMapping.named("biased_softplus").apply(zero).item(), 1e-15);
        assertEquals(2.0, ScaleMapping.named("biased_softplus_2.0_0.1").apply(zero).item(), 1e-15);
        // Far below, the map approaches its minimum.
        assertEquals(0.1, ScaleMapping.named("biased_softplus_2.0_0.1").apply(f64(-60)).item(), 1e-15);
        double c = Math.log(Math.expm1(0.99));
        assertEquals(softplus(1.5 + c) + 0.01, ScaleMapping.named("biased_softplus_1.0").apply(f64(1.5)).item(), 1e-15);
    }

    @Test
    void namedMappingsAtPointsWorkedByHand() {
        Tensor x = f64(-1, 0, 2, 30);
        assertArrayEquals(new double[] {softplus(-1), Math.log(2), softplus(2), 30}, ScaleMapping.named("softplus").apply(x).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, 0, 2, 30}, ScaleMapping.named("relu").apply(x).toDoubleArray(), 0);
        assertArrayEquals(x.toDoubleArray(), ScaleMapping.named("none").apply(x).toDoubleArray(), 0);
        assertArrayEquals(new double[] {Math.exp(-1), 1, Math.log(3) + 1, Math.log(31) + 1}, ScaleMapping.named("expln").apply(x).toDoubleArray(), 1e-15);
    }

    @Test
    void explnGradientIsFiniteOnBothSides() {
        GradientCheck.of("expln", xs -> ScaleMapping.named("expln").apply(xs.get(0))).at(f64(-3, -0.5, 0.4, 5)).check();
        GradientCheck.of("biased_softplus", xs -> new NormalParamExtractor().apply(xs.get(0)).scale())
                .at(f64(0.1, -0.4, 2, -1).reshape(2, 2)).check();
    }

    @Test
    void oddLastDimAndUnknownNamesAreErrors() {
        var odd = assertThrows(IllegalArgumentException.class, () -> new NormalParamExtractor().apply(Tensor.zeros(DType.FLOAT64, 2, 3)));
        assertTrue(odd.getMessage().contains("even") && odd.getMessage().contains("[2, 3]"), odd.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> ScaleMapping.named("softmax"));
        assertTrue(unknown.getMessage().contains("'softmax'") && unknown.getMessage().contains("expln"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScaleMapping.named("biased_softplus_x"));
        assertThrows(IllegalArgumentException.class, () -> ScaleMapping.named("biased_softplus_1_2_3"));
    }
}
