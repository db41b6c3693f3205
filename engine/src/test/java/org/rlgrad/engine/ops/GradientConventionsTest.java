package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The gradient conventions at non-smooth points that conformance with PyTorch depends on
 * (spec/engine.md section 7): finite differences cannot see these, so each is an exact example.
 */
class GradientConventionsTest {

    private static Tensor vec(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    /** d sum(f(x)) / dx at x. */
    private static double[] grad(Function<Tensor, Tensor> f, double... x) {
        Tensor leaf = vec(x).requiresGrad(true);
        return Autograd.grad(f.apply(leaf).sum(), leaf).toDoubleArray();
    }

    /** The gradients of sum(f(a, b)) for both inputs. */
    private static List<double[]> grads(java.util.function.BinaryOperator<Tensor> f, Tensor a, Tensor b) {
        Tensor la = a.requiresGrad(true), lb = b.requiresGrad(true);
        List<Tensor> g = Autograd.grad(List.of(f.apply(la, lb).sum()), List.of(la, lb), null, false, false, true);
        return List.of(g.get(0).toDoubleArray(), g.get(1).toDoubleArray());
    }

    @Test
    void clampPassesTheGradientOnItsBoundsInclusive() {
        assertArrayEquals(new double[] {1, 1, 0, 0, 1}, grad(x -> x.clamp(-1, 1), -1, 1, -2, 2, 0.5), 0);
        assertArrayEquals(new double[] {1, 0}, grad(x -> x.clampMin(0), 0, -1), 0);
        assertArrayEquals(new double[] {1, 0}, grad(x -> x.clampMax(0), 0, 1), 0);
    }

    @Test
    void clampWithTensorBoundsSendsTheGradientToTheActiveBound() {
        Tensor x = vec(-2, -1, 0, 1, 2, 0.5);
        Tensor lo = vec(-1, -1, -1, -1, -1, 1), hi = vec(1, 1, 1, 1, 1, 0); // the last pair has min > max
        Tensor lx = x.requiresGrad(true), llo = lo.requiresGrad(true), lhi = hi.requiresGrad(true);
        List<Tensor> g = Autograd.grad(List.of(lx.clamp(llo, lhi).sum()), List.of(lx, llo, lhi), null, false, false, false);
        assertArrayEquals(new double[] {-1, -1, 0, 1, 1, 0}, lx.clamp(llo, lhi).toDoubleArray(), 0);
        assertArrayEquals(new double[] {0, 1, 1, 1, 0, 0}, g.get(0).toDoubleArray(), 0, "x: inside, bounds included");
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0}, g.get(1).toDoubleArray(), 0, "min: where x is strictly below it");
        assertArrayEquals(new double[] {0, 0, 0, 0, 1, 1}, g.get(2).toDoubleArray(), 0, "max: above it, or wherever min > max");
    }

    @Test
    void piecewiseLinearActivationsAtZero() {
        assertArrayEquals(new double[] {0}, grad(Tensor::relu, 0), 0);
        assertArrayEquals(new double[] {0}, grad(Tensor::abs, 0), 0);
        assertArrayEquals(new double[] {0.1}, grad(x -> x.leakyRelu(0.1), 0), 0);
        assertArrayEquals(new double[] {1.5}, grad(x -> x.elu(1.5), 0), 0);
        assertArrayEquals(new double[] {0, 0, 0, 0}, grad(Tensor::sign, 0, 1, -1, 2), 0);
        assertArrayEquals(new double[] {0, 0}, grad(Tensor::round, 0.5, 1.5), 0);
    }

    @Test
    void maxAndMinOverAllElementsSplitTheGradientAmongTies() {
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, grad(Tensor::max, 1, 3, 3, 2), 0);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 0, 1 / 3.0}, grad(Tensor::min, 1, 1, 3, 1), 1e-15);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {2, 2, 1, 0, 5, 5}, 2, 3).requiresGrad(true);
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0, 0.5, 0.5},
                Autograd.grad(x.amax(new int[] {1}, false).sum(), x).toDoubleArray(), 0);
        assertArrayEquals(new double[] {0, 0, 0, 1, 0, 0}, Autograd.grad(x.amin(new int[] {0, 1}, false), x).toDoubleArray(), 0);
    }

    @Test
    void maxOverADimSendsTheGradientToTheReturnedIndex() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {3, 1, 3, 0, 2, 2}, 2, 3).requiresGrad(true);
        var r = x.max(1, false);
        assertArrayEquals(new long[] {0, 1}, r.indices().toLongArray(), "first occurrence");
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, Autograd.grad(r.values().sum(), x).toDoubleArray(), 0);
        var m = x.min(0, true);
        assertArrayEquals(new double[] {0, 1, 0, 1, 0, 1}, Autograd.grad(m.values().sum(), x).toDoubleArray(), 0);
    }

    @Test
    void elementwiseMaximumAndMinimumSplitTiesHalfAndHalf() {
        List<double[]> g = grads(Tensor::maximum, vec(1, 2, 5), vec(1, 3, 4));
        assertArrayEquals(new double[] {0.5, 0, 1}, g.get(0), 0);
        assertArrayEquals(new double[] {0.5, 1, 0}, g.get(1), 0);
        List<double[]> h = grads(Tensor::minimum, vec(1, 2, 5), vec(1, 3, 4));
        assertArrayEquals(new double[] {0.5, 1, 0}, h.get(0), 0);
        assertArrayEquals(new double[] {0.5, 0, 1}, h.get(1), 0);
        // Broadcast: the scalar side sums its shares.
        List<double[]> s = grads(Tensor::maximum, vec(1, 2, 0), Tensor.scalar(1, DType.FLOAT64));
        assertArrayEquals(new double[] {0.5, 1, 0}, s.get(0), 0);
        assertArrayEquals(new double[] {1.5}, s.get(1), 0);
    }

    @Test
    void whereRoutesTheGradientToTheSelectedBranchOnlyButKeepsNaNFromZeroTimesInfinity() {
        List<double[]> g = grads((a, b) -> Tensor.where(a.gt(0), a, b), vec(1, -1), vec(5, 6));
        assertArrayEquals(new double[] {1, 0}, g.get(0), 0);
        assertArrayEquals(new double[] {0, 1}, g.get(1), 0);
        // sqrt'(0) is infinite; the unselected branch gets 0, and 0 * infinity is NaN (as in PyTorch).
        double[] d = grad(x -> Tensor.where(x.gt(0), x.sqrt(), Tensor.zerosLike(x)), 0, 4);
        assertTrue(Double.isNaN(d[0]), "0 * inf in the unselected branch: " + d[0]);
        assertEquals(0.25, d[1], 0);
    }

    @Test
    void theL2NormOfAZeroVectorHasZeroGradient() {
        assertArrayEquals(new double[] {0, 0, 0}, grad(Tensor::norm, 0, 0, 0), 0);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 0, 3, 4}, 2, 2).requiresGrad(true);
        assertArrayEquals(new double[] {0, 0, 0.6, 0.8}, Autograd.grad(x.norm(2, new int[] {1}, false).sum(), x).toDoubleArray(), 1e-15);
        // And its second derivative there is zero rather than NaN.
        Tensor z = vec(0, 0).requiresGrad(true);
        Tensor first = Autograd.grad(List.of(z.norm()), List.of(z), null, true, true, false).get(0);
        Tensor second = Autograd.grad(List.of(first.sum()), List.of(z), null, false, false, true).get(0);
        assertArrayEquals(new double[] {0, 0}, second.toDoubleArray(), 0);
    }

    @Test
    void softplusAboveItsThresholdHasGradientExactlyOne() {
        assertArrayEquals(new double[] {1}, grad(Tensor::softplus, 25), 0);
        assertEquals(1 / (1 + Math.exp(-20)), grad(Tensor::softplus, 20)[0], 1e-16, "the threshold itself is below it (strict)");
        assertArrayEquals(new double[] {1}, grad(x -> x.softplus(2, 4), 2.5), 0);
    }

    @Test
    void powConventionsAtZero() {
        assertArrayEquals(new double[] {0, 0}, grad(x -> x.pow(0), 0, 2), 0);
        assertArrayEquals(new double[] {0}, grad(x -> x.pow(2), 0), 0);
        // a^b: d/da is 0 where b = 0 (even at a = 0); d/db is 0 where a = 0 and b >= 0.
        List<double[]> g = grads(Tensor::pow, vec(0, 0, 2), vec(0, 2, 0));
        assertArrayEquals(new double[] {0, 0, 0}, g.get(0), 0);
        assertArrayEquals(new double[] {0, 0, Math.log(2)}, g.get(1), 1e-15);
        // base^x with base 0: zero gradient where x >= 0.
        assertArrayEquals(new double[] {0, 0}, grad(x -> x.rpow(0), 0, 1), 0);
    }
}
