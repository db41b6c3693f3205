package org.rlgrad.estimators;

/**
 * The optional arguments of the functional estimators, which Python passes as keywords. Every
 * field left unset takes the reference default: {@code terminated} a copy of {@code done},
 * {@code rollingGamma} true, {@code timeDim} −2, {@code rhoThresh} and {@code cThresh} 1.0.
 *
 * <p>A function rejects an option it does not take (for example {@code rollingGamma} for GAE, or
 * {@code timeDim} for TD(0), which has no time axis), so a setting is never silently dropped.
 *
 * @param terminated bool tensor of the data's shape: the next state is absorbing (no bootstrap); null: {@code done}
 * @param rollingGamma per-step γ convention of spec §2.2; null: unspecified (true)
 * @param timeDim the time axis (spec §2.1); null: −2
 * @param rhoThresh V-trace's ρ̄ clip of the importance ratio; null: 1.0
 * @param cThresh V-trace's c̄ clip of the trace coefficients; null: 1.0
 * @param referenceCompat V-trace only: true reproduces TorchRL's arithmetic where it departs from
 *     the published algorithm (DECISIONS.md rule 3); null: false
 */
public record EstimatorOptions(org.rlgrad.engine.tensor.Tensor terminated, Boolean rollingGamma, Integer timeDim,
        Coefficient rhoThresh, Coefficient cThresh, Boolean referenceCompat) {

    private static final EstimatorOptions DEFAULTS = new EstimatorOptions(null, null, null, null, null, null);

    /** Every option at its default. */
    public static EstimatorOptions defaults() {
        return DEFAULTS;
    }

    public EstimatorOptions withTerminated(org.rlgrad.engine.tensor.Tensor t) {
        return new EstimatorOptions(t, rollingGamma, timeDim, rhoThresh, cThresh, referenceCompat);
    }

    public EstimatorOptions withRollingGamma(boolean rolling) {
        return new EstimatorOptions(terminated, rolling, timeDim, rhoThresh, cThresh, referenceCompat);
    }

    public EstimatorOptions withTimeDim(int dim) {
        return new EstimatorOptions(terminated, rollingGamma, dim, rhoThresh, cThresh, referenceCompat);
    }

    public EstimatorOptions withRhoThresh(Coefficient rho) {
        return new EstimatorOptions(terminated, rollingGamma, timeDim, rho, cThresh, referenceCompat);
    }

    public EstimatorOptions withCThresh(Coefficient c) {
        return new EstimatorOptions(terminated, rollingGamma, timeDim, rhoThresh, c, referenceCompat);
    }

    /** V-trace: {@code true} reproduces TorchRL's numbers, including its known deviation (DECISIONS.md rule 3). */
    public EstimatorOptions withReferenceCompat(boolean compat) {
        return new EstimatorOptions(terminated, rollingGamma, timeDim, rhoThresh, cThresh, compat);
    }

    int timeDimOrDefault() {
        return timeDim == null ? -2 : timeDim;
    }

    boolean rollingGammaOrDefault() {
        return rollingGamma == null || rollingGamma;
    }
}
