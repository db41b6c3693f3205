package org.rlgrad.engine.modules;

import java.lang.reflect.Method;

import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.Support;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/**
 * How an {@link InteractionType} turns a distribution into a value (spec engine.md 3.7):
 * <ul>
 *   <li>DETERMINISTIC: the distribution's own deterministic sample when its class defines one;
 *       otherwise by family: a discrete support (categoricals, Bernoulli) gives the mode, anything
 *       else the mean; a class from outside the engine gets a warning, since the family rule is a
 *       guess for it.</li>
 *   <li>MODE, MEAN: the distribution's; MEAN without a closed form is the average of
 *       {@code nEmpiricalEstimate} draws (reparameterised where possible).</li>
 *   <li>MEDIAN: no engine distribution has one; an error says so.</li>
 *   <li>RANDOM: {@code rsample} where {@code hasRsample()}, else {@code sample}; the sample shape
 *       adds leading dims.</li>
 * </ul>
 */
public final class InteractionSampling {
    private static final System.Logger LOG = System.getLogger(InteractionSampling.class.getName());

    private InteractionSampling() {}

    public static Tensor sample(Distribution d, InteractionType type, int[] sampleShape, RandomSource random, int nEmpiricalEstimate) {
        return switch (type) {
            case DETERMINISTIC -> deterministic(d);
            case MODE -> d.mode();
            case MEDIAN -> throw new UnsupportedOperationException("InteractionType.MEDIAN: " + d.getClass().getSimpleName()
                    + " has no median (not implemented); use MODE, MEAN or DETERMINISTIC");
            case MEAN -> mean(d, random, nEmpiricalEstimate);
            case RANDOM -> d.hasRsample() ? d.rsample(random, sampleShape) : d.sample(random, sampleShape);
        };
    }

    /** The DETERMINISTIC value of {@code d} (see the class comment). */
    public static Tensor deterministic(Distribution d) {
        if (definesDeterministicSample(d)) return d.deterministicSample();
        if (!d.getClass().getPackageName().equals(Distribution.class.getPackageName())) {
            LOG.log(System.Logger.Level.WARNING, () -> d.getClass().getName() + " defines no deterministicSample(); DETERMINISTIC uses its "
                    + (isDiscrete(d.support()) ? "mode (discrete support)" : "mean (real support)"));
        }
        return isDiscrete(d.support()) ? d.mode() : d.mean();
    }

    /** The closed-form mean, else the average of {@code n} draws. */
    public static Tensor mean(Distribution d, RandomSource random, int n) {
        try {
            return d.mean();
        } catch (UnsupportedOperationException noClosedForm) {
            if (n < 1) throw new IllegalArgumentException("InteractionType.MEAN: nEmpiricalEstimate must be at least 1, got " + n);
            Tensor draws = d.hasRsample() ? d.rsample(random, n) : d.sample(random, n);
            return draws.mean(0);
        }
    }

    private static boolean definesDeterministicSample(Distribution d) {
        try {
            Method m = d.getClass().getMethod("deterministicSample");
            return m.getDeclaringClass() != Distribution.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Supports with enumerable values: the mode is the natural point there, the mean need not be a value at all. */
    static boolean isDiscrete(Support s) {
        return s == Support.BOOLEAN || s == Support.ONE_HOT || s.name().startsWith("the integers");
    }
}
