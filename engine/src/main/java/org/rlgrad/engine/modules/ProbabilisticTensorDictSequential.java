package org.rlgrad.engine.modules;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.rlgrad.engine.distributions.CompositeDistribution;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A sequence whose last module is a {@link ProbabilisticTensorDictModule}: the modules before it
 * (the "deterministic part") compute the distribution's parameters (spec engine.md 3.7;
 * tensordict's {@code ProbabilisticTensorDictSequential}).
 *
 * <p>{@link #getDist} runs the deterministic part under the scoped interaction type, or the last
 * module's default when none is set, and builds the distribution without drawing. When the
 * deterministic part itself writes the sample keys, {@link #forward} does not draw again: the last
 * module only scores that sample (with {@code returnLogProb}).
 */
public class ProbabilisticTensorDictSequential extends TensorDictSequential {
    private final ProbabilisticTensorDictModule last;
    private final List<TensorDictModuleBase> deterministicPart;
    private final boolean deterministicPartWritesSample;

    public ProbabilisticTensorDictSequential(List<? extends TensorDictModuleBase> modules) {
        super(modules, false);
        TensorDictModuleBase tail = modules.get(modules.size() - 1);
        if (!(tail instanceof ProbabilisticTensorDictModule p)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected the last module to be a ProbabilisticTensorDictModule, got "
                    + tail.getClass().getSimpleName() + " (a sequence of several probabilistic modules is not supported)");
        }
        this.last = p;
        this.deterministicPart = sequence().subList(0, modules.size() - 1);
        Set<Key> written = new HashSet<>();
        for (TensorDictModuleBase m : deterministicPart) written.addAll(m.outKeys());
        this.deterministicPartWritesSample = written.containsAll(p.sampleKeys());
    }

    public ProbabilisticTensorDictSequential(TensorDictModuleBase... modules) {
        this(List.of(modules));
    }

    /** The probabilistic module at the end. */
    public final ProbabilisticTensorDictModule probabilisticModule() { return last; }

    /** The modules before it. */
    public final List<TensorDictModuleBase> deterministicPart() { return deterministicPart; }

    /** The last module's log-prob keys. */
    public final List<Key> logProbKeys() { return last.logProbKeys(); }

    /** Where samples go (TorchRL's {@code dist_sample_keys}). */
    public final List<Key> distSampleKeys() { return last.sampleKeys(); }

    /** What the distribution is built from (TorchRL's {@code dist_params_keys}). */
    public final List<Key> distParamsKeys() { return last.inKeys(); }

    /** Runs the deterministic part on {@code td} (in place) under the interaction type of {@link #getDist}. */
    public final TensorDict distParams(TensorDict td) {
        try (GradMode.Scope scope = InteractionType.set(InteractionType.currentOr(last.defaultInteractionType()))) {
            return runModules(td, deterministicPart);
        }
    }

    /** The distribution the actor acts with in {@code td}, without drawing. */
    public final Distribution getDist(TensorDict td) {
        return last.getDist(distParams(td));
    }

    public final CompositeDistribution getCompositeDist(TensorDict td) {
        return last.getCompositeDist(distParams(td));
    }

    /** The log-probability of the sample stored in {@code td} under the distribution computed from it. */
    public final Tensor logProb(TensorDict td) {
        return last.logProb(distParams(td));
    }

    @Override
    protected TensorDict runAll(TensorDict td) {
        TensorDict cur = runModules(td, deterministicPart);
        if (!deterministicPartWritesSample) return last.forward(cur);
        if (last.returnLogProb()) {
            if (last.isComposite()) cur.update(last.logProbPerHead(cur));
            else cur.set(last.logProbKey(), last.logProb(cur));
        }
        return cur;
    }
}
