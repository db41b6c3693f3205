package org.rlgrad.engine.nn;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A lookup table, as torch.nn.Embedding: int64 indices of any shape give the rows of weight
 * [numEmbeddings, embeddingDim], out shape = indices shape + [embeddingDim]. The gradient of the
 * table is the scatter-add of the output gradient into the rows used (dense, not sparse).
 * The table starts N(0, 1), as PyTorch.
 */
public final class Embedding extends UnaryModule {
    private final int numEmbeddings;
    private final int embeddingDim;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, DType.FLOAT32, Generator.global());
    }

    public Embedding(int numEmbeddings, int embeddingDim, DType dtype, Generator generator) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        Init.normal_(registerParameter("weight", Tensor.zeros(dtype, numEmbeddings, embeddingDim)), 0, 1, generator);
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.INT64) throw new IllegalArgumentException("Embedding: expected int64 indices, got " + indices.dtype());
        int[] s = indices.shape();
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = embeddingDim;
        return parameter("weight").indexSelect(0, indices.reshape(-1)).reshape(out);
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }
}
