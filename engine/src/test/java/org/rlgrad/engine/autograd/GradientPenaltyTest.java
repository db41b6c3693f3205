package org.rlgrad.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradientCheck;
import org.rlgrad.engine.testing.Property;

/**
 * GAIL's gradient penalty (Gulrajani et al. 2017, as TorchRL's GAILLoss uses it): on points
 * interpolated between expert and policy data, {@code (||grad_x D(x)||_2 - 1)^2} averaged over
 * the batch, differentiated with respect to the discriminator's parameters. It needs the
 * gradient with {@code createGraph = true}, then a backward through the norm of that gradient:
 * the result is checked against finite differences of the whole penalty.
 */
class GradientPenaltyTest {

    /** A two-layer discriminator: [B, in] to [B, 1]. */
    private static Tensor discriminator(Tensor x, List<Tensor> p, UnaryOperator<Tensor> activation) {
        Tensor h = activation.apply(Functional.linear(x, p.get(0), p.get(1)));
        return Functional.linear(h, p.get(2), p.get(3));
    }

    /** The penalty as a function of the parameters, for fixed expert and policy batches and mixing weights. */
    private static Tensor penalty(List<Tensor> params, Tensor expert, Tensor policy, Tensor eps, UnaryOperator<Tensor> activation) {
        Tensor mixed;
        try (var scope = GradMode.noGrad()) {
            mixed = expert.mul(eps).add(policy.mul(eps.rsub(1)));
        }
        mixed.requiresGrad(true); // GAIL marks the interpolated inputs, a non-leaf computed without history
        Tensor d = discriminator(mixed, params, activation);
        Tensor grad = Autograd.grad(List.of(d.sum()), List.of(mixed), null, true, true, false).get(0);
        return grad.norm(2, new int[] {-1}, false).sub(1).square().mean();
    }

    @Test
    void penaltyGradientMatchesFiniteDifferencesThroughBackward() {
        Property.forAll("gail gradient penalty", 30, g -> {
            int batch = g.intIn(1, 3), in = g.intIn(1, 3), hidden = g.intIn(1, 4);
            String name = g.oneOf("tanh", "sigmoid", "elu", "relu");
            UnaryOperator<Tensor> activation = switch (name) {
                case "tanh" -> Tensor::tanh;
                case "sigmoid" -> Tensor::sigmoid;
                case "elu" -> t -> t.elu(1);
                default -> Tensor::relu;
            };
            g.note("batch", batch).note("in", in).note("hidden", hidden).note("activation", name);
            Tensor expert = g.uniform(new int[] {batch, in}, -1, 1), policy = g.uniform(new int[] {batch, in}, -1, 1);
            Tensor eps = g.uniform(new int[] {batch, 1}, 0, 1);
            Tensor w1 = g.uniform(new int[] {hidden, in}, -1, 1), b1 = g.uniform(new int[] {hidden}, -0.5, 0.5);
            Tensor w2 = g.uniform(new int[] {1, hidden}, -1, 1), b2 = g.uniform(new int[] {1}, -0.5, 0.5);
            GradientCheck check = GradientCheck.of("gail penalty", ps -> penalty(ps, expert, policy, eps, activation))
                    .at(w1, b1, w2, b2).evaluatedWithGrad().viaBackward();
            // With every ReLU unit dead, D is constant and so is the penalty.
            if (name.equals("relu")) check.allowZeroGradient();
            check.check();
        });
    }

    @Test
    void discriminatorLossPlusPenaltyMatchesFiniteDifferences() {
        Gen g = Gen.seeded(2024);
        Tensor expert = g.uniform(new int[] {3, 2}, -1, 1), policy = g.uniform(new int[] {3, 2}, -1, 1);
        Tensor eps = g.uniform(new int[] {3, 1}, 0, 1);
        UnaryOperator<Tensor> activation = Tensor::tanh;
        GradientCheck.of("gail discriminator loss", ps -> {
            Tensor real = discriminator(expert, ps, activation).sigmoid();
            Tensor fake = discriminator(policy, ps, activation).sigmoid();
            Tensor loss = Functional.binaryCrossEntropy(real, Tensor.onesLike(real), Reduction.MEAN)
                    .add(Functional.binaryCrossEntropy(fake, Tensor.zerosLike(fake), Reduction.MEAN));
            return loss.add(penalty(ps, expert, policy, eps, activation).mul(10));
        }).at(g.uniform(new int[] {4, 2}, -1, 1), g.uniform(new int[] {4}, -0.5, 0.5), g.uniform(new int[] {1, 4}, -1, 1),
                g.uniform(new int[] {1}, -0.5, 0.5)).evaluatedWithGrad().viaBackward().check();
    }

    @Test
    void penaltyOnAKnownLinearDiscriminator() {
        // D(x) = x w^T: grad_x D = w for every row, so the penalty is (||w|| - 1)^2 and its
        // gradient is 2 (||w|| - 1) w / ||w||.
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {3, 4}, 1, 2).requiresGrad(true);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, -1, 0.5}, 2, 2).requiresGrad(true);
        Tensor d = Functional.linear(x, w, null);
        Tensor grad = Autograd.grad(List.of(d.sum()), List.of(x), null, true, true, false).get(0);
        assertTrue(grad.requiresGrad(), "a gradient computed with createGraph must carry history");
        Tensor penalty = grad.norm(2, new int[] {-1}, false).sub(1).square().mean();
        assertEquals(16, penalty.item(), 1e-12);
        penalty.backward();
        assertNotNull(w.grad());
        double[] gw = w.grad().toDoubleArray();
        assertEquals(2 * 4 * 3 / 5.0, gw[0], 1e-12);
        assertEquals(2 * 4 * 4 / 5.0, gw[1], 1e-12);
    }
}
