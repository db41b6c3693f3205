package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The GAE module on random trajectories (spec §7 data: done ~ Bernoulli(0.1) or terminated,
 * terminated ~ Bernoulli(0.1), standard normal rewards and values) equals
 * {@code vecGeneralizedAdvantageEstimate} called on the same tensors, for random batch shapes,
 * lengths, γ, λ and time positions.
 */
class GaeModulePropertyTest {
    @Test
    void gaeModuleEqualsTheVectorisedFunction() {
        Property.forAll("GAE module = vecGeneralizedAdvantageEstimate", 60, (Gen g) -> {
            int b = g.intIn(1, 3), t = g.chooseInt(1, 3, 5, 20);
            double gamma = g.choose(0.1, 0.5, 0.99), lambda = g.choose(0.1, 0.5, 0.99);
            boolean timeFirst = g.bool();
            Boolean vectorized = g.oneOf(Boolean.TRUE, Boolean.FALSE, null);
            g.note("b", b).note("t", t).note("gamma", gamma).note("lambda", lambda).note("timeFirst", timeFirst).note("vectorized", vectorized);
            int[] shape = {b, t, 1};
            Tensor v = g.uniform(shape, -2, 2).to(DType.FLOAT64), vn = g.uniform(shape, -2, 2).to(DType.FLOAT64), r = g.uniform(shape, -2, 2).to(DType.FLOAT64);
            Tensor term = g.bools(shape, 0.1), done = g.bools(shape, 0.1).logicalOr(term);
            TensorDict td = new TensorDict(b, t);
            td.set("state_value", v).set(Key.of("next", "state_value"), vn).set(Key.of("next", "reward"), r)
                    .set(Key.of("next", "done"), done).set(Key.of("next", "terminated"), term);
            if (timeFirst) td = td.transpose(0, 1);
            GAE.builder().gamma(gamma).lambda(lambda).vectorized(vectorized).timeDim(timeFirst ? 0 : null).build().forward(td);
            AdvantageAndTarget expected = Estimates.vecGeneralizedAdvantageEstimate(Coefficient.of(gamma), Coefficient.of(lambda), v, vn, r, done,
                    EstimatorOptions.defaults().withTerminated(term));
            Tensor adv = td.get("advantage"), target = td.get("value_target");
            if (timeFirst) {
                adv = adv.transpose(0, 1);
                target = target.transpose(0, 1);
            }
            assertArrayEquals(expected.advantage().toDoubleArray(), adv.toDoubleArray(), 1e-10, g.log());
            assertArrayEquals(expected.valueTarget().toDoubleArray(), target.toDoubleArray(), 1e-10, g.log());
        });
    }
}
