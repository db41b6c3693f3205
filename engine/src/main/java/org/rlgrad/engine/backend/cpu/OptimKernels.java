package org.rlgrad.engine.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Optimiser updates fused into one pass over the parameter, in place, allocating nothing.
 *
 * <p>Adam's per-element sequence is torch 1.13's per-tensor loop, one rounding per kernel call
 * there, in the same order:
 * <pre>
 * m = m * β1 + (1 - β1) * g                 exp_avg.mul_(β1).add_(g, alpha=1 - β1)
 * v = v * β2 + (1 - β2) * g * g             exp_avg_sq.mul_(β2).addcmul_(g, g, value=1 - β2)
 * denom = sqrt(v) / sqrt(bc2) + ε           (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(ε)
 * p = p + (-stepSize) * (m / denom)         param.addcdiv_(exp_avg, denom, value=-step_size)
 * </pre>
 * with the scalars rounded to the tensor's dtype, as torch does. (torch's SIMD kernels fuse the
 * multiply-adds of {@code add_} and {@code addcmul_}; Java does not contract, so an element may
 * differ from torch's by an ulp.) Contiguous rows run the same sequence on SIMD vectors
 * ({@link #adamRow}): every step is one IEEE operation (multiply, add, divide, square root), so
 * the vector and scalar forms agree bit for bit, and the scalar loop finishes each row's tail.
 */
final class OptimKernels {
    private OptimKernels() {}

    /**
     * Adam's update of {@code param}, {@code expAvg} and {@code expAvgSq} from {@code grad}, all of
     * one shape and one float dtype (any strides). Returns false, writing nothing, when the
     * operands do not fit that (the caller then composes the update from ops).
     */
    static boolean adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                        double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        CpuStorage p = CpuBackend.storage(param), g = CpuBackend.storage(grad);
        CpuStorage m = CpuBackend.storage(expAvg), v = CpuBackend.storage(expAvgSq);
        if (p.dtype() != g.dtype() || p.dtype() != m.dtype() || p.dtype() != v.dtype() || !p.dtype().isFloating()) return false;
        // Distinct buffers: the update reads g and writes p, m and v element by element.
        if (p == g || p == m || p == v || g == m || g == v || m == v) return false;
        int[] shape = param.shapeRef();
        // A written operand that repeats elements (a broadcast view) would be updated more than once.
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1 && (param.stridesRef()[d] == 0 || expAvg.stridesRef()[d] == 0 || expAvgSq.stridesRef()[d] == 0)) return false;
        }
        int[][] strides = {param.stridesRef(), grad.stridesRef(), expAvg.stridesRef(), expAvgSq.stridesRef()};
        int[] offsets = {param.offset(), grad.offset(), expAvg.offset(), expAvgSq.offset()};
        if (p.f32 != null) {
            float b1 = (float) beta1, c1 = (float) (1 - beta1), b2 = (float) beta2, c2 = (float) (1 - beta2);
            float s2 = (float) biasCorrection2Sqrt, e = (float) eps, step = (float) -stepSize;
            float[] pa = p.f32, ga = g.f32, ma = m.f32, va = v.f32;
            StridedLoop.forEachRow(shape, strides, offsets, (o, n, st) -> {
                int i = 0;
                if (st[0] == 1 && st[1] == 1 && st[2] == 1 && st[3] == 1) {
                    i = adamRow(pa, o[0], ga, o[1], ma, o[2], va, o[3], n, b1, c1, b2, c2, s2, e, step);
                }
                for (; i < n; i++) {
                    int ip = o[0] + i * st[0], ig = o[1] + i * st[1], im = o[2] + i * st[2], iv = o[3] + i * st[3];
                    float gi = ga[ig];
                    float mi = ma[im] * b1 + c1 * gi;
                    float vi = va[iv] * b2 + c2 * gi * gi;
                    ma[im] = mi;
                    va[iv] = vi;
                    float denom = (float) Math.sqrt(vi) / s2 + e;
                    pa[ip] = pa[ip] + step * (mi / denom);
                }
            });
        } else {
            double c1 = 1 - beta1, c2 = 1 - beta2, step = -stepSize;
            double[] pa = p.f64, ga = g.f64, ma = m.f64, va = v.f64;
            StridedLoop.forEachRow(shape, strides, offsets, (o, n, st) -> {
                int i = 0;
                if (st[0] == 1 && st[1] == 1 && st[2] == 1 && st[3] == 1) {
                    i = adamRow(pa, o[0], ga, o[1], ma, o[2], va, o[3], n, beta1, c1, beta2, c2, biasCorrection2Sqrt, eps, step);
                }
                for (; i < n; i++) {
                    int ip = o[0] + i * st[0], ig = o[1] + i * st[1], im = o[2] + i * st[2], iv = o[3] + i * st[3];
                    double gi = ga[ig];
                    double mi = ma[im] * beta1 + c1 * gi;
                    double vi = va[iv] * beta2 + c2 * gi * gi;
                    ma[im] = mi;
                    va[iv] = vi;
                    double denom = Math.sqrt(vi) / biasCorrection2Sqrt + eps;
                    pa[ip] = pa[ip] + step * (mi / denom);
                }
            });
        }
        p.bumpVersion();
        m.bumpVersion();
        v.bumpVersion();
        return true;
    }

    /** The SIMD body of Adam over contiguous rows; returns how many elements it updated (the rest is a tail). */
    private static int adamRow(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                               float b1, float c1, float b2, float c2, float s2, float e, float step) {
        var species = VectorKernels.F;
        int i = 0;
        for (int bound = species.loopBound(n); i < bound; i += species.length()) {
            FloatVector gi = FloatVector.fromArray(species, g, go + i);
            FloatVector mi = FloatVector.fromArray(species, m, mo + i).mul(b1).add(gi.mul(c1));
            FloatVector vi = FloatVector.fromArray(species, v, vo + i).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoArray(m, mo + i);
            vi.intoArray(v, vo + i);
            FloatVector denom = vi.sqrt().div(s2).add(e);
            FloatVector pi = FloatVector.fromArray(species, p, po + i);
            pi.add(mi.div(denom).mul(step)).intoArray(p, po + i);
        }
        return i;
    }

    private static int adamRow(double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo, int n,
                               double b1, double c1, double b2, double c2, double s2, double e, double step) {
        var species = VectorKernels.D;
        int i = 0;
        for (int bound = species.loopBound(n); i < bound; i += species.length()) {
            DoubleVector gi = DoubleVector.fromArray(species, g, go + i);
            DoubleVector mi = DoubleVector.fromArray(species, m, mo + i).mul(b1).add(gi.mul(c1));
            DoubleVector vi = DoubleVector.fromArray(species, v, vo + i).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoArray(m, mo + i);
            vi.intoArray(v, vo + i);
            DoubleVector denom = vi.sqrt().div(s2).add(e);
            DoubleVector pi = DoubleVector.fromArray(species, p, po + i);
            pi.add(mi.div(denom).mul(step)).intoArray(p, po + i);
        }
        return i;
    }
}
