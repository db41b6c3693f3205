package org.rlgrad.engine.random;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A {@link RandomSource} that hands back recorded draws in order: a test gives it what a reference
 * implementation drew (the loss conformance vectors list every draw TorchRL made, with the site
 * that asked and its kind), and the code under test must ask for exactly those draws, of exactly
 * those shapes, in exactly that order. Any difference is an error that names the draw.
 */
public final class ReplayedDraws implements RandomSource {
    /** The kinds of draw, as the loss vectors name them. */
    public enum Kind { STANDARD_NORMAL, UNIFORM, RANDPERM }

    /** One recorded draw: who asked ({@code site}), what kind, and the numbers. */
    public record Draw(String site, Kind kind, Tensor value) {}

    private final List<Draw> draws;
    private int next;

    public ReplayedDraws(List<Draw> draws) {
        this.draws = new ArrayList<>(draws);
    }

    /** How many draws have been handed out. */
    public int used() {
        return next;
    }

    /** Fails unless every recorded draw was asked for. */
    public void checkAllUsed() {
        if (next != draws.size()) {
            throw new IllegalStateException("replayed draws: " + next + " of " + draws.size() + " recorded draws were used; the next unused one is "
                    + describe(draws.get(next)));
        }
    }

    @Override
    public Tensor standardNormal(String site, int[] shape, DType dtype) {
        return take(site, Kind.STANDARD_NORMAL, shape).to(dtype);
    }

    /** The recorded numbers (already in [low, high), as the vectors store them). */
    @Override
    public Tensor uniform(String site, int[] shape, DType dtype, double low, double high) {
        return take(site, Kind.UNIFORM, shape).to(dtype);
    }

    @Override
    public Tensor randperm(String site, int n) {
        return take(site, Kind.RANDPERM, new int[] {n}).to(DType.INT64);
    }

    private Tensor take(String site, Kind kind, int[] shape) {
        String asked = kind + " of shape " + Shape.format(shape) + " at " + site;
        if (next >= draws.size()) {
            throw new IllegalStateException("replayed draws: asked for draw " + (next + 1) + " (" + asked + "), but only " + draws.size() + " were recorded");
        }
        Draw d = draws.get(next);
        if (d.kind() != kind || !d.site().equals(site) || !Arrays.equals(d.value().shapeRef(), shape)) {
            throw new IllegalStateException("replayed draws: draw " + (next + 1) + " was recorded as " + describe(d) + ", but the code asked for " + asked);
        }
        next++;
        return d.value();
    }

    private static String describe(Draw d) {
        return d.kind() + " of shape " + Shape.format(d.value().shapeRef()) + " at " + d.site();
    }
}
