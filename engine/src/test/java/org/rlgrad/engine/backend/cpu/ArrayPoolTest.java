package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Released arrays are reused, and a reused array never leaks its old contents: every op computes
 * the same numbers from a pool full of NaN (and of nonzero integers and true booleans) as from
 * fresh arrays.
 */
class ArrayPoolTest {
    @Test
    void theNextOutputOfTheSameSizeReusesTheReleasedArray() {
        Tensor a = Tensor.vector(1, 2, 3, 4), b = Tensor.vector(4, 3, 2, 1);
        float[] first;
        try (var scope = MemoryScope.open()) {
            first = CpuBackend.storage(a.add(b)).f32;
        }
        try (var scope = MemoryScope.open()) {
            Tensor y = a.add(b);
            assertSame(first, CpuBackend.storage(y).f32);
            assertArrayEquals(new double[] {5, 5, 5, 5}, y.toDoubleArray());
            Tensor z = a.mul(b); // the pool has no second array of that size
            assertNotSame(first, CpuBackend.storage(z).f32);
        }
    }

    @Test
    void everyOpGivesTheSameNumbersFromAPoisonedPool() {
        Map<String, Supplier<List<Tensor>>> ops = ops();
        Map<String, List<double[]>> fresh = new LinkedHashMap<>();
        ops.forEach((name, op) -> fresh.put(name, values(op.get())));
        for (var entry : ops.entrySet()) {
            poisonPool();
            try (var scope = MemoryScope.open()) {
                List<double[]> pooled = values(entry.getValue().get());
                for (int i = 0; i < pooled.size(); i++) {
                    assertArrayEquals(fresh.get(entry.getKey()).get(i), pooled.get(i), entry.getKey() + " output " + i);
                }
            }
        }
    }

    /** Fills this thread's pool with three arrays of every length up to 64 in every dtype, none of them zero. */
    private static void poisonPool() {
        try (var scope = MemoryScope.open()) {
            for (int n = 1; n <= 64; n++) {
                for (int copy = 0; copy < 3; copy++) {
                    Tensor.full(new int[] {n}, Double.NaN, DType.FLOAT32);
                    Tensor.full(new int[] {n}, Double.NaN, DType.FLOAT64);
                    Tensor.full(new int[] {n}, 123456789, DType.INT64);
                    Tensor.full(new int[] {n}, 1, DType.BOOL);
                }
            }
        }
    }

    private static Map<String, Supplier<List<Tensor>>> ops() {
        Tensor x = Tensor.of(new double[] {0.5, -1, 2, 3, -0.25, 1.5}, 2, 3);
        Tensor y = Tensor.of(new double[] {1, 2, -3, 0.5, 4, -2}, 2, 3);
        Tensor idx = Tensor.of(new long[] {2, 0, 1, 1}, 2, 2);
        Map<String, Supplier<List<Tensor>>> ops = new LinkedHashMap<>();
        ops.put("add", () -> List.of(x.add(y), x.add(1)));
        ops.put("exp", () -> List.of(x.exp(), x.transpose(0, 1).exp()));
        ops.put("compare", () -> List.of(x.gt(y), Tensor.where(x.gt(y), x, y)));
        ops.put("zeros", () -> List.of(Tensor.zeros(2, 3), Tensor.zeros(DType.INT64, 5), Tensor.zeros(DType.BOOL, 4), Tensor.zerosLike(x)));
        ops.put("arange", () -> List.of(Tensor.arange(7), Tensor.eye(3, DType.FLOAT64)));
        ops.put("reductions", () -> List.of(x.sum(0), x.sum(1), x.sum(), x.amax(0), x.mean(), x.argmax(1, false), x.gt(0).sum()));
        ops.put("softmax", () -> List.of(x.softmax(1), x.softmax(0), x.logsumexp(1), x.logsumexp(0)));
        ops.put("scans", () -> List.of(x.cumsum(1), x.cumsum(0)));
        ops.put("matmul", () -> List.of(x.matmul(y.transpose(0, 1)), x.transpose(0, 1).matmul(y),
                Tensor.zeros(3, 0).matmul(Tensor.zeros(0, 4)), x.to(DType.FLOAT64).matmul(y.to(DType.FLOAT64).mT())));
        ops.put("indexing", () -> List.of(x.gather(1, idx), Tensor.zeros(2, 3).scatter(1, idx, Tensor.ones(2, 2)),
                Tensor.zeros(2, 3).scatterAdd(1, idx, Tensor.ones(2, 2)), x.indexSelect(1, Tensor.of(new long[] {2, 2, 0}, 3)),
                x.sort(1, true).values(), x.sort(1, true).indices()));
        ops.put("joining", () -> List.of(Tensor.cat(List.of(x, y), 1), Tensor.stack(List.of(x, y), 0)));
        ops.put("copies", () -> List.of(x.transpose(0, 1).contiguous(), x.clone(), x.to(DType.INT64), x.to(DType.FLOAT64)));
        ops.put("gradients", () -> {
            Tensor w = y.detach().requiresGrad(true), in = x.detach().requiresGrad(true);
            Tensor out = Functional.linear(in, w, Tensor.vector(0.5, -0.5)).tanh();
            Tensor loss = Functional.mseLoss(out.softmax(1), Tensor.full(new int[] {2, 2}, 0.5), Reduction.MEAN);
            List<Tensor> grads = Autograd.grad(List.of(loss), List.of(w, in), null, false, false, false);
            return new ArrayList<>(grads);
        });
        return ops;
    }

    private static List<double[]> values(List<Tensor> tensors) {
        List<double[]> out = new ArrayList<>();
        for (Tensor t : tensors) out.add(t.toDoubleArray());
        return out;
    }
}
