package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The decision-transformer loss (spec losses.md §2.14; Chen et al. 2021): behaviour cloning of the
 * dataset actions by an actor run over the sequence.
 *
 * <p>The target {@code a = td[action_target]} is read first; the actor then runs, in the loss's
 * deterministic sampling mode, on a shallow copy of {@code td} (so it may overwrite the same key
 * without touching the caller's data) and writes its prediction at {@code action_pred}.
 * {@code loss = red(d(pred, sg(a)))}, element-wise over every action component: with
 * {@code reduction = none} the loss has the action's shape. Gradient reaches only the actor. No
 * randomness when the actor is deterministic; no value estimator.
 */
public final class DTLoss extends LossModule {
    /** The name of the actor's parameter tree. */
    public static final String ACTOR = "actor";

    private final TensorDictModuleBase actor;
    private final Distance lossFunction;

    private DTLoss(Builder b) {
        super("DTLoss", keyDefaults());
        this.actor = b.actor;
        this.lossFunction = b.lossFunction;
        setReduction(b.reduction);
        registerNetwork(ACTOR, actor, false);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action_target", "action");
        k.put("action_pred", "action");
        return k;
    }

    /** A loss over {@code actor}, which writes the predicted action. */
    public static Builder builder(TensorDictModuleBase actor) {
        return new Builder(Objects.requireNonNull(actor, "DTLoss: the actor is null"));
    }

    public TensorDictModuleBase actor() { return actor; }

    public Distance lossFunction() { return lossFunction; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        Tensor target = require(td, key("action_target")).detach();
        Tensor pred = actor.forwardWith(params(ACTOR), td.copy()).get(key("action_pred"));
        TensorDict out = new TensorDict();
        out.set("loss", reduce(lossFunction.apply(pred, target), td));
        return out;
    }


    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "DTLoss(loss_function=" + lossFunction.alias() + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final TensorDictModuleBase actor;
        private Distance lossFunction = Distance.L2;
        private Reduction reduction = Reduction.MEAN;

        private Builder(TensorDictModuleBase actor) {
            this.actor = actor;
        }

        /** The distance between prediction and target (default l2). */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        public DTLoss build() { return new DTLoss(this); }
    }
}
