package org.rlgrad.engine.ops;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gradient checks of {@link LinearAlgebra#matmul} in every rank combination torch.matmul
 * defines (1-d operands as rows or columns, matrices, batches with broadcasting batch dims),
 * and of bmm.
 */
class LinearAlgebraGradientProperties {

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("LinearAlgebra.matmul", g -> {
                    int ra = g.intIn(1, 4), rb = g.intIn(1, 4);
                    int n = g.intIn(1, 3), k = g.intIn(1, 3), m = g.intIn(1, 3);
                    int[][] batch = g.broadcastShapes(2, 2, 2);
                    int[] a = ra == 1 ? new int[] {k}
                            : Shape.concat(Arrays.copyOfRange(batch[0], Math.max(0, batch[0].length - (ra - 2)), batch[0].length), new int[] {n, k});
                    int[] b = rb == 1 ? new int[] {k}
                            : Shape.concat(Arrays.copyOfRange(batch[1], Math.max(0, batch[1].length - (rb - 2)), batch[1].length), new int[] {k, m});
                    g.note("a", a).note("b", b);
                    GradientCheck.of("matmul", xs -> xs.get(0).matmul(xs.get(1))).at(g.uniform(a, -2, 2), g.uniform(b, -2, 2)).check();
                }).tries(100),
                GradCase.of("matmul of transposed operands", List.of(), g -> {
                    // Strided operands reach the kernel: a^T b^T with a, b stored the other way round.
                    int n = g.intIn(1, 3), k = g.intIn(1, 3), m = g.intIn(1, 3);
                    GradientCheck.of("matmul", xs -> xs.get(0).mT().matmul(xs.get(1).mT()))
                            .at(g.uniform(new int[] {k, n}, -2, 2), g.uniform(new int[] {m, k}, -2, 2)).check();
                }),
                GradCase.of("LinearAlgebra.bmm", g -> {
                    int batch = g.intIn(1, 3), n = g.intIn(1, 3), k = g.intIn(1, 3), m = g.intIn(1, 3);
                    g.note("batch", batch).note("n,k,m", n + "," + k + "," + m);
                    GradientCheck.of("bmm", xs -> xs.get(0).bmm(xs.get(1)))
                            .at(g.uniform(new int[] {batch, n, k}, -2, 2), g.uniform(new int[] {batch, k, m}, -2, 2)).check();
                }));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
