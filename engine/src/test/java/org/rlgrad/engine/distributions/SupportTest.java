package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Vmap;

/** logProb refuses values outside the support where the density there would be a wrong number. */
class SupportTest {
    private static Tensor f64(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void valuesOutsideTheSupportAreRefusedWithTheirIndex() {
        var beta = assertThrows(IllegalArgumentException.class, () -> new Beta(f64(2, 2), f64(3, 3)).logProb(f64(0.5, 1.5)));
        assertTrue(beta.getMessage().contains("Beta") && beta.getMessage().contains("1.5") && beta.getMessage().contains("flat index 1"), beta.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Gamma(f64(2), f64(1)).logProb(f64(-1)));
        assertThrows(IllegalArgumentException.class, () -> Bernoulli.fromProbs(f64(0.3)).logProb(f64(0.5)));
        var simplex = assertThrows(IllegalArgumentException.class, () -> new Dirichlet(f64(1, 2, 3)).logProb(f64(0.5, 0.5, 0.5)));
        assertTrue(simplex.getMessage().contains("sum to 1.5"), simplex.getMessage());
        assertDoesNotThrow(() -> new Dirichlet(f64(1, 2, 3)).logProb(f64(0.2, 0.3, 0.5)));
        assertDoesNotThrow(() -> new Gamma(f64(2), f64(1)).logProb(f64(0)));
        assertDoesNotThrow(() -> Bernoulli.fromProbs(f64(0.3, 0.3)).logProb(f64(0, 1)));
    }

    @Test
    void intervalsCheckAgainstBroadcastBounds() {
        TruncatedNormal d = new TruncatedNormal(f64(0, 0), f64(1, 1), 5, f64(-1, 0), f64(1, 2), false);
        assertDoesNotThrow(() -> d.support().check("TruncatedNormal", f64(-0.5, 1.5)));
        var e = assertThrows(IllegalArgumentException.class, () -> d.support().check("TruncatedNormal", f64(-0.5, -0.5)));
        assertTrue(e.getMessage().contains("flat index 1"), e.getMessage());
        // TruncatedNormal itself scores a value outside as -inf instead of refusing it (spec 4.6).
        assertEquals(Double.NEGATIVE_INFINITY, d.logProb(f64(-0.5, -0.5)).item());
    }

    @Test
    void validationCanBeTurnedOffAndIsSkippedInsideVmap() {
        Beta beta = new Beta(f64(2), f64(3));
        Support.setValidation(false);
        try {
            assertTrue(Double.isNaN(beta.logProb(f64(1.5)).item()));
        } finally {
            Support.setValidation(true);
        }
        assertThrows(IllegalArgumentException.class, () -> beta.logProb(f64(1.5)));
        Tensor inside = Vmap.vmap(v -> new Beta(f64(2), f64(3)).logProb(v)).apply(Tensor.of(DType.FLOAT64, new double[] {0.2, 0.7}, 2, 1));
        assertEquals(2, inside.numel());
    }
}
