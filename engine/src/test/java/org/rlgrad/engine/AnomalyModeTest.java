package org.rlgrad.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.AnomalyMode;
import org.rlgrad.engine.autograd.AnomalyMode.AnomalyException;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Anomaly mode turns a silent NaN or infinity in a gradient into an error that names the op and
 * where it was created.
 *
 * <p>This test lives outside {@code org.rlgrad.engine.autograd}: the report leaves out stack
 * frames of the engine's own autograd, ops and tensor packages (they say nothing about the
 * user's code), and a test class in one of those packages would be left out with them.
 */
class AnomalyModeTest {
    @Test
    void withoutAnomalyModeSqrtAtZeroSilentlyGivesAnInfiniteGradient() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 4}, 2).requiresGrad(true);
        x.sqrt().sum().backward(); // d sqrt(x) / dx = 1 / (2 sqrt(x)) = +inf at 0
        double[] g = x.grad().toDoubleArray();
        assertEquals(Double.POSITIVE_INFINITY, g[0], 0);
        assertEquals(0.25, g[1], 0);
    }

    @Test
    void withAnomalyModeSqrtAtZeroNamesTheOpAndWhereItWasCreated() {
        assertFalse(AnomalyMode.isEnabled());
        AnomalyException e;
        try (var scope = AnomalyMode.enable()) {
            assertTrue(AnomalyMode.isEnabled());
            Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 4}, 2).requiresGrad(true);
            Tensor loss = x.sqrt().sum();
            e = assertThrows(AnomalyException.class, loss::backward);
        }
        assertFalse(AnomalyMode.isEnabled(), "closing the scope restores the previous setting");
        String message = e.getMessage();
        assertTrue(message.contains("'sqrt'"), message);
        assertTrue(message.contains("an infinity"), message);
        assertTrue(message.contains(AnomalyModeTest.class.getName()), "the creation site names this class: " + message);
        assertTrue(message.contains("withAnomalyModeSqrtAtZeroNamesTheOpAndWhereItWasCreated"), message);
    }

    @Test
    void zeroTimesInfinityIsReportedAsNaN() {
        // y = 0 * sqrt(x) at x = 0: the upstream gradient into sqrt is 0, and 0 / (2 sqrt(0)) is NaN.
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0}, 1).requiresGrad(true);
        x.sqrt().mul(0).sum().backward();
        assertTrue(Double.isNaN(x.grad().item()), "without anomaly mode: NaN, silently");

        try (var scope = AnomalyMode.enable()) {
            Tensor x2 = Tensor.of(DType.FLOAT64, new double[] {0}, 1).requiresGrad(true);
            Tensor loss = x2.sqrt().mul(0).sum();
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertTrue(e.getMessage().contains("'sqrt'") && e.getMessage().contains("NaN"), e.getMessage());
            assertTrue(e.getMessage().contains(AnomalyModeTest.class.getName()), e.getMessage());
        }
    }

    @Test
    void logAtZeroIsCaughtToo() {
        try (var scope = AnomalyMode.enable()) {
            Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 0}, 2).requiresGrad(true);
            Tensor loss = x.log().sum();
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertTrue(e.getMessage().contains("'log'"), e.getMessage());
        }
    }

    @Test
    void finiteGradientsPassUntouched() {
        try (var scope = AnomalyMode.enable()) {
            Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 4}, 2).requiresGrad(true);
            x.sqrt().sum().backward();
            assertEquals(0.5, x.grad().toDoubleArray()[0], 0);
            assertEquals(0.25, x.grad().toDoubleArray()[1], 0);
        }
    }

    @Test
    void opsCreatedBeforeTheScopeHaveNoSiteButAreStillChecked() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0}, 1).requiresGrad(true);
        Tensor loss = x.sqrt().sum(); // recorded with anomaly mode off: no stack trace kept
        try (var scope = AnomalyMode.enable()) {
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertTrue(e.getMessage().contains("'sqrt'") && e.getMessage().contains("site unknown"), e.getMessage());
        }
    }
}
