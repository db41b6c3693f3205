package org.rlgrad.engine.nn;

import java.util.Arrays;
import java.util.Objects;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The QMIX mixer (Rashid et al. 2018, "QMIX: Monotonic Value Function Factorisation for Deep
 * Multi-Agent Reinforcement Learning"; TorchRL's {@code QMixer}): a one-hidden-layer network over
 * the agents' values whose weights are produced from the global state {@code x} by hypernetworks,
 * and kept non-negative, so that {@code Q_tot} is monotone in every agent's value.
 *
 * <pre>
 *   W₁ = |hyper_w_1(x)|      viewed row-major as [n, E]
 *   b₁ = hyper_b_1(x)        [E]
 *   h  = elu(qᵀ W₁ + b₁)     [E]       (q: the n agents' values)
 *   w  = |hyper_w_final(x)|  [E]
 *   Q_tot = h · w + V(x)     [1]       (V: Linear(stateDim, E), ReLU, Linear(E, 1))
 * </pre>
 *
 * The four maps are children named as in TorchRL ({@code hyper_w_1}, {@code hyper_w_final},
 * {@code hyper_b_1}, {@code V}), so state-dict keys match the reference's.
 */
public final class QMixer extends Mixer {
    private final int embedDim;
    private final UnaryModule hyperW1;
    private final UnaryModule hyperWFinal;
    private final UnaryModule hyperB1;
    private final UnaryModule v;

    /**
     * TorchRL's layers: {@code hyper_w_1 = Linear(stateDim, E·n)}, {@code hyper_w_final =
     * Linear(stateDim, E)}, {@code hyper_b_1 = Linear(stateDim, E)}, {@code V = Linear(stateDim,
     * E), ReLU, Linear(E, 1)}, with PyTorch's default initialisation drawn from {@code generator}.
     */
    public QMixer(int[] stateShape, int mixingEmbedDim, int nAgents, DType dtype, Generator generator) {
        this(stateShape, mixingEmbedDim, nAgents, layers(stateShape, mixingEmbedDim, nAgents, dtype, generator));
    }

    /** {@link #QMixer(int[], int, int, DType, Generator)} in float32 from the global generator. */
    public QMixer(int[] stateShape, int mixingEmbedDim, int nAgents) {
        this(stateShape, mixingEmbedDim, nAgents, DType.FLOAT32, Generator.global());
    }

    /**
     * The given maps from the flattened state {@code [*, stateDim]}: {@code hyperW1} to
     * {@code n·E} numbers, {@code hyperWFinal} and {@code hyperB1} to {@code E}, {@code v} to 1
     * (checked when the mixer runs).
     */
    public QMixer(int[] stateShape, int mixingEmbedDim, int nAgents, UnaryModule hyperW1, UnaryModule hyperWFinal, UnaryModule hyperB1, UnaryModule v) {
        super(nAgents, Objects.requireNonNull(stateShape, "QMixer: the state shape is null"));
        if (mixingEmbedDim < 1) throw new IllegalArgumentException("QMixer: mixing_embed_dim must be positive, got " + mixingEmbedDim);
        this.embedDim = mixingEmbedDim;
        this.hyperW1 = registerModule("hyper_w_1", Objects.requireNonNull(hyperW1, "QMixer: hyper_w_1 is null"));
        this.hyperWFinal = registerModule("hyper_w_final", Objects.requireNonNull(hyperWFinal, "QMixer: hyper_w_final is null"));
        this.hyperB1 = registerModule("hyper_b_1", Objects.requireNonNull(hyperB1, "QMixer: hyper_b_1 is null"));
        this.v = registerModule("V", Objects.requireNonNull(v, "QMixer: V is null"));
    }

    private QMixer(int[] stateShape, int embedDim, int nAgents, UnaryModule[] maps) {
        this(stateShape, embedDim, nAgents, maps[0], maps[1], maps[2], maps[3]);
    }

    private static UnaryModule[] layers(int[] stateShape, int e, int n, DType dtype, Generator g) {
        Objects.requireNonNull(stateShape, "QMixer: the state shape is null");
        int s = 1;
        for (int d : stateShape) s *= d;
        // TorchRL's construction order: hyper_w_1, hyper_w_final, hyper_b_1, then V.
        UnaryModule w1 = new Linear(s, e * n, true, dtype, g);
        UnaryModule wFinal = new Linear(s, e, true, dtype, g);
        UnaryModule b1 = new Linear(s, e, true, dtype, g);
        UnaryModule value = new Sequential(new Linear(s, e, true, dtype, g), new ReLU(), new Linear(e, 1, true, dtype, g));
        return new UnaryModule[] {w1, wFinal, b1, value};
    }

    public int mixingEmbedDim() { return embedDim; }

    @Override
    protected Tensor mix(Tensor q, Tensor state) {
        int n = nAgents(), e = embedDim;
        int[] batch = Arrays.copyOf(q.shapeRef(), q.dim() - 2);
        Tensor w1 = output("hyper_w_1", hyperW1.forward(state), n * e).abs().reshape(Shape.concat(batch, new int[] {n, e}));
        Tensor b1 = output("hyper_b_1", hyperB1.forward(state), e).unsqueeze(-2);
        Tensor hidden = q.mT().matmul(w1).add(b1).elu(1.0);                               // [*B, 1, E]
        Tensor wFinal = output("hyper_w_final", hyperWFinal.forward(state), e).abs().unsqueeze(-1);   // [*B, E, 1]
        Tensor value = output("V", v.forward(state), 1);                                  // [*B, 1]
        return hidden.matmul(wFinal).squeeze(-1).add(value);
    }

    private static Tensor output(String map, Tensor out, int width) {
        if (out.size(-1) != width) {
            throw new IllegalArgumentException("QMixer: " + map + " must map the state to " + width + " numbers, got shape " + Shape.format(out.shapeRef()));
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", mixing_embed_dim=" + embedDim;
    }
}
