package org.rlgrad.engine.nn;

import java.util.Arrays;
import java.util.function.Supplier;

import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;

/**
 * TorchRL's MLP: a {@link Sequential} of Linear layers of widths {@code numCells}, each hidden
 * Linear followed by, in TorchRL's order, Dropout (if asked), LayerNorm (if asked) and the
 * activation; the last Linear maps to {@code outFeatures} and is activated only with
 * {@code activateLastLayer}. Layers are numbered as TorchRL's, activations and norms included, so
 * state-dict keys ("0.weight", "2.weight", ...) match. Defaults as TorchRL: depth 3, 32 cells,
 * Tanh.
 */
public final class MLP extends Sequential {
    private final int inFeatures;
    private final int outFeatures;
    private final int[] numCells;

    private MLP(Builder b) {
        this.inFeatures = b.inFeatures;
        this.outFeatures = b.outFeatures;
        this.numCells = b.widths();
        int[] in = new int[numCells.length + 1], out = new int[numCells.length + 1];
        in[0] = inFeatures;
        for (int i = 0; i < numCells.length; i++) {
            in[i + 1] = numCells[i];
            out[i] = numCells[i];
        }
        out[numCells.length] = outFeatures;
        for (int i = 0; i <= numCells.length; i++) {
            boolean last = i == numCells.length;
            add(new Linear(in[i], out[i], !last || b.biasLastLayer, b.dtype, b.generator));
            if (!last || b.activateLastLayer) {
                if (b.dropout > 0) add(new Dropout(b.dropout));
                if (b.layerNorm) add(new LayerNorm(new int[] {out[i]}, 1e-5, true, b.dtype));
                add(b.activation.get());
            }
        }
    }

    public static Builder builder(int inFeatures, int outFeatures) {
        return new Builder(inFeatures, outFeatures);
    }

    public int inFeatures() { return inFeatures; }
    public int outFeatures() { return outFeatures; }
    /** The hidden widths. */
    public int[] numCells() { return numCells.clone(); }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", num_cells=" + Arrays.toString(numCells);
    }

    /** The options of TorchRL's MLP constructor, named as there. */
    public static final class Builder {
        private final int inFeatures;
        private final int outFeatures;
        private Integer depth;
        private int cells = 32;
        private int[] perLayer;
        private Supplier<? extends UnaryModule> activation = Tanh::new;
        private boolean activateLastLayer;
        private boolean biasLastLayer = true;
        private boolean layerNorm;
        private double dropout;
        private DType dtype = DType.FLOAT32;
        private Generator generator = Generator.global();

        private Builder(int inFeatures, int outFeatures) {
            this.inFeatures = inFeatures;
            this.outFeatures = outFeatures;
        }

        /** The number of hidden layers, each {@link #numCells(int)} wide (3 by default). */
        public Builder depth(int depth) {
            if (depth < 0) throw new IllegalArgumentException("MLP: depth must be non-negative, got " + depth);
            this.depth = depth;
            return this;
        }

        /** The width of every hidden layer (32 by default). */
        public Builder numCells(int cells) {
            if (cells <= 0) throw new IllegalArgumentException("MLP: num_cells must be positive, got " + cells);
            this.cells = cells;
            this.perLayer = null;
            return this;
        }

        /** One width per hidden layer; the depth is their number. */
        public Builder numCells(int... widths) {
            for (int w : widths) if (w <= 0) throw new IllegalArgumentException("MLP: num_cells must be positive, got " + Arrays.toString(widths));
            this.perLayer = widths.clone();
            return this;
        }

        /** A factory of the activation layer placed after each activated Linear (TorchRL's activation_class). */
        public Builder activation(Supplier<? extends UnaryModule> activation) {
            this.activation = activation;
            return this;
        }

        public Builder activateLastLayer(boolean activate) {
            this.activateLastLayer = activate;
            return this;
        }

        public Builder biasLastLayer(boolean bias) {
            this.biasLastLayer = bias;
            return this;
        }

        /** A LayerNorm over each activated layer's width (TorchRL's norm_class=nn.LayerNorm). */
        public Builder layerNorm(boolean layerNorm) {
            this.layerNorm = layerNorm;
            return this;
        }

        /** Dropout of probability {@code p} after each activated Linear; 0 for none. */
        public Builder dropout(double p) {
            if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("MLP: dropout must be in [0, 1), got " + p);
            this.dropout = p;
            return this;
        }

        public Builder dtype(DType dtype) {
            this.dtype = dtype;
            return this;
        }

        public Builder generator(Generator generator) {
            this.generator = generator;
            return this;
        }

        private int[] widths() {
            if (perLayer != null) {
                if (depth != null && depth != perLayer.length) {
                    throw new IllegalArgumentException("MLP: depth " + depth + " does not match the " + perLayer.length
                            + " widths given in num_cells " + Arrays.toString(perLayer));
                }
                return perLayer.clone();
            }
            int[] w = new int[depth == null ? 3 : depth];
            Arrays.fill(w, cells);
            return w;
        }

        public MLP build() {
            return new MLP(this);
        }
    }
}
