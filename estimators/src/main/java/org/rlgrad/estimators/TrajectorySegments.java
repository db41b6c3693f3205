package org.rlgrad.estimators;

import java.util.List;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The trajectories laid end to end in a batch of series {@code [N, T]}, cut at done flags (spec
 * estimators.md §4.1 steps 2, 3 and 6): segment lengths, the padded matrix
 * {@code [numSegments, maxLen]} with one trajectory per row, and the way back.
 *
 * <p>The last step of every row is a boundary, so no segment spans two rows. The bookkeeping
 * (which flat position lands in which cell) is integer work done once on the host; the data
 * moves with {@code indexSelect}, so values keep their gradients and their device.
 */
public final class TrajectorySegments {
    private final int rows;
    private final int length;
    private final int maxLen;
    private final long[] lengths;
    private final Tensor toPadded; // [S * maxLen] flat source position of each cell (0 where unused)
    private final Tensor occupied; // [S, maxLen] bool
    private final Tensor fromPadded; // [N * T] cell of each flat position

    private TrajectorySegments(int rows, int length, long[] lengths, Tensor like) {
        this.rows = rows;
        this.length = length;
        this.lengths = lengths;
        int s = lengths.length;
        int max = 0;
        for (long l : lengths) max = Math.max(max, (int) l);
        this.maxLen = max;
        long[] cellSource = new long[s * max];
        boolean[] used = new boolean[s * max];
        long[] cellOf = new long[rows * length];
        long start = 0;
        for (int seg = 0; seg < s; seg++) {
            for (int j = 0; j < lengths[seg]; j++) {
                cellSource[seg * max + j] = start + j;
                used[seg * max + j] = true;
                cellOf[(int) (start + j)] = (long) seg * max + j;
            }
            start += lengths[seg];
        }
        this.toPadded = Tensor.of(cellSource, s * max).to(like.device());
        this.occupied = Tensor.of(used, s, max).to(like.device());
        this.fromPadded = Tensor.of(cellOf, rows * length).to(like.device());
    }

    /**
     * The segments of {@code done} ({@code [N, T]} bool, time last): a segment ends at each done
     * step and at the end of each row.
     */
    public static TrajectorySegments of(Tensor done) {
        if (done.dim() != 2 || done.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("TrajectorySegments: expected a bool done tensor [N, T], got " + done.dtype() + " " + Shape.format(done.shapeRef()));
        }
        return new TrajectorySegments(done.size(0), done.size(1), lengths(done), done);
    }

    /**
     * Segment lengths in row-major order: with the last column forced true, the positions of the
     * true flags plus one, differenced. No done anywhere gives N copies of T.
     */
    public static long[] lengths(Tensor done) {
        int n = done.size(0), t = done.size(1);
        Tensor lastColumn = done.newFull(new int[] {n, 1}, 1, DType.BOOL);
        Tensor forced = Tensor.cat(List.of(done.narrow(1, 0, t - 1), lastColumn), 1);
        long[] ends = forced.reshape(-1).nonzero().toLongArray();
        long[] out = new long[ends.length];
        long previous = 0;
        for (int i = 0; i < ends.length; i++) {
            out[i] = ends[i] + 1 - previous;
            previous = ends[i] + 1;
        }
        return out;
    }

    public long[] lengths() {
        return lengths.clone();
    }

    public int maxLength() {
        return maxLen;
    }

    public int count() {
        return lengths.length;
    }

    /** {@code [N, T]} to {@code [numSegments, maxLen]}, one trajectory per row from column 0, zero padded. */
    public Tensor split(Tensor x) {
        requireShape(x);
        Tensor cells = x.reshape(-1).indexSelect(0, toPadded).reshape(lengths.length, maxLen);
        return Tensor.where(occupied, cells, 0);
    }

    /** The inverse of {@link #split}: the occupied cells back in place, {@code [N, T]}. */
    public Tensor merge(Tensor padded) {
        if (padded.dim() != 2 || padded.size(0) != lengths.length || padded.size(1) != maxLen) {
            throw new IllegalArgumentException("TrajectorySegments.merge: expected [" + lengths.length + ", " + maxLen + "], got " + Shape.format(padded.shapeRef()));
        }
        return padded.reshape(-1).indexSelect(0, fromPadded).reshape(rows, length);
    }

    private void requireShape(Tensor x) {
        if (x.dim() != 2 || x.size(0) != rows || x.size(1) != length) {
            throw new IllegalArgumentException("TrajectorySegments.split: expected [" + rows + ", " + length + "], got " + Shape.format(x.shapeRef()));
        }
    }
}
