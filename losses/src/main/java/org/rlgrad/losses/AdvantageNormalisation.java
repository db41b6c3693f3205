package org.rlgrad.losses;

import java.util.Arrays;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * PPO's advantage normalisation (spec losses.md §2.17 step 2), {@code (A − mean) / max(std, floor)}
 * over every dim of the advantage except the excluded ones (statistics kept per index of those).
 *
 * <p>Two variants, kept as TorchRL has them (DECISIONS rule 1, spec §4 item 13):
 * <ul>
 *   <li>without a validity mask: the <em>unbiased</em> std, floored at {@value #UNMASKED_FLOOR};</li>
 *   <li>with a validity mask ({@code "shifted_valid"}): mean and std over the valid entries only,
 *       the <em>population</em> std (divided by the count of valid entries, at least 1), floored at
 *       {@value #MASKED_FLOOR}. Invalid entries are shifted and scaled with the same statistics.</li>
 * </ul>
 * Excluding every dim leaves the advantage unchanged (the caller warns).
 */
final class AdvantageNormalisation {
    /** TorchRL's {@code torch.finfo(torch.float).resolution}. */
    static final double UNMASKED_FLOOR = 1e-6;
    static final double MASKED_FLOOR = 1e-4;

    private AdvantageNormalisation() {}

    /** The dims of an advantage of rank {@code rank} the statistics run over: all but {@code exclude} (negative dims count from the end). */
    static int[] includedDims(String lossName, int rank, int[] exclude) {
        boolean[] excluded = new boolean[rank];
        for (int d : exclude) {
            int n = d < 0 ? d + rank : d;
            if (n < 0 || n >= rank) {
                throw new IllegalArgumentException(lossName + ": normalize_advantage_exclude_dims " + Arrays.toString(exclude) + " names dim " + d
                        + ", out of range for an advantage of " + rank + " dims");
            }
            excluded[n] = true;
        }
        return java.util.stream.IntStream.range(0, rank).filter(i -> !excluded[i]).toArray();
    }

    /** Over {@code dims} (all dims when they are every dim), unbiased std floored at 1e-6. */
    static Tensor unmasked(Tensor a, int[] dims) {
        if (dims.length == a.dim()) return a.sub(a.mean()).div(a.std().clampMin(UNMASKED_FLOOR));
        return a.sub(a.mean(dims, true)).div(a.std(dims, 1, true).clampMin(UNMASKED_FLOOR));
    }

    /**
     * Over the entries {@code valid} marks, along {@code dims}: masked mean, masked population std
     * floored at 1e-4. {@code valid} has the batch shape (a prefix of the advantage's shape); it is
     * given trailing singleton dims and broadcast.
     */
    static Tensor masked(String lossName, Tensor a, Tensor valid, int[] dims) {
        Tensor m = valid.dtype() == DType.BOOL ? valid : valid.ne(0.0);
        while (m.dim() > a.dim() && m.size(m.dim() - 1) == 1) m = m.squeeze(m.dim() - 1);
        if (m.dim() > a.dim() || !Arrays.equals(Arrays.copyOf(a.shapeRef(), m.dim()), m.shapeRef())) {
            throw new IllegalArgumentException(lossName + ": the validity mask \"shifted_valid\" has shape " + Shape.format(valid.shapeRef())
                    + ", which does not lead the advantage's shape " + Shape.format(a.shapeRef()));
        }
        while (m.dim() < a.dim()) m = m.unsqueeze(m.dim());
        m = m.expand(a.shape());
        Tensor count = m.to(a.dtype()).sum(dims, true).clampMin(1.0);
        Tensor mean = Tensor.where(m, a, 0.0).sum(dims, true).div(count);
        Tensor centred = a.sub(mean);
        Tensor std = Tensor.where(m, centred, 0.0).square().sum(dims, true).div(count).sqrt();
        return centred.div(std.clampMin(MASKED_FLOOR));
    }
}
