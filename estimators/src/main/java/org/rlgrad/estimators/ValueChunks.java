package org.rlgrad.estimators;

import java.util.Arrays;

/**
 * How an estimator splits its value-network calls (spec estimators.md §6.2, §6.6 item 4): by a
 * chunk size ({@code value_chunk_size}) or a number of chunks ({@code num_chunks}) along
 * {@code value_chunk_dim}, a batch dim of the input. Chunking bounds the memory of one network
 * call; it never changes the results.
 *
 * @param chunkSize chunks of this size, the last one smaller; null when not chunking by size
 * @param numChunks at most this many near-equal chunks, the first ones larger; null when not chunking by count
 * @param dim the batch dim to split (negative counts from the end of the batch size)
 */
public record ValueChunks(Integer chunkSize, Integer numChunks, int dim) {
    /** No chunking. */
    public static final ValueChunks NONE = new ValueChunks(null, null, 0);

    public ValueChunks {
        if (chunkSize != null && chunkSize < 1) throw new IllegalArgumentException("value_chunk_size must be a positive integer or null, got " + chunkSize);
        if (numChunks != null && numChunks < 1) throw new IllegalArgumentException("num_chunks must be a positive integer or null, got " + numChunks);
        if (chunkSize != null && numChunks != null) {
            throw new IllegalArgumentException("value_chunk_size and num_chunks cannot both be set (got value_chunk_size=" + chunkSize + ", num_chunks="
                    + numChunks + "); set one of them");
        }
    }

    /** Whether the calls are split at all. */
    public boolean isActive() {
        return chunkSize != null || numChunks != null;
    }

    /** {@link #dim} as a non-negative batch dim of a dict with {@code batchDims} dims; out of range is an error. */
    public int resolveDim(int batchDims) {
        if (dim < -batchDims || dim >= batchDims) {
            throw new IllegalArgumentException("value_chunk_dim=" + dim + " is out of range for a tensordict with " + batchDims + " batch dims (expected "
                    + (-batchDims) + " to " + (batchDims - 1) + ")");
        }
        return dim < 0 ? dim + batchDims : dim;
    }

    /**
     * The chunk lengths along a dim of {@code size}: one chunk when not chunking, when the dim is
     * empty, or when it is no larger than the chunk size. {@code num_chunks = 3} on 5 gives
     * {@code [2, 2, 1]}; {@code value_chunk_size = 2} on 5 gives {@code [2, 2, 1]}.
     */
    public int[] sizes(int size) {
        if (size == 0 || !isActive()) return new int[] {size};
        if (chunkSize != null) {
            if (size <= chunkSize) return new int[] {size};
            int n = (size + chunkSize - 1) / chunkSize;
            int[] out = new int[n];
            Arrays.fill(out, chunkSize);
            out[n - 1] = size - chunkSize * (n - 1);
            return out;
        }
        int n = Math.min(numChunks, size);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = size / n + (i < size % n ? 1 : 0);
        return out;
    }
}
