package org.rlgrad.engine.nn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rlgrad.engine.tensor.Tensor;

/** The tensors torch wrote (write_safetensors_fixture.py), read once. */
final class NnFixture {
    private NnFixture() {}

    static byte[] bytes(String resource) {
        try (InputStream in = NnFixture.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final Map<String, Tensor> TENSORS = SafeTensors.deserialize(bytes("torch_fixture.safetensors"));

    static Tensor get(String name) {
        Tensor t = TENSORS.get(name);
        if (t == null) throw new IllegalArgumentException("no fixture tensor '" + name + "'");
        return t;
    }

    /** The entries under {@code prefix + "."}, with the prefix removed, excluding the given names. */
    static Map<String, Tensor> stateOf(String prefix, String... exclude) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        outer:
        for (Map.Entry<String, Tensor> e : TENSORS.entrySet()) {
            if (!e.getKey().startsWith(prefix + ".")) continue;
            String k = e.getKey().substring(prefix.length() + 1);
            for (String x : exclude) if (k.equals(x) || k.startsWith(x + ".")) continue outer;
            out.put(k, e.getValue());
        }
        return out;
    }
}
