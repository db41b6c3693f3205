package org.rlgrad.engine.vmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.vmap.VmapCheck.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.distributions.Normal;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

/** The three randomness modes (spec engine.md 5.3, DECISIONS rule 5). */
class VmapRandomnessTest {

    /** A function of one entry and a generator that draws in every way the Generator offers. */
    private static Tensor drawsALot(Tensor x, Generator gen) {
        Tensor u = gen.uniform(x.shape(), -1, 1, DType.FLOAT64);
        Tensor z = gen.normal(new int[] {2}, DType.FLOAT64);
        Tensor coin = gen.bernoulli(x.sigmoid());                          // parameters mapped with x
        Tensor shifted = gen.normal(x, x.abs().add(0.5));                  // mapped mean and std
        Tensor k = gen.randint(0, 5, 3).toDouble();
        Tensor perm = gen.randperm(4).toDouble();
        Tensor cat = gen.multinomial(Tensor.of(DType.FLOAT64, new double[] {0.2, 0.3, 0.5}, 3), 2, true).toDouble();
        return Tensor.cat(List.of(x.add(u).reshape(-1), z, coin.reshape(-1), shifted.reshape(-1), k, perm, cat), 0);
    }

    @Test
    void errorModeThrowsNamingTheModeAndTheSetters() {
        Tensor x = Tensor.zeros(3, 2);
        Generator gen = new Generator(1);
        for (UnaryOperator<Tensor> f : List.<UnaryOperator<Tensor>>of(v -> v.add(gen.normal(new int[] {2}, DType.FLOAT32)),
                v -> gen.bernoulli(v.add(0.5)), v -> v.add(gen.randperm(2).toFloat()))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Vmap.vmap(f).apply(x)); // ERROR is the default
            String m = e.getMessage();
            assertTrue(m.startsWith("vmap: called random operation while in randomness error mode; "), m);
            assertTrue(m.contains("setVmapRandomness(DIFFERENT)") && m.contains("Randomness.SAME") && m.contains("Randomness.DIFFERENT"), m);
        }
        // Nothing drawn and nothing advanced: the error comes before the draw.
        assertEquals(0, gen.offset());
    }

    @Test
    void sameModeSharesOneDrawOfThePerEntryShape() {
        Generator gen = new Generator(7), twin = new Generator(7);
        Tensor x = Tensor.zeros(DType.FLOAT64, 4, 3);
        Tensor out = Vmap.vmap(v -> v.add(gen.normal(new int[] {3}, DType.FLOAT64)), Randomness.SAME).apply(x);
        Tensor oneDraw = twin.normal(new int[] {3}, DType.FLOAT64);
        for (int i = 0; i < 4; i++) assertClose(oneDraw, out.select(0, i), "entry " + i);
        assertEquals(twin.offset(), gen.offset(), "one draw, as outside vmap");
    }

    @Test
    void sameModeWithMappedParametersTransformsTheSameVariates() {
        Generator gen = new Generator(11), twin = new Generator(11);
        Tensor p = Tensor.of(DType.FLOAT64, new double[] {0.1, 0.9, 0.2, 0.8, 0.5, 0.5}, 3, 2); // entry i: p[i]
        Tensor mean = Tensor.of(DType.FLOAT64, new double[] {0, 10, 100}, 3);
        List<Tensor> out = Vmap.vmap(a -> List.of(gen.bernoulli(a.get(0)), gen.normal(a.get(1), a.get(1).mul(0).add(2))),
                List.of(0), List.of(0), Randomness.SAME).apply(List.of(p, mean));
        Tensor u = twin.uniform(new int[] {2}, DType.FLOAT64);      // the one set of base variates for bernoulli
        Tensor eps = twin.normal(new int[] {}, DType.FLOAT64);       // and for normal
        for (int i = 0; i < 3; i++) {
            assertClose(u.lt(p.select(0, i)).toDouble(), out.get(0).select(0, i), "bernoulli entry " + i);
            assertClose(eps.mul(2).add(mean.select(0, i)), out.get(1).select(0, i), "normal entry " + i);
        }
    }

    @Test
    void differentModeEqualsTheLoopWithFoldedGenerators() {
        Property.forAll("vmap(f, DIFFERENT) = loop with split().fold(i)", 20, g -> {
            long seed = g.intIn(0, 1 << 20);
            int n = g.intIn(1, 4);
            int[] shape = g.shape(0, 2);
            int[] full = new int[shape.length + 1];
            full[0] = n;
            System.arraycopy(shape, 0, full, 1, shape.length);
            Tensor x = g.uniform(full, -1, 1);
            Generator gen = new Generator(seed), twin = new Generator(seed);
            var mapped = Vmap.vmap(v -> drawsALot(v, gen), Randomness.DIFFERENT);
            for (int call = 0; call < 2; call++) {
                Tensor actual = mapped.apply(x);
                Generator c = twin.split();
                List<Tensor> rows = new ArrayList<>();
                for (int i = 0; i < n; i++) rows.add(drawsALot(x.select(0, i), c.fold(i)));
                assertClose(Tensor.stack(rows, 0), actual, "draws of call " + call);
                assertEquals(call + 1, gen.offset(), "each call splits the generator once, so the next call draws fresh numbers");
            }
        });
    }

    /** A draw parameterised by mapped tensors: each entry inverts its own cumulative distribution at its own uniforms. */
    @Test
    void multinomialWithMappedProbabilitiesEqualsTheLoop() {
        Tensor probs = Tensor.of(DType.FLOAT64, new double[] {0.2, 0.3, 0.5, 0.9, 0.05, 0.05, 0, 0, 1}, 3, 3);
        Generator gen = new Generator(31), twin = new Generator(31);
        for (boolean replacement : new boolean[] {true, false}) {
            Tensor actual = Vmap.vmap(p -> gen.multinomial(p, replacement ? 4 : 1, replacement), Randomness.DIFFERENT).apply(probs);
            Generator call = twin.split();
            List<Tensor> rows = new ArrayList<>();
            for (int i = 0; i < 3; i++) rows.add(call.fold(i).multinomial(probs.select(0, i), replacement ? 4 : 1, replacement));
            assertClose(Tensor.stack(rows, 0).toDouble(), actual.toDouble(), "multinomial, replacement " + replacement);
        }
    }

    @Test
    void entriesDrawDifferentNumbers() {
        Tensor out = Vmap.vmap(v -> v.add(new Generator(5).normal(new int[] {8}, DType.FLOAT64)), Randomness.DIFFERENT)
                .apply(Tensor.zeros(DType.FLOAT64, 2, 8));
        assertNotEquals(out.select(0, 0).toDoubleArray()[0], out.select(0, 1).toDoubleArray()[0]);
    }

    @Test
    void nestedModesEqualTheNestedLoop() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3, 2);
        BiFunction<Tensor, Generator, Tensor> f = (v, gen) -> v.add(gen.normal(new int[] {2}, DType.FLOAT64));
        for (Randomness inner : new Randomness[] {Randomness.DIFFERENT, Randomness.SAME}) {
            Generator gen = new Generator(21), twin = new Generator(21);
            Tensor actual = Vmap.vmap(outer -> Vmap.vmap(v -> f.apply(v, gen), inner).apply(outer), Randomness.DIFFERENT).apply(x);
            List<Tensor> rows = new ArrayList<>();
            Generator outerCall = twin.split();
            for (int i = 0; i < 2; i++) {
                Generator gi = outerCall.fold(i);
                List<Tensor> cols = new ArrayList<>();
                Tensor shared = inner == Randomness.SAME ? f.apply(x.select(0, i).select(0, 0), gi) : null;
                Generator innerCall = inner == Randomness.DIFFERENT ? gi.split() : null;
                for (int j = 0; j < 3; j++) cols.add(inner == Randomness.SAME ? shared : f.apply(x.select(0, i).select(0, j), innerCall.fold(j)));
                rows.add(Tensor.stack(cols, 0));
            }
            assertClose(Tensor.stack(rows, 0), actual, "inner " + inner);
        }
        // An outer ERROR level polices draws made under an inner DIFFERENT level.
        Generator gen = new Generator(3);
        assertThrows(IllegalStateException.class,
                () -> Vmap.vmap(outer -> Vmap.vmap(v -> f.apply(v, gen), Randomness.DIFFERENT).apply(outer), Randomness.ERROR).apply(x));
    }

    @Test
    void distributionsSampleUnderEveryMode() {
        // Normal(loc, 2) with loc mapped, reparameterised: the TD3/SAC pattern of spec 5.2, which rlgrad defines under SAME.
        Tensor loc = Tensor.of(DType.FLOAT64, new double[] {0, 1, 2, 3, 4, 5}, 3, 2).requiresGrad(true);
        Generator gen = new Generator(13), twin = new Generator(13);
        Tensor same = Vmap.vmap(l -> new Normal(l, 2).rsample(gen), Randomness.SAME).apply(loc);
        Tensor eps = twin.normal(new int[] {2}, DType.FLOAT64);
        for (int i = 0; i < 3; i++) assertClose(loc.select(0, i).detach().add(eps.mul(2)), same.select(0, i), "SAME entry " + i);
        Tensor different = Vmap.vmap(l -> new Normal(l, 2).rsample(gen), Randomness.DIFFERENT).apply(loc);
        Generator call = twin.split();
        for (int i = 0; i < 3; i++) {
            Tensor expected = new Normal(loc.select(0, i).detach(), 2).rsample(call.fold(i));
            assertClose(expected, different.select(0, i), "DIFFERENT entry " + i);
        }
        // The reparameterised draw keeps its gradient through vmap: d(sum)/d(loc) = 1.
        different.sum().backward();
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, loc.grad().toDoubleArray());
    }

    @Test
    void drawsOutsideVmapAreUntouched() {
        Generator a = new Generator(9), b = new Generator(9);
        Vmap.vmap(v -> v.exp()).apply(Tensor.zeros(2, 2)); // the hook is installed by now
        assertArrayEquals(a.uniform(new int[] {5}, DType.FLOAT64).toDoubleArray(), b.uniform(new int[] {5}, DType.FLOAT64).toDoubleArray());
        assertArrayEquals(new Generator(9).uniform(new int[] {5}, DType.FLOAT64).toDoubleArray(),
                new Generator(9).uniform(new int[] {5}, DType.FLOAT64).toDoubleArray());
    }
}
