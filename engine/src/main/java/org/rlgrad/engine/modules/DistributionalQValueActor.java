package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.List;

import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A distributional Q-network and its greedy policy (spec engine.md 3.11; TorchRL's
 * {@code DistributionalQValueActor}). With {@code makeLogSoftmax} (the reference's default), a
 * module applying {@code log_softmax} over dim −2 (the atoms) to the action values is inserted
 * between the network and the {@link DistributionalQValueModule}, unless the network already ends
 * with one.
 */
public class DistributionalQValueActor extends TensorDictSequential {
    public DistributionalQValueActor(TensorDictModuleBase module, DistributionalQValueModule qValue, boolean makeLogSoftmax) {
        super(chain(module, qValue, makeLogSoftmax), false);
    }

    /** The distributional Q-value module at the end. */
    public DistributionalQValueModule qValueModule() {
        return (DistributionalQValueModule) sequence().get(sequence().size() - 1);
    }

    private static List<TensorDictModuleBase> chain(TensorDictModuleBase module, DistributionalQValueModule qValue, boolean makeLogSoftmax) {
        QValueActor.requireWrites(module, qValue.actionValueKey());
        List<TensorDictModuleBase> out = new ArrayList<>();
        out.add(module);
        if (makeLogSoftmax && !endsWithLogSoftmax(module)) out.add(new LogSoftmaxOverAtoms(qValue.actionValueKey()));
        out.add(qValue);
        return out;
    }

    private static boolean endsWithLogSoftmax(TensorDictModuleBase m) {
        if (m instanceof LogSoftmaxOverAtoms) return true;
        return m instanceof TensorDictSequential s && endsWithLogSoftmax(s.sequence().get(s.sequence().size() - 1));
    }

    /** {@code log_softmax} over dim −2 of the action values, in place in the dict (rank ≥ 2 required). */
    public static final class LogSoftmaxOverAtoms extends TensorDictModuleBase {
        private final Key key;

        public LogSoftmaxOverAtoms(Key key) {
            this.key = key;
        }

        @Override
        public List<Key> inKeys() { return List.of(key); }

        @Override
        public List<Key> outKeys() { return List.of(key); }

        @Override
        protected TensorDict compute(TensorDict td) {
            Tensor v = td.get(key);
            if (v.dim() < 2) {
                throw new IllegalArgumentException("DistributionalQValueActor: log_softmax over the atoms (dim -2) needs action values of rank >= 2 "
                        + "([..., atoms, actions]), got shape " + Shape.format(v.shapeRef()));
            }
            return td.set(key, v.logSoftmax(-2));
        }
    }
}
