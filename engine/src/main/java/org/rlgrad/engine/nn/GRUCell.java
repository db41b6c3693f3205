package org.rlgrad.engine.nn;

import java.util.List;

import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * One step of a GRU (Cho et al. 2014) with PyTorch's equations and layout (torch.nn.GRUCell):
 * <pre>
 * r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 * z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 * h' = (1 - z) * n + z * h
 * </pre>
 * weight_ih [3H, in] and weight_hh [3H, H] stack the gates in the order r, z, n; bias_ih and
 * bias_hh are [3H]. Every tensor starts U(-1/sqrt(H), 1/sqrt(H)), drawn in that order, as torch.
 * Inputs are [B, in] with h [B, H], or unbatched [in] with h [H]; a null h means zeros.
 */
public final class GRUCell extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final boolean hasBias;

    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, DType.FLOAT32, Generator.global());
    }

    public GRUCell(int inputSize, int hiddenSize, boolean bias, DType dtype, Generator generator) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.hasBias = bias;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (Tensor t : new Tensor[] {
            registerParameter("weight_ih", Tensor.zeros(dtype, 3 * hiddenSize, inputSize)),
            registerParameter("weight_hh", Tensor.zeros(dtype, 3 * hiddenSize, hiddenSize)),
            bias ? registerParameter("bias_ih", Tensor.zeros(dtype, 3 * hiddenSize)) : null,
            bias ? registerParameter("bias_hh", Tensor.zeros(dtype, 3 * hiddenSize)) : null}) {
            if (t != null) Init.uniform_(t, -bound, bound, generator);
        }
    }

    public int inputSize() { return inputSize; }
    public int hiddenSize() { return hiddenSize; }

    /** The next hidden state from zeros. */
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    public Tensor forward(Tensor x, Tensor h) {
        if ((x.dim() != 1 && x.dim() != 2) || x.size(-1) != inputSize) {
            throw new IllegalArgumentException("GRUCell: expected input [B, " + inputSize + "] or [" + inputSize + "], got shape " + Shape.format(x.shapeRef()));
        }
        int[] hShape = x.dim() == 2 ? new int[] {x.size(0), hiddenSize} : new int[] {hiddenSize};
        if (h == null) h = x.newZeros(x.dtype(), hShape);
        else if (!java.util.Arrays.equals(h.shapeRef(), hShape)) {
            throw new IllegalArgumentException("GRUCell: expected hidden state " + Shape.format(hShape) + " for input " + Shape.format(x.shapeRef())
                    + ", got " + Shape.format(h.shapeRef()));
        }
        List<Tensor> gi = Functional.linear(x, parameter("weight_ih"), hasBias ? parameter("bias_ih") : null).chunk(3, -1);
        List<Tensor> gh = Functional.linear(h, parameter("weight_hh"), hasBias ? parameter("bias_hh") : null).chunk(3, -1);
        Tensor r = gi.get(0).add(gh.get(0)).sigmoid();
        Tensor z = gi.get(1).add(gh.get(1)).sigmoid();
        Tensor n = gi.get(2).add(r.mul(gh.get(2))).tanh();
        // (1 - z) n + z h, written as n + z (h - n).
        return n.add(z.mul(h.sub(n)));
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + ", bias=" + hasBias;
    }
}
