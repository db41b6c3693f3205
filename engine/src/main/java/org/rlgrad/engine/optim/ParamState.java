package org.rlgrad.engine.optim;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * What an optimiser remembers about one parameter between steps (torch's {@code state[p]}): how
 * many updates it has had and its named buffers ({@code "exp_avg"}, {@code "momentum_buffer"}, ...
 * with torch's names), which live on the parameter's device.
 *
 * <p>The buffers are taken out of every {@link MemoryScope} when stored: a training loop opens a
 * scope per step, and state made inside the first step must outlive it.
 */
public final class ParamState {
    private long step;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    /** How many updates the parameter has had. */
    public long step() {
        return step;
    }

    void setStep(long step) {
        this.step = step;
    }

    /** Counts one more update and returns the new count (torch's {@code state['step'] += 1}). */
    long nextStep() {
        return ++step;
    }

    /** The buffer called {@code name}, or null when the optimiser has not made it. */
    public Tensor get(String name) {
        return buffers.get(name);
    }

    /** Every buffer, in the order they were made. */
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Stores {@code t} as buffer {@code name}, persisted beyond every open scope. */
    Tensor put(String name, Tensor t) {
        buffers.put(name, MemoryScope.persist(t));
        return t;
    }

    /** The buffer {@code name}, made as zeros of {@code param}'s shape, dtype and device the first time. */
    Tensor zerosLike(String name, Tensor param) {
        Tensor t = buffers.get(name);
        return t != null ? t : put(name, Tensor.zerosLike(param));
    }

    /** A copy whose buffers are cloned: a snapshot that later steps do not change. */
    ParamState copy() {
        ParamState c = new ParamState();
        c.step = step;
        buffers.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    /** A copy whose buffers are moved to {@code param}'s device and dtype, checked against its shape. */
    ParamState copyFor(Tensor param, String where) {
        ParamState c = new ParamState();
        c.step = step;
        buffers.forEach((k, v) -> {
            if (!Arrays.equals(v.shapeRef(), param.shapeRef())) {
                throw new IllegalArgumentException(where + ": state '" + k + "' has shape " + Shape.format(v.shapeRef())
                        + ", expected the parameter's shape " + Shape.format(param.shapeRef()));
            }
            c.put(k, v.to(param.device()).to(param.dtype()).clone());
        });
        return c;
    }

    @Override
    public String toString() {
        return "ParamState(step=" + step + ", buffers=" + buffers.keySet() + ")";
    }
}
