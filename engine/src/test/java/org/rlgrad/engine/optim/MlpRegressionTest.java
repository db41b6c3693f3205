package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The whole training stack end to end: a 3-layer MLP (two hidden layers of 32 tanh units) fitted
 * with Adam to y = sin(2 x1) + x2^2 / 2 on 256 fixed points converges. The target's variance is
 * about 0.6, so a mean squared error under 0.01 means the network has learned the function, not
 * its mean.
 */
class MlpRegressionTest {
    @Test
    void aThreeLayerMlpFitsASmoothFunctionWithAdam() {
        Random r = new Random(3);
        int n = 256;
        double[] xs = new double[2 * n], ys = new double[n];
        for (int i = 0; i < n; i++) {
            double x1 = 2 * r.nextDouble() - 1, x2 = 2 * r.nextDouble() - 1;
            xs[2 * i] = x1;
            xs[2 * i + 1] = x2;
            ys[i] = Math.sin(2 * x1) + x2 * x2 / 2;
        }
        Tensor x = Tensor.of(DType.FLOAT32, xs, n, 2);
        Tensor y = Tensor.of(DType.FLOAT32, ys, n, 1);
        MLP net = MLP.builder(2, 1).depth(2).numCells(32).activation(Tanh::new).generator(new Generator(11)).build();
        Adam adam = new Adam(net.parameters(), 1e-2);

        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 1500; step++) {
            try (var scope = MemoryScope.open()) {
                adam.zeroGrad();
                Tensor loss = net.forward(x).mseLoss(y, Reduction.MEAN);
                loss.backward();
                adam.step();
                last = loss.item();
                if (step == 0) first = last;
            }
        }
        assertTrue(first > 0.1, "the untrained network should be far off, loss " + first);
        assertTrue(last < 0.01, "after 1500 Adam steps the loss is " + last + " (it started at " + first + ")");
    }
}
