package org.rlgrad.engine.nn;

import java.util.ArrayList;
import java.util.List;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Layers applied in order, named "0", "1", ... as torch.nn.Sequential, so that state-dict keys
 * ("0.weight", "2.bias") match PyTorch's.
 */
public class Sequential extends UnaryModule {
    private final List<UnaryModule> layers = new ArrayList<>();

    public Sequential(UnaryModule... layers) {
        this(List.of(layers));
    }

    public Sequential(List<? extends UnaryModule> layers) {
        for (UnaryModule layer : layers) add(layer);
    }

    /** Appends a layer under the next index. */
    protected final void add(UnaryModule layer) {
        registerModule(Integer.toString(layers.size()), layer);
        layers.add(layer);
    }

    public final int size() {
        return layers.size();
    }

    public final UnaryModule get(int index) {
        return layers.get(index);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (UnaryModule layer : layers) h = layer.forward(h);
        return h;
    }
}
