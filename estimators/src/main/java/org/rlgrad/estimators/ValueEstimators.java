package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rlgrad.engine.modules.TensorDictModuleBase;

/**
 * The value estimators a loss can use (spec estimators.md §6.11; TorchRL's
 * {@code torchrl.objectives.utils.ValueEstimators}), each with its description, its alias (the
 * lower-cased name, matched case-insensitively by {@link #parse}), its default hyper-parameters
 * ({@link #defaultValueKwargs}) and the estimator class it builds ({@link #create}).
 *
 * <p>Defaults: γ = 0.99 and {@code differentiable = true} for all; λ = 0.95 for TD(λ), GAE and
 * multi-agent GAE. Note that the estimator builders themselves default {@code differentiable}
 * to false: a loss builds through here and so gets true.
 */
public enum ValueEstimators {
    TD0("Bootstrapped TD (1-step return)"),
    TD1("TD(1) (infinity-step return)"),
    TDLambda("TD(lambda)"),
    GAE("Generalized advantage estimate"),
    MAGAE("Multi-agent generalized advantage estimate"),
    VTrace("V-trace");

    private final String description;

    ValueEstimators(String description) {
        this.description = description;
    }

    public String description() { return description; }

    /** The lower-cased name: {@code td0}, {@code td1}, {@code tdlambda}, {@code gae}, {@code magae}, {@code vtrace}. */
    public String alias() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this estimator takes a trace decay λ. */
    public boolean takesLambda() {
        return this == TDLambda || this == GAE || this == MAGAE;
    }

    /** The member whose alias is {@code name}, ignoring case; unknown names are an error listing the aliases. */
    public static ValueEstimators parse(String name) {
        if (name == null) throw new IllegalArgumentException("ValueEstimators.parse: expected one of " + aliases() + ", got null");
        for (ValueEstimators v : values()) if (v.alias().equals(name.toLowerCase(Locale.ROOT))) return v;
        throw new IllegalArgumentException("Unknown value estimator '" + name + "'; expected one of " + aliases() + " (case-insensitive)");
    }

    /** A member as given, or one named by a string; anything else is a type error. */
    public static ValueEstimators of(Object value) {
        return switch (value) {
            case ValueEstimators v -> v;
            case String s -> parse(s);
            case null -> throw new IllegalArgumentException("ValueEstimators.of: expected a ValueEstimators member or one of " + aliases() + ", got null");
            default -> throw new ClassCastException("ValueEstimators.of: expected a ValueEstimators member or a string alias " + aliases() + ", got "
                    + value.getClass().getSimpleName() + " " + value);
        };
    }

    /** Every alias, in declaration order. */
    public static List<String> aliases() {
        List<String> out = new ArrayList<>();
        for (ValueEstimators v : values()) out.add(v.alias());
        return out;
    }

    /** The default hyper-parameters of {@code type} (a fresh, immutable object). */
    public static EstimatorHyperparameters defaultValueKwargs(ValueEstimators type) {
        return new EstimatorHyperparameters(0.99, type.takesLambda() ? 0.95 : null, true);
    }

    /**
     * The estimator of this type with {@code hyperparameters} and {@code valueNetwork} (null: values
     * read from the dict). {@code actorNetwork} is required for V-trace and ignored otherwise. A λ
     * given to an estimator that takes none is an error, as is a missing one.
     */
    public ValueEstimatorBase create(EstimatorHyperparameters hyperparameters, TensorDictModuleBase valueNetwork, TensorDictModuleBase actorNetwork) {
        EstimatorHyperparameters h = hyperparameters;
        if (takesLambda() && h.lambda() == null) throw new IllegalArgumentException(this + ": expected a lambda (λ), got none");
        if (!takesLambda() && h.lambda() != null) throw new IllegalArgumentException(this + " takes no lambda (λ), got " + h.lambda());
        return switch (this) {
            case TD0 -> TD0Estimator.builder().gamma(h.gamma()).differentiable(h.differentiable()).valueNetwork(valueNetwork).build();
            case TD1 -> TD1Estimator.builder().gamma(h.gamma()).differentiable(h.differentiable()).valueNetwork(valueNetwork).build();
            case TDLambda -> TDLambdaEstimator.builder().gamma(h.gamma()).lambda(h.lambda()).differentiable(h.differentiable())
                    .valueNetwork(valueNetwork).build();
            case GAE -> org.rlgrad.estimators.GAE.builder().gamma(h.gamma()).lambda(h.lambda()).differentiable(h.differentiable())
                    .valueNetwork(valueNetwork).build();
            case MAGAE -> MultiAgentGAE.multiAgentBuilder().gamma(h.gamma()).lambda(h.lambda()).differentiable(h.differentiable())
                    .valueNetwork(valueNetwork).build();
            case VTrace -> org.rlgrad.estimators.VTrace.builder().gamma(h.gamma()).differentiable(h.differentiable()).valueNetwork(valueNetwork)
                    .actorNetwork(actorNetwork).build();
        };
    }
}
