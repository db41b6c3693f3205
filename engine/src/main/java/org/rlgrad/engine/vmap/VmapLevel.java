package org.rlgrad.engine.vmap;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.rlgrad.engine.ops.Views;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * One running vmap call: its batch size, its randomness mode, and the place where arguments enter
 * and outputs leave the batched world. {@link Vmap} is built on it, and so can be other
 * argument kinds (a TensorDict overload maps each leaf with {@link #mapped} and unmaps each output
 * leaf with {@link #unmapped}, after {@link #batchSize} has checked the sizes).
 *
 * <p>Levels nest: a level opened while another is open on the thread is inner to it, and its id
 * is larger. A batching rule works at the largest level among its arguments and treats tensors of
 * outer levels as unbatched values (their own rules run when the rule calls the plain op), which
 * is how nested vmap composes. A level is closed when its call returns; a batched tensor of a
 * closed level that escaped (kept in a field, say) fails when used instead of acting batched.
 *
 * <p>Levels are confined to the thread that opened them.
 */
public final class VmapLevel implements AutoCloseable {
    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    private static final ThreadLocal<ArrayList<VmapLevel>> OPEN = ThreadLocal.withInitial(ArrayList::new);

    static {
        VmapDraws.install();
    }

    private final long id;
    private final int size;
    private final Randomness randomness;
    private boolean open = true;
    /** DIFFERENT mode: each generator asked inside this level, and its entries' generators (they advance as entries draw). */
    private final Map<Generator, Generator[]> entryGenerators = new IdentityHashMap<>();

    private VmapLevel(int size, Randomness randomness) {
        this.id = NEXT_ID.getAndIncrement();
        this.size = size;
        this.randomness = randomness;
    }

    /** Opens a level of {@code size} entries on this thread; close it (try-with-resources) when the call returns. */
    public static VmapLevel open(int size, Randomness randomness) {
        if (size < 0) throw new IllegalArgumentException("vmap: batch size must be non-negative, got " + size);
        if (randomness == null) throw new IllegalArgumentException("vmap: randomness must be ERROR, SAME or DIFFERENT, got null");
        VmapLevel level = new VmapLevel(size, randomness);
        OPEN.get().add(level);
        return level;
    }

    /**
     * The common size of the mapped arguments along their mapped dims ({@code dims.get(i)} null: argument i
     * is shared). At least one argument must be mapped, and all mapped sizes must agree; the error
     * lists every mapped size.
     */
    public static int batchSize(String caller, List<Tensor> args, List<Integer> dims) {
        if (args.size() != dims.size()) {
            throw new IllegalArgumentException(caller + ": " + dims.size() + " in_dims given for " + args.size() + " arguments");
        }
        int n = -1;
        boolean agree = true;
        List<String> found = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Integer dim = dims.get(i);
            if (dim == null) continue;
            Tensor a = args.get(i);
            if (a == null) throw new IllegalArgumentException(caller + ": argument " + i + " is null but has in_dim " + dim);
            int d = mappedDim(caller, a, dim, i);
            int s = a.size(d);
            sizes.add(s);
            found.add("argument " + i + " of shape " + Shape.format(a.shapeRef()) + " along dim " + dim + ": " + s);
            if (n < 0) n = s;
            else if (s != n) agree = false;
        }
        if (n < 0) throw new IllegalArgumentException(caller + ": at least one argument must be mapped, but every in_dim is null");
        if (!agree) {
            throw new IllegalArgumentException(caller + ": expected all mapped arguments to have the same size along their mapped dims, got sizes "
                    + sizes + " (" + String.join("; ", found) + ")");
        }
        return n;
    }

    private static int mappedDim(String caller, Tensor a, int dim, int index) {
        if (a.dim() == 0 || dim < -a.dim() || dim >= a.dim()) {
            throw new IllegalArgumentException(caller + ": in_dim " + dim + " of argument " + index + " is out of range for its shape "
                    + Shape.format(a.shapeRef()) + (a.dim() == 0 ? " (a 0-dim tensor cannot be mapped; give it in_dim null to share it)" : ""));
        }
        return dim < 0 ? dim + a.dim() : dim;
    }

    /** {@code arg} as the function sees it: batched along {@code dim}, which must have this level's size. */
    public Tensor mapped(Tensor arg, int dim) {
        requireOpen();
        int d = mappedDim("vmap", arg, dim, 0);
        if (arg.size(d) != size) {
            throw new IllegalArgumentException("vmap: argument of shape " + Shape.format(arg.shapeRef()) + " has size " + arg.size(d)
                    + " along its mapped dim " + dim + ", expected " + size);
        }
        return Batching.wrap(arg, d, this);
    }

    /**
     * An output of the function as the caller sees it: the entries along {@code outDim}. An output
     * that does not depend on a mapped argument (not batched at this level) is expanded to the
     * batch size, as every entry computed the same value.
     */
    public Tensor unmapped(Tensor output, int outDim) {
        requireOpen();
        if (output == null) throw new IllegalArgumentException("vmap: the function returned a null output");
        BatchedValue b = output.batched();
        if (b != null && b.level().id > id) {
            throw new IllegalStateException("vmap: an output is batched by an inner vmap that has returned (" + b + "); return it from that vmap");
        }
        if (b != null && b.level() == this) {
            Tensor v = b.value();
            int d = outDim(outDim, v.dim());
            return d == b.dim() ? v : Views.movedim(v, b.dim(), d);
        }
        int d = outDim(outDim, output.dim() + 1);
        int[] sizes = new int[output.dim() + 1];
        for (int i = 0, k = 0; i < sizes.length; i++) sizes[i] = i == d ? size : output.shapeRef()[k++];
        return Views.expand(Views.unsqueeze(output, d), sizes);
    }

    private static int outDim(int outDim, int rank) {
        if (outDim < -rank || outDim >= rank) {
            throw new IllegalArgumentException("vmap: out_dim " + outDim + " is out of range for an output of rank " + rank
                    + " including the batch dim (expected " + (-rank) + " to " + (rank - 1) + ")");
        }
        return outDim < 0 ? outDim + rank : outDim;
    }

    /** Ends the call: batched tensors of this level can no longer be used. Levels close innermost first. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        ArrayList<VmapLevel> stack = OPEN.get();
        int at = stack.lastIndexOf(this);
        if (at >= 0) stack.remove(at);
    }

    public int size() { return size; }

    public Randomness randomness() { return randomness; }

    public boolean isOpen() { return open; }

    /** Larger for inner levels. */
    long id() { return id; }

    void requireOpen() {
        if (!open) {
            throw new IllegalStateException("vmap: a batched tensor of " + this + " was used after that vmap returned; "
                    + "return it from the vmapped function instead of keeping it");
        }
    }

    /** The levels open on this thread, outermost first. */
    static List<VmapLevel> openLevels() {
        return OPEN.get();
    }

    /**
     * Entry i's generator for draws asked of {@code parent} in this call: {@code c.fold(i)} with
     * {@code c = parent.split()} taken at the call's first draw from {@code parent}, so that the
     * parent advances (by one block) and the next call draws fresh numbers; made once per call,
     * then advancing as the entry draws again.
     */
    Generator[] entryGenerators(Generator parent) {
        return entryGenerators.computeIfAbsent(parent, p -> {
            Generator call = p.split();
            Generator[] kids = new Generator[size];
            for (int i = 0; i < size; i++) kids[i] = call.fold(i);
            return kids;
        });
    }

    @Override
    public String toString() {
        return "vmap level " + id + " (" + size + " entries, randomness " + randomness + (open ? "" : ", returned") + ")";
    }
}
