package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.distributions.NormalParamExtractor;
import org.rlgrad.engine.distributions.ScaleMapping;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@link NormalParamExtractor} as a function a {@link TensorDictModule} can wrap (spec engine.md
 * 3.13): the first positional tensor is split into {@code loc} and {@code scale}, further
 * positional tensors are passed through after them. Typical use: a network writes
 * {@code "param"}, then {@code TensorDictModule.builder(new NormalParamExtractorModule())
 * .inKeys("param").outKeys("loc", "scale")}.
 */
public final class NormalParamExtractorModule implements TensorFunction {
    private final NormalParamExtractor extractor;

    public NormalParamExtractorModule() {
        this(new NormalParamExtractor());
    }

    public NormalParamExtractorModule(String scaleMapping, double scaleLb) {
        this(new NormalParamExtractor(ScaleMapping.named(scaleMapping), scaleLb));
    }

    public NormalParamExtractorModule(NormalParamExtractor extractor) {
        this.extractor = extractor;
    }

    @Override
    public Object apply(List<Tensor> positional, Map<String, Tensor> named) {
        if (positional.isEmpty() || positional.get(0) == null || !named.isEmpty()) {
            throw new IllegalArgumentException("NormalParamExtractor: expected the parameters as the first positional tensor (and no named ones), got "
                    + positional.size() + " positional" + (named.isEmpty() ? "" : " and named " + named.keySet()));
        }
        NormalParamExtractor.LocAndScale ls = extractor.apply(positional.get(0));
        List<Tensor> out = new ArrayList<>();
        out.add(ls.loc());
        out.add(ls.scale());
        out.addAll(positional.subList(1, positional.size()));
        return out;
    }
}
