package org.rlgrad.engine.ops;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gradient checks of {@link Functional}: linear, conv1d (stride, padding, dilation, bias), the
 * estimators' right-padded conv1d, and every loss with every reduction (all three at each generated point). Differences between
 * input and target are kept away from the losses' kinks (0, and beta or delta).
 */
class FunctionalGradientProperties {

    /** input and target with every |input - target| in [lo, hi] and away from {@code kink}. */
    private static Tensor[] pairAwayFrom(Gen g, int[] shape, double kink) {
        Tensor target = g.uniform(shape, -2, 2);
        double[] d = g.signed(shape, 0.05, 2.5).toDoubleArray();
        for (int i = 0; i < d.length; i++) {
            while (Math.abs(Math.abs(d[i]) - kink) < 0.05) d[i] = Math.signum(d[i]) * g.uniform(0.05, 2.5);
        }
        Tensor input = target.add(Tensor.of(DType.FLOAT64, d, shape));
        return new Tensor[] {input, target};
    }

    private static GradCase loss(String covers, LossFn loss, double kinkOf) {
        return GradCase.of(covers, g -> {
            int[] shape = g.shape(0, 4);
            double parameter = kinkOf < 0 ? 0 : g.choose(0, 0.5, 1, 2);
            if (covers.endsWith("huberLoss") && parameter == 0) parameter = 1;
            double p = parameter;
            g.note("parameter", p);
            Tensor[] point = pairAwayFrom(g, shape, kinkOf < 0 ? 0 : p);
            for (Reduction reduction : Reduction.values()) {
                GradientCheck.of(covers + " (" + reduction + ")", xs -> loss.apply(xs.get(0), xs.get(1), reduction, p)).at(point).check();
            }
        });
    }

    /** Whether some output position reads a real (not padding) input element. */
    private static boolean touchesInput(int length, int kernel, int stride, int padding, int dilation) {
        int padded = length + 2 * padding, outLength = (padded - dilation * (kernel - 1) - 1) / stride + 1;
        for (int i = 0; i < outLength; i++) {
            for (int k = 0; k < kernel; k++) {
                int at = i * stride + k * dilation;
                if (at >= padding && at < padding + length) return true;
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface LossFn {
        Tensor apply(Tensor input, Tensor target, Reduction reduction, double parameter);
    }

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Functional.linear", g -> {
                    int in = g.intIn(1, 3), out = g.intIn(1, 3);
                    int[] lead = g.shape(0, 2);
                    int[] x = Shape.concat(lead, new int[] {in});
                    boolean bias = g.bool();
                    g.note("in", in).note("out", out).note("bias", bias);
                    if (bias) {
                        GradientCheck.of("linear", xs -> Functional.linear(xs.get(0), xs.get(1), xs.get(2)))
                                .at(g.uniform(x, -2, 2), g.uniform(new int[] {out, in}, -1, 1), g.uniform(new int[] {out}, -1, 1)).check();
                    } else {
                        GradientCheck.of("linear", xs -> Functional.linear(xs.get(0), xs.get(1), null))
                                .at(g.uniform(x, -2, 2), g.uniform(new int[] {out, in}, -1, 1)).check();
                    }
                }),
                GradCase.of("Functional.conv1d", g -> {
                    int n = g.intIn(1, 2), c = g.intIn(1, 2), o = g.intIn(1, 2), k = g.intIn(1, 3);
                    int stride = g.intIn(1, 2), padding = g.intIn(0, 2), dilation = g.intIn(1, 2);
                    int span = dilation * (k - 1) + 1;
                    int length = Math.max(1, span - 2 * padding) + g.intIn(0, 3);
                    boolean bias = g.bool();
                    g.note("N,C,L", n + "," + c + "," + length).note("O,K", o + "," + k).note("stride", stride)
                            .note("padding", padding).note("dilation", dilation).note("bias", bias);
                    Tensor input = g.uniform(new int[] {n, c, length}, -2, 2), weight = g.uniform(new int[] {o, c, k}, -1, 1);
                    GradientCheck check = bias
                            ? GradientCheck.of("conv1d", xs -> Functional.conv1d(xs.get(0), xs.get(1), xs.get(2), stride, padding, dilation))
                                    .at(input, weight, g.uniform(new int[] {o}, -1, 1))
                            : GradientCheck.of("conv1d", xs -> Functional.conv1d(xs.get(0), xs.get(1), null, stride, padding, dilation))
                                    .at(input, weight);
                    // A dilated kernel over a short padded input may touch only padding: then nothing depends on the inputs.
                    if (!touchesInput(length, k, stride, padding, dilation)) check.allowZeroGradient();
                    check.check();
                }),
                GradCase.of("Functional.conv1dPadRight", g -> {
                    // The estimators' filter: one channel in and out, K - 1 zeros on the right.
                    int n = g.intIn(1, 3), length = g.intIn(1, 5), k = g.intIn(1, 4);
                    g.note("N,L,K", n + "," + length + "," + k);
                    GradientCheck.of("conv1d_pad_right", xs -> Functional.conv1dPadRight(xs.get(0), xs.get(1), k - 1))
                            .at(g.uniform(new int[] {n, 1, length}, -2, 2), g.uniform(new int[] {1, 1, k}, -1, 1)).check();
                }),
                loss("Functional.mseLoss", (x, t, r, p) -> Functional.mseLoss(x, t, r), -1),
                loss("Functional.l1Loss", (x, t, r, p) -> Functional.l1Loss(x, t, r), -1),
                loss("Functional.smoothL1Loss", Functional::smoothL1Loss, 1),
                loss("Functional.huberLoss", Functional::huberLoss, 1),
                GradCase.of("mse loss with a broadcast target", List.of(), g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    int[] full = Shape.broadcast("test", s[0], s[1]);
                    Tensor input = g.uniform(full, -2, 2), target = g.uniform(s[1], -2, 2);
                    for (Reduction reduction : Reduction.values()) {
                        GradientCheck.of("mse_loss (" + reduction + ")", xs -> Functional.mseLoss(xs.get(0), xs.get(1), reduction))
                                .at(input, target).check();
                    }
                }),
                GradCase.of("Functional.binaryCrossEntropy", g -> {
                    int[] shape = g.shape(0, 4);
                    Tensor p = g.uniform(shape, 0.05, 0.95), t = g.uniform(shape, 0, 1);
                    for (Reduction reduction : Reduction.values()) {
                        GradientCheck.of("binary_cross_entropy (" + reduction + ")",
                                xs -> Functional.binaryCrossEntropy(xs.get(0), xs.get(1), reduction)).at(p, t).check();
                    }
                }),
                GradCase.of("Functional.crossEntropy", g -> {
                    int classes = g.intIn(1, 4);
                    boolean batched = g.bool();
                    int n = g.intIn(1, 3);
                    int[] logits = batched ? new int[] {n, classes} : new int[] {classes};
                    Tensor target = batched ? g.indices(new int[] {n}, classes) : g.indices(new int[0], classes);
                    Tensor x = g.uniform(logits, -3, 3);
                    g.note("logits", logits);
                    for (Reduction reduction : Reduction.values()) {
                        GradientCheck check = GradientCheck.of("cross_entropy (" + reduction + ")",
                                xs -> Functional.crossEntropy(xs.get(0), target, reduction)).at(x);
                        if (classes == 1) check.allowZeroGradient(); // one class: the loss is constantly 0
                        check.check();
                    }
                }),
                GradCase.of("Functional.sum", g -> {
                    int[][] s = g.broadcastShapes(3, 0, 3);
                    GradientCheck.of("sum of terms", xs -> Functional.sum(xs))
                            .at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2), g.uniform(s[2], -2, 2)).check();
                }));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
