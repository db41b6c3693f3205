package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.autograd.GradMode;

/**
 * What {@link SoftUpdate} and {@link HardUpdate} share (spec losses.md §1.4): construction collects
 * every target tree of the loss (none is an error), marks the loss as having an updater, and
 * {@link #init()}s. {@link #init()} copies <em>every</em> source entry into its target (parameters
 * and buffers) and records the distinct pairs (own storage, trainable source); none is an error.
 * {@link #step()} touches only the distinct pairs, so buffers are synchronised by {@link #init()}
 * alone.
 */
public abstract class TargetNetUpdater {
    private static final System.Logger LOG = System.getLogger(TargetNetUpdater.class.getName());

    private final LossModule loss;
    private final List<TargetPair> pairs;
    private List<TargetPair> distinct = List.of();
    private boolean initialized;

    protected TargetNetUpdater(LossModule loss) {
        this.loss = Objects.requireNonNull(loss, "target updater: the loss is null");
        this.pairs = loss.targetPairs();
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + loss.lossName() + " has no target parameters (it holds no network)");
        }
        loss.attachUpdater();
        init();
    }

    /** Copies every source into its target and records the distinct pairs; calling it again re-copies and warns. */
    public final void init() {
        if (initialized) LOG.log(System.Logger.Level.WARNING, () -> getClass().getSimpleName() + ".init: already initialised; copying the sources again");
        List<TargetPair> found = new ArrayList<>();
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (TargetPair p : pairs) {
                boolean own = p.target().storage() != p.source().storage();
                if (own) p.target().copy_(p.source().detach());
                if (p.distinct()) found.add(p);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + loss.lossName() + " has no delayed target copy of a trainable parameter "
                    + "(every delay_* flag is false?), so there is nothing to update");
        }
        distinct = List.copyOf(found);
        initialized = true;
    }

    /** One update of the targets. */
    public abstract void step();

    /** The (source, target) pairs {@link #step()} moves. */
    public final List<TargetPair> distinctPairs() { return distinct; }

    public final boolean initialized() { return initialized; }

    /** The loss this updater moves. */
    public final LossModule loss() { return loss; }

    /** For checkpoints: {@code initialized} and, for {@link HardUpdate}, {@code counter}. */
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("initialized", initialized);
        return out;
    }

    /** Restores {@link #stateDict()}. */
    public void loadStateDict(Map<String, Object> state) {
        if (!(state.get("initialized") instanceof Boolean b)) throw new IllegalArgumentException("loadStateDict: expected a boolean 'initialized', got " + state);
        initialized = b;
    }
}
