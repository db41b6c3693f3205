package org.rlgrad.engine.distributions;

import java.util.Arrays;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Closed-form Kullback–Leibler divergences {@code KL(p ‖ q) = E_p[log p − log q]} between pairs of
 * continuous distributions (spec/engine.md section 4.10):
 * <ul>
 *   <li>Normal ‖ Normal: {@code ln(σq/σp) + (σp² + (μp − μq)²)/(2σq²) − ½}, evaluated as PyTorch
 *       does, {@code ½ (r + t − 1 − ln r)} with {@code r = (σp/σq)²}, {@code t = ((μp − μq)/σq)²};</li>
 *   <li>Independent ‖ Independent (IndependentNormal included) with the same number of
 *       reinterpreted dims: the base divergence summed over them (independent components add);</li>
 *   <li>TanhNormal ‖ TanhNormal with the same bounds and event dims: the divergence of the pre-tanh
 *       distributions, since KL is invariant under a common invertible map;</li>
 *   <li>pairs from the categorical family: {@link CategoricalKL}.</li>
 * </ul>
 * Any other pair throws {@link UnsupportedOperationException} naming both classes; the KL-penalty
 * PPO replaces it by a Monte-Carlo estimate.
 */
public final class KL {
    private KL() {}

    public static Tensor divergence(Distribution p, Distribution q) {
        if (p instanceof Normal pn && q instanceof Normal qn) return normalNormal(pn, qn);
        if (p instanceof Independent pi && q instanceof Independent qi) {
            if (pi.reinterpretedBatchDims() != qi.reinterpretedBatchDims()) {
                throw new UnsupportedOperationException("KL divergence between Independent distributions with different reinterpreted dims ("
                        + pi.reinterpretedBatchDims() + " and " + qi.reinterpretedBatchDims() + ") is not implemented");
            }
            return Arguments.sumLast(divergence(pi.base(), qi.base()), pi.reinterpretedBatchDims());
        }
        if (p instanceof TanhNormal pt && q instanceof TanhNormal qt) {
            if (!sameValues(pt.low(), qt.low()) || !sameValues(pt.high(), qt.high()) || pt.eventDims() != qt.eventDims()
                    || pt.safeTanh() != qt.safeTanh()) {
                throw new UnsupportedOperationException("KL divergence between TanhNormals with different bounds or event dims is not implemented"
                        + " (the squashing maps differ)");
            }
            return divergence(pt.base(), qt.base());
        }
        if (CategoricalKL.supports(p, q)) return CategoricalKL.divergence(p, q);
        throw new UnsupportedOperationException("KL divergence between " + p.getClass().getSimpleName() + " and "
                + q.getClass().getSimpleName() + " is not implemented; estimate it by Monte Carlo");
    }

    private static Tensor normalNormal(Normal p, Normal q) {
        Tensor varRatio = p.scale().div(q.scale()).square();
        Tensor t1 = p.loc().sub(q.loc()).div(q.scale()).square();
        return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
    }

    private static boolean sameValues(Tensor a, Tensor b) {
        return Arrays.equals(a.shapeRef(), b.shapeRef()) && Arrays.equals(a.detach().toDoubleArray(), b.detach().toDoubleArray());
    }
}
