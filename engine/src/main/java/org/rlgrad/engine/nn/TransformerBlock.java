package org.rlgrad.engine.nn;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A pre-LayerNorm GPT-2 block, the unit of Decision Transformer's transformer (Chen et al. 2021,
 * which uses HuggingFace's GPT2Model):
 * <pre>
 * x = x + attn(ln_1(x))                         (causal multi-head self-attention)
 * x = x + mlp(ln_2(x)),  mlp = Linear(d, 4d), GELU, Linear(4d, d), Dropout
 * </pre>
 * GELU is the tanh approximation by default, GPT-2's activation ("gelu_new"). Linear weights start
 * N(0, 0.02^2) with zero biases and LayerNorms at (1, 0), GPT-2's initialisation (without its
 * extra 1/sqrt(2 layers) scaling of the residual projections). LayerNorm eps 1e-5 as GPT-2.
 */
public final class TransformerBlock extends UnaryModule {
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;

    public TransformerBlock(int embedDim, int numHeads) {
        this(embedDim, numHeads, 4 * embedDim, 0, true, DType.FLOAT32, Generator.global());
    }

    public TransformerBlock(int embedDim, int numHeads, int mlpHidden, double dropout, boolean tanhGelu, DType dtype, Generator generator) {
        this.ln1 = registerModule("ln_1", new LayerNorm(new int[] {embedDim}, 1e-5, true, dtype));
        this.attn = registerModule("attn", new CausalSelfAttention(embedDim, numHeads, dropout, dtype, generator));
        this.ln2 = registerModule("ln_2", new LayerNorm(new int[] {embedDim}, 1e-5, true, dtype));
        Sequential m = dropout > 0
                ? new Sequential(gpt2Linear(embedDim, mlpHidden, dtype, generator), new GELU(tanhGelu),
                        gpt2Linear(mlpHidden, embedDim, dtype, generator), new Dropout(dropout))
                : new Sequential(gpt2Linear(embedDim, mlpHidden, dtype, generator), new GELU(tanhGelu),
                        gpt2Linear(mlpHidden, embedDim, dtype, generator));
        this.mlp = registerModule("mlp", m);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x.add(attn.forward(ln1.forward(x)));
        return h.add(mlp.forward(ln2.forward(h)));
    }

    /** A Linear with GPT-2's initialisation: weight N(0, 0.02^2), bias 0. */
    static Linear gpt2Linear(int in, int out, DType dtype, Generator generator) {
        Linear l = new Linear(in, out, true, dtype, generator);
        Init.normal_(l.namedParameters().get("weight"), 0, 0.02, generator);
        Init.zeros_(l.namedParameters().get("bias"));
        return l;
    }
}
