package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Sigmoid;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A network of a loss case (FORMAT-losses.md section 2): {@code {"layers": [{weight [out, in],
 * bias [out], activation}, ...]}}, each layer {@code y = act(x Wᵀ + b)} with activation
 * {@code tanh}, {@code relu}, {@code sigmoid} or {@code none}, built as a float64
 * {@link Sequential} of {@link Linear} layers holding the case's weights. {@link #layers()} gives
 * the Linear modules in case order, so gradients can be read per layer.
 */
public final class CaseMlp {
    private final Sequential module;
    private final List<Linear> layers;

    private CaseMlp(Sequential module, List<Linear> layers) {
        this.module = module;
        this.layers = List.copyOf(layers);
    }

    /** Decodes {@code json}; {@code what} names it in errors ({@code networks.value}). */
    public static CaseMlp decode(Object json, String what) {
        Map<String, Object> net = JsonValues.object(json, what);
        List<Object> layerJson = JsonValues.list(net.get("layers"), what + ".layers");
        if (layerJson.isEmpty()) throw new MalformedCaseException(what + ".layers: expected at least one layer, got none");
        List<UnaryModule> seq = new ArrayList<>();
        List<Linear> linears = new ArrayList<>();
        Generator unused = new Generator(0); // the initial draw is overwritten by the case's weights
        for (int i = 0; i < layerJson.size(); i++) {
            String w = what + ".layers[" + i + "]";
            Map<String, Object> layer = JsonValues.object(layerJson.get(i), w);
            Tensor weight = VectorTensors.decode(layer.get("weight"), w + ".weight");
            Tensor bias = VectorTensors.decode(layer.get("bias"), w + ".bias");
            if (weight.dim() != 2 || bias.dim() != 1 || bias.size(0) != weight.size(0)) {
                throw new MalformedCaseException(w + ": expected weight [out, in] and bias [out], got " + java.util.Arrays.toString(weight.shapeRef())
                        + " and " + java.util.Arrays.toString(bias.shapeRef()));
            }
            Linear linear = new Linear(weight.size(1), weight.size(0), true, DType.FLOAT64, unused);
            try (GradMode.Scope g = GradMode.noGrad()) {
                linear.weight().copy_(weight);
                linear.bias().copy_(bias);
            }
            linears.add(linear);
            seq.add(linear);
            String act = JsonValues.string(layer.get("activation"), w + ".activation");
            switch (act) {
                case "tanh" -> seq.add(new Tanh());
                case "relu" -> seq.add(new ReLU());
                case "sigmoid" -> seq.add(new Sigmoid());
                case "none" -> { }
                default -> throw new MalformedCaseException(w + ".activation: expected tanh, relu, sigmoid or none, got '" + act + "'");
            }
        }
        return new CaseMlp(new Sequential(seq), linears);
    }

    /** The network as a module (float64, trainable). */
    public Sequential module() { return module; }

    /** The Linear layers, in case order. */
    public List<Linear> layers() { return layers; }

    /** The number of inputs of the first layer. */
    public int inFeatures() { return layers.get(0).inFeatures(); }
}
