package org.rlgrad.engine.vmap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.rlgrad.engine.ops.Joining;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The {@link Generator.DrawHook} that applies the randomness modes of the vmap levels open on the
 * thread to every uniform or normal draw (the primitives of bernoulli, randint, randperm,
 * multinomial and the distributions' samples).
 *
 * <ul>
 *   <li>Outside vmap, or inside {@link PseudoVmap}'s loop: a plain draw.
 *   <li>Any open level in ERROR mode: the draw throws.
 *   <li>Only SAME levels: one plain draw of the per-entry shape, which broadcasts over the entries.
 *   <li>DIFFERENT levels d1 (outer) .. dk (inner): entry (i1 .. ik) draws from
 *       {@code g.split().fold(i1).split().fold(i2)...}, each child made once per vmap call and advancing
 *       as that entry draws again; the draws are stacked into a physical tensor {@code [N1, .., Nk, *shape]}
 *       batched at those levels. This is exactly what the nested loop with those generators draws.
 * </ul>
 */
final class VmapDraws implements Generator.DrawHook {
    static final String ERROR_MESSAGE = "vmap: called random operation while in randomness error mode; "
            + "pass Randomness.SAME or Randomness.DIFFERENT to vmap(..., randomness), or call setVmapRandomness(DIFFERENT) "
            + "on the loss or estimator that runs this vmap, or perform the random operation outside the vmapped function";

    private VmapDraws() {}

    static void install() {
        Generator.installDrawHook(new VmapDraws());
    }

    @Override
    public Tensor draw(Generator generator, int[] shape, Function<Generator, Tensor> direct) {
        List<VmapLevel> open = VmapLevel.openLevels();
        if (open.isEmpty()) return direct.apply(generator);
        List<VmapLevel> different = new ArrayList<>();
        for (VmapLevel level : open) {
            if (level.randomness() == Randomness.ERROR) throw new IllegalStateException(ERROR_MESSAGE + " (" + level + ")");
            if (level.randomness() == Randomness.DIFFERENT) different.add(level);
        }
        if (different.isEmpty()) return direct.apply(generator);
        Tensor t = perEntry(generator, different, 0, direct);
        for (VmapLevel level : different) t = Batching.wrap(t, 0, level);
        return t;
    }

    /** The draws of every entry of levels k.. stacked: {@code [N_k, .., N_last, *shape]}, unbatched. */
    private static Tensor perEntry(Generator parent, List<VmapLevel> levels, int k, Function<Generator, Tensor> direct) {
        if (k == levels.size()) return direct.apply(parent);
        Generator[] entries = levels.get(k).entryGenerators(parent);
        List<Tensor> draws = new ArrayList<>(entries.length);
        for (Generator g : entries) draws.add(perEntry(g, levels, k + 1, direct));
        return Joining.stack(draws, 0);
    }
}
