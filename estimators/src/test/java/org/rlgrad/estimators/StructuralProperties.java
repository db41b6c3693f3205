package org.rlgrad.estimators;

import static org.rlgrad.estimators.Trajectories.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

/**
 * Properties that relate estimators to one another or to rearranged inputs (spec estimators.md
 * §4.3 and §7: TD(λ) limits, GAE ↔ TD(λ), T-split, T-*-multi, T-args).
 */
class StructuralProperties {
    static final double TIGHT = 1e-12;
    static final int TRIES = 30;

    /** Every estimator as a function of a batch, for the properties that hold for all of them. */
    static List<Function<Trajectories, Tensor>> estimators(double gamma, double lambda, EstimatorOptions extra) {
        Coefficient g = Coefficient.of(gamma), l = Coefficient.of(lambda);
        return List.of(
                b -> Estimates.td0Advantage(g, b.value(), b.nextValue(), b.reward(), b.done(), b.terminated()),
                b -> Estimates.td1Advantage(g, b.value(), b.nextValue(), b.reward(), b.done(), merge(b, extra)),
                b -> Estimates.vecTd1Advantage(g, b.value(), b.nextValue(), b.reward(), b.done(), merge(b, extra)),
                b -> Estimates.tdLambdaAdvantage(g, l, b.value(), b.nextValue(), b.reward(), b.done(), merge(b, extra)),
                b -> Estimates.vecTdLambdaAdvantage(g, l, b.value(), b.nextValue(), b.reward(), b.done(), merge(b, extra)),
                b -> Estimates.generalizedAdvantageEstimate(g, l, b.value(), b.nextValue(), b.reward(), b.done(), merge(b, extra)).advantage(),
                b -> Estimates.vecGeneralizedAdvantageEstimate(g, l, b.value(), b.nextValue(), b.reward(), b.done(), merge(b, extra)).valueTarget(),
                b -> Estimates.vtraceAdvantage(g, b.value().mul(0.3), b.nextValue().mul(0.2), b.value(), b.nextValue(), b.reward(), b.done(),
                        merge(b, extra)).vs(),
                b -> Estimates.reward2go(b.reward(), b.done(), g, extra.timeDim() == null ? -2 : extra.timeDim()));
    }

    private static EstimatorOptions merge(Trajectories b, EstimatorOptions extra) {
        EstimatorOptions o = b.options();
        return extra.timeDim() == null ? o : o.withTimeDim(extra.timeDim());
    }

    @Test
    void tdLambdaAtZeroIsTd0AndAtOneIsTd1() {
        Property.forAll("TD(lambda) at 0 and 1", TRIES, gen -> {
            Trajectories b = Trajectories.draw(gen, Trajectories.shape(gen));
            double g = gen.choose(0.1, 0.5, 0.99);
            Tensor td0 = Estimates.td0Return(g, b.nextValue(), b.reward(), b.terminated());
            Tensor td1 = Estimates.td1Return(Coefficient.of(g), b.nextValue(), b.reward(), b.done(), b.options());
            for (boolean vec : new boolean[] {false, true}) {
                Coefficient cg = Coefficient.of(g);
                Tensor at0 = vec ? Estimates.vecTdLambdaReturn(cg, Coefficient.of(0), b.nextValue(), b.reward(), b.done(), b.options())
                        : Estimates.tdLambdaReturn(cg, Coefficient.of(0), b.nextValue(), b.reward(), b.done(), b.options());
                Tensor at1 = vec ? Estimates.vecTdLambdaReturn(cg, Coefficient.of(1), b.nextValue(), b.reward(), b.done(), b.options())
                        : Estimates.tdLambdaReturn(cg, Coefficient.of(1), b.nextValue(), b.reward(), b.done(), b.options());
                assertClose(td0, at0, TIGHT, (vec ? "vec " : "") + "TD(lambda=0)");
                assertClose(td1, at1, TIGHT, (vec ? "vec " : "") + "TD(lambda=1)");
            }
        });
    }

    @Test
    void gaeIsTdLambdaMinusTheValueWhenNextValuesAreConsistent() {
        Property.forAll("GAE == TD(lambda) - V", TRIES, gen -> {
            int[] shape = Trajectories.shape(gen);
            Trajectories raw = Trajectories.draw(gen, shape);
            int t = shape[shape.length - 2];
            // V'_t = V_{t+1} for every t < T−1 (the last V' stays random); at done steps it may differ
            // too, which must not matter, so keep the consistent value there as well.
            Tensor nextValue = t == 1 ? raw.nextValue()
                    : Tensor.cat(List.of(raw.value().narrow(-2, 1, t - 1), raw.nextValue().narrow(-2, t - 1, 1)), -2);
            Trajectories b = new Trajectories(raw.value(), nextValue, raw.reward(), raw.done(), raw.terminated());
            double g = gen.choose(0.1, 0.5, 0.99), l = gen.choose(0.1, 0.5, 0.99);
            Tensor tdl = Estimates.tdLambdaAdvantage(g, l, b.value(), b.nextValue(), b.reward(), b.done());
            Tensor gaeTerm = Estimates.generalizedAdvantageEstimate(g, l, b.value(), b.nextValue(), b.reward(), b.done()).advantage();
            Tensor vecGae = Estimates.vecGeneralizedAdvantageEstimate(g, l, b.value(), b.nextValue(), b.reward(), b.done()).advantage();
            assertClose(tdl, gaeTerm, 1e-10, "GAE vs TD(lambda) advantage");
            assertClose(tdl, vecGae, 1e-10, "vec GAE vs TD(lambda) advantage");
        });
    }

    @Test
    void splittingABatchAtADoneChangesNothing() {
        Property.forAll("T-split", TRIES, gen -> {
            int half = gen.chooseInt(1, 2, 4, 10);
            int[] shape = {gen.chooseInt(1, 3), 2 * half, 1};
            Trajectories raw = Trajectories.draw(gen, shape);
            // step half−1 done and terminated in every series: the two halves are separate trajectories
            boolean[] cut = new boolean[2 * half];
            cut[half - 1] = true;
            Tensor boundary = Tensor.of(cut, 1, 2 * half, 1);
            Trajectories b = new Trajectories(raw.value(), raw.nextValue(), raw.reward(), raw.done().logicalOr(boundary),
                    raw.terminated().logicalOr(boundary));
            double g = gen.choose(0.5, 0.99), l = gen.choose(0.5, 0.95);
            for (Function<Trajectories, Tensor> f : estimators(g, l, EstimatorOptions.defaults())) {
                Tensor whole = f.apply(b);
                Tensor joined = Tensor.cat(List.of(f.apply(slice(b, 0, half)), f.apply(slice(b, half, half))), -2);
                assertClose(whole, joined, TIGHT, "split at the done");
            }
            // non-rolling TD(λ) with per-step values splits too
            Tensor gammas = gen.uniform(shape, 0.5, 1);
            EstimatorOptions nonRolling = EstimatorOptions.defaults().withRollingGamma(false);
            Tensor whole = Estimates.tdLambdaReturn(Coefficient.of(gammas), Coefficient.of(0.9), b.nextValue(), b.reward(), b.done(),
                    nonRolling.withTerminated(b.terminated()));
            List<Tensor> parts = new ArrayList<>();
            for (int start : new int[] {0, half}) {
                Trajectories p = slice(b, start, half);
                parts.add(Estimates.tdLambdaReturn(Coefficient.of(gammas.narrow(-2, start, half)), Coefficient.of(0.9), p.nextValue(),
                        p.reward(), p.done(), nonRolling.withTerminated(p.terminated())));
            }
            Tensor joined = Tensor.cat(parts, -2);
            assertClose(whole, joined, TIGHT, "non-rolling TD(lambda) split");
        });
    }

    private static Trajectories slice(Trajectories b, int start, int length) {
        return new Trajectories(b.value().narrow(-2, start, length), b.nextValue().narrow(-2, start, length), b.reward().narrow(-2, start, length),
                b.done().narrow(-2, start, length), b.terminated().narrow(-2, start, length));
    }

    @Test
    void everyFeatureColumnIsAnIndependentSeries() {
        Property.forAll("T-*-multi", TRIES, gen -> {
            int t = gen.chooseInt(1, 3, 7);
            int[] features = gen.oneOf(new int[] {5}, new int[] {2, 3});
            int[] shape = features.length == 1 ? new int[] {2, t, features[0]} : new int[] {2, t, features[0], features[1]};
            int timeDim = -1 - features.length;
            Trajectories b = Trajectories.draw(gen, shape);
            EstimatorOptions at = EstimatorOptions.defaults().withTimeDim(timeDim);
            List<Function<Trajectories, Tensor>> joint = estimators(0.9, 0.8, at);
            List<Function<Trajectories, Tensor>> single = estimators(0.9, 0.8, EstimatorOptions.defaults());
            for (int i = 0; i < joint.size(); i++) {
                Tensor flatJoint = joint.get(i).apply(b).reshape(2, t, -1);
                for (int c = 0; c < flatJoint.size(2); c++) {
                    // one column: flatten the features, take column c, keep it as a trailing singleton
                    final int col = c;
                    Function<Tensor, Tensor> column = x -> x.reshape(2, t, -1).narrow(2, col, 1);
                    Trajectories one = new Trajectories(column.apply(b.value()), column.apply(b.nextValue()), column.apply(b.reward()),
                            column.apply(b.done()), column.apply(b.terminated()));
                    assertClose(single.get(i).apply(one), flatJoint.narrow(2, c, 1), TIGHT, "column " + c + " of estimator " + i);
                }
            }
        });
    }

    @Test
    void movingTheTimeAxisCommutesWithTheEstimators() {
        Property.forAll("T-args: time_dim", TRIES, gen -> {
            int t = gen.chooseInt(1, 2, 5);
            int[] shape = {2, 3, t, 4, 1};
            Trajectories b = Trajectories.draw(gen, shape);
            List<Function<Trajectories, Tensor>> negative = estimators(0.95, 0.7, EstimatorOptions.defaults().withTimeDim(-3));
            List<Function<Trajectories, Tensor>> positive = estimators(0.95, 0.7, EstimatorOptions.defaults().withTimeDim(2));
            List<Function<Trajectories, Tensor>> canonical = estimators(0.95, 0.7, EstimatorOptions.defaults());
            // Time at axis 2 of [2, 3, T, 4, 1] versus the same data moved to [2, 3, 4, T, 1] with the default −2.
            Function<Tensor, Tensor> toCanonical = x -> x.movedim(2, 3);
            Trajectories moved = new Trajectories(toCanonical.apply(b.value()), toCanonical.apply(b.nextValue()), toCanonical.apply(b.reward()),
                    toCanonical.apply(b.done()), toCanonical.apply(b.terminated()));
            for (int i = 0; i < negative.size(); i++) {
                Tensor neg = negative.get(i).apply(b);
                assertClose(neg, positive.get(i).apply(b), 0, "time_dim 2 == -3, estimator " + i);
                assertClose(toCanonical.apply(neg), canonical.get(i).apply(moved), TIGHT, "moved time axis, estimator " + i);
            }
        });
    }

    @Test
    void oneDimensionalSeriesWithTimeDimMinusOneStayOneDimensional() {
        Property.forAll("1-D series", TRIES, gen -> {
            int t = gen.chooseInt(1, 4, 9);
            Trajectories b = Trajectories.draw(gen, new int[] {t});
            Trajectories column = new Trajectories(b.value().unsqueeze(-1), b.nextValue().unsqueeze(-1), b.reward().unsqueeze(-1),
                    b.done().unsqueeze(-1), b.terminated().unsqueeze(-1));
            List<Function<Trajectories, Tensor>> flat = estimators(0.9, 0.9, EstimatorOptions.defaults().withTimeDim(-1));
            List<Function<Trajectories, Tensor>> cols = estimators(0.9, 0.9, EstimatorOptions.defaults());
            for (int i = 0; i < flat.size(); i++) {
                Tensor out = flat.get(i).apply(b);
                assertClose(cols.get(i).apply(column).squeeze(-1), out, TIGHT, "1-D estimator " + i);
            }
        });
    }

}
