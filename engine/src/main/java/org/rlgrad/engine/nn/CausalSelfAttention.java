package org.rlgrad.engine.nn;

import java.util.List;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Multi-head causal self-attention as in GPT-2 (Radford et al. 2019; Vaswani et al. 2017):
 * for x [*, T, d], [q, k, v] = x W_qkv^T + b_qkv split into {@code numHeads} heads of size
 * d / numHeads, att = softmax(q k^T / sqrt(d_head) with -inf above the diagonal (position t sees
 * positions up to t only)), y = (att v) merged back to [*, T, d] and projected. Dropout (if p &gt; 0)
 * on the attention weights and on the output, as GPT-2's attn_pdrop and resid_pdrop.
 *
 * <p>Parameters: "qkv" (Linear d -> 3d) and "proj" (Linear d -> d). HuggingFace's GPT-2 names them
 * c_attn and c_proj and stores their weights transposed (its Conv1D is [in, out]); different names
 * make loading such a checkpoint fail loudly instead of silently transposing the square c_proj.
 */
public final class CausalSelfAttention extends UnaryModule {
    private final int embedDim;
    private final int numHeads;
    private final Linear qkv;
    private final Linear proj;
    private final Dropout attnDropout;
    private final Dropout residDropout;

    public CausalSelfAttention(int embedDim, int numHeads, double dropout, DType dtype, Generator generator) {
        if (numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("CausalSelfAttention: embedDim " + embedDim + " must be a positive multiple of numHeads " + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.qkv = registerModule("qkv", TransformerBlock.gpt2Linear(embedDim, 3 * embedDim, dtype, generator));
        this.proj = registerModule("proj", TransformerBlock.gpt2Linear(embedDim, embedDim, dtype, generator));
        this.attnDropout = dropout > 0 ? registerModule("attn_dropout", new Dropout(dropout)) : null;
        this.residDropout = dropout > 0 ? registerModule("resid_dropout", new Dropout(dropout)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(-1) != embedDim) {
            throw new IllegalArgumentException("CausalSelfAttention: expected input [*, T, " + embedDim + "], got shape " + Shape.format(x.shapeRef()));
        }
        int t = x.size(-2), headDim = embedDim / numHeads;
        List<Tensor> parts = qkv.forward(x).split(embedDim, -1);
        // [*, T, d] -> [*, heads, T, d_head]
        Tensor q = parts.get(0).unflatten(-1, numHeads, headDim).transpose(-3, -2);
        Tensor k = parts.get(1).unflatten(-1, numHeads, headDim).transpose(-3, -2);
        Tensor v = parts.get(2).unflatten(-1, numHeads, headDim).transpose(-3, -2);
        Tensor scores = q.matmul(k.mT()).mul(1 / Math.sqrt(headDim));
        Tensor future = x.newFull(new int[] {t, t}, 1, x.dtype()).triu(1).gt(0.5);
        Tensor att = scores.maskedFill(future, Double.NEGATIVE_INFINITY).softmax(-1);
        if (attnDropout != null) att = attnDropout.forward(att);
        Tensor y = att.matmul(v).transpose(-3, -2).flatten(-2, -1);
        y = proj.forward(y);
        return residDropout != null ? residDropout.forward(y) : y;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads;
    }
}
