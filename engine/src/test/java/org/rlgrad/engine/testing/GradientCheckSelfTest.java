package org.rlgrad.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The checkers must be able to fail: each wrong gradient here is one a real op could have
 * (a wrong formula, a transposed or permuted gradient, a lost graph, a second derivative that
 * silently drops a term), and the checker has to reject it with a message that locates it.
 */
class GradientCheckSelfTest {

    /** exp whose backward returns g * x instead of g * e^x. */
    private static Tensor wrongExp(Tensor x) {
        Tensor y;
        try (var s = GradMode.noGrad()) {
            y = x.exp();
        }
        return Autograd.record("wrong_exp", y, new Tensor[] {x}, g -> new Tensor[] {g.mul(x)});
    }

    /** A transpose whose backward forgets to transpose back (right shape only for square inputs). */
    private static Tensor transposeWithoutTransposeBack(Tensor x) {
        Tensor y;
        try (var s = GradMode.noGrad()) {
            y = x.transpose(0, 1).contiguous();
        }
        return Autograd.record("bad_transpose", y, new Tensor[] {x}, g -> new Tensor[] {g});
    }

    /**
     * x^3 whose backward is 3 x^2 g computed from a detached x: right first derivative, but the
     * second derivative through it is lost (zero instead of 6 x g).
     */
    private static Tensor cubeWithDetachedBackward(Tensor x) {
        Tensor y;
        try (var s = GradMode.noGrad()) {
            y = x.pow(3);
        }
        return Autograd.record("cube", y, new Tensor[] {x}, g -> new Tensor[] {g.mul(x.detach().square()).mul(3)});
    }

    private static Tensor vector(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void acceptsCorrectGradients() {
        GradientCheck.of("exp", xs -> xs.get(0).exp()).at(vector(0.3, -1.2, 2)).check();
        GradientCheck.of("mul", xs -> xs.get(0).mul(xs.get(1))).at(vector(0.3, -1.2), vector(2, 0.5)).check();
        GradientCheck.of("cube", xs -> xs.get(0).pow(3)).at(vector(0.3, -1.2, 2)).checkSecondOrder();
    }

    @Test
    void rejectsAWrongFormulaNamingTheOpTheInputAndBothValues() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientCheck.of("wrong_exp", xs -> wrongExp(xs.get(0))).at(vector(0.5, 1.5)).check());
        String m = e.getMessage();
        assertTrue(m.contains("'wrong_exp'"), m);
        assertTrue(m.contains("input 0 of shape [2]"), m);
        assertTrue(m.contains("analytic") && m.contains("numeric"), m);
        // Element 0: analytic 0.5 w, numeric e^0.5 w, for the checker's weight w.
        assertTrue(m.contains("at element 0 (index [0])"), m);
        assertTrue(m.contains("2 of 2 elements differ"), m);
    }

    @Test
    void rejectsAGradientInTheWrongLayout() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 2, 2);
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientCheck.of("bad_transpose", xs -> transposeWithoutTransposeBack(xs.get(0))).at(x).check());
        assertTrue(e.getMessage().contains("'bad_transpose'"), e.getMessage());
    }

    @Test
    void rejectsAFunctionThatLostItsGraph() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientCheck.of("detached", xs -> xs.get(0).detach().exp()).at(vector(0.5, 1.5)).check());
        assertTrue(e.getMessage().contains("'detached'"), e.getMessage());
    }

    @Test
    void rejectsAVacuousCheckUnlessAZeroGradientIsExpected() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientCheck.of("floor", xs -> xs.get(0).floor()).at(vector(0.5, 1.25)).check());
        assertTrue(e.getMessage().contains("vacuous"), e.getMessage());
        GradientCheck.of("floor", xs -> xs.get(0).floor()).at(vector(0.5, 1.25)).allowZeroGradient().check();
    }

    @Test
    void secondOrderCheckRejectsALostSecondDerivative() {
        // First order is right...
        GradientCheck.of("cube", xs -> cubeWithDetachedBackward(xs.get(0))).at(vector(0.5, -1.5)).check();
        // ...second order is not.
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientCheck.of("cube", xs -> cubeWithDetachedBackward(xs.get(0))).at(vector(0.5, -1.5)).allowZeroGradient().checkSecondOrder());
        assertTrue(e.getMessage().contains("'cube (second order)'"), e.getMessage());
    }

    @Test
    void checksEveryOutputOfAMultiOutputFunction() {
        // The second output's gradient is wrong; the first is right.
        AssertionError e = assertThrows(AssertionError.class, () -> GradientCheck.ofMany("pair",
                xs -> List.of(xs.get(0).exp(), wrongExp(xs.get(0)))).at(vector(0.5, 1.5)).check());
        assertTrue(e.getMessage().contains("'pair'"), e.getMessage());
    }

    @Test
    void viaBackwardUsesTheLeavesGradFields() {
        GradientCheck.of("tanh", xs -> xs.get(0).tanh()).at(vector(0.5, -1.5)).viaBackward().check();
        assertThrows(AssertionError.class,
                () -> GradientCheck.of("wrong_exp", xs -> wrongExp(xs.get(0))).at(vector(0.5, 1.5)).viaBackward().check());
    }

    @Test
    void propertyRunnerRunsEveryTryAndReportsTheSeed() {
        AtomicInteger runs = new AtomicInteger();
        Property.forAll("counting", 17, 42L, g -> runs.incrementAndGet());
        assertEquals(17, runs.get());

        AssertionError e = assertThrows(AssertionError.class, () -> Property.forAll("failing", 10, 42L, g -> {
            int[] shape = g.shape(0, 4);
            if (shape.length >= 2) throw new AssertionError("rank " + shape.length);
        }));
        String m = e.getMessage();
        assertTrue(m.contains("'failing'") && m.contains("seed 42") && m.contains("-Drlgrad.seed=42") && m.contains("shape="), m);
    }

    @Test
    void propertyRunnerReplaysTheSameCasesForTheSameSeed() {
        StringBuilder first = new StringBuilder(), second = new StringBuilder();
        Property.forAll("replay", 8, 7L, g -> first.append(java.util.Arrays.toString(g.shape(0, 4))));
        Property.forAll("replay", 8, 7L, g -> second.append(java.util.Arrays.toString(g.shape(0, 4))));
        assertEquals(first.toString(), second.toString());
    }
}
