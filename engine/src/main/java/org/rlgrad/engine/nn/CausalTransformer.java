package org.rlgrad.engine.nn;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * GPT-2's body as Decision Transformer calls it with {@code inputs_embeds}: learned position
 * embeddings added to the input [*, T, d] (T &lt;= maxPositions), dropout, {@code numLayers}
 * {@link TransformerBlock}s, a final LayerNorm. Position embeddings start N(0, 0.02^2) as GPT-2's.
 */
public final class CausalTransformer extends UnaryModule {
    private final int maxPositions;
    private final Embedding positions;
    private final Dropout dropout;
    private final Sequential blocks;
    private final LayerNorm lnF;

    public CausalTransformer(int embedDim, int numLayers, int numHeads, int maxPositions, double dropout, DType dtype, Generator generator) {
        this.maxPositions = maxPositions;
        this.positions = registerModule("wpe", new Embedding(maxPositions, embedDim, dtype, generator));
        Init.normal_(positions.namedParameters().get("weight"), 0, 0.02, generator);
        this.dropout = dropout > 0 ? registerModule("drop", new Dropout(dropout)) : null;
        TransformerBlock[] h = new TransformerBlock[numLayers];
        for (int i = 0; i < numLayers; i++) h[i] = new TransformerBlock(embedDim, numHeads, 4 * embedDim, dropout, true, dtype, generator);
        this.blocks = registerModule("h", new Sequential(h));
        this.lnF = registerModule("ln_f", new LayerNorm(new int[] {embedDim}, 1e-5, true, dtype));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(-2) > maxPositions) {
            throw new IllegalArgumentException("CausalTransformer: expected input [*, T, d] with T <= " + maxPositions + ", got shape " + Shape.format(x.shapeRef()));
        }
        Tensor positionIds = Tensor.arange(x.size(-2)).to(x.device());
        Tensor h = x.add(positions.forward(positionIds));
        if (dropout != null) h = dropout.forward(h);
        return lnF.forward(blocks.forward(h));
    }
}
