package org.rlgrad.estimators;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Where each transition's current and next state sit in the fused sequence of the
 * {@code shifted} mode (spec estimators.md §6.9). In the usual rollout layout
 * {@code next_obs_t = obs_{t+1}} unless the trajectory ended at {@code t}, so one network call over
 * {@code obs_0, obs_1, …, next_obs_{T−1}} gives both {@code V} and {@code V'}. A truncation inside
 * the window ({@code done ∧ ¬terminated}, a "reset") breaks that identity: its next state is a
 * state of its own and takes one extra slot. A terminal step needs none, since its bootstrap is
 * multiplied by {@code 1 − τ = 0}. With {@code L = T + budget} slots, per series:
 *
 * <pre>
 *   reset_t   = any(done_t) ∧ ¬any(terminated_t)  (t &lt; T−1), reset_{T−1} = 0
 *   root_t    = t + Σ_{s&lt;t} reset_s,   nextslot_t = root_t + 1
 *   valid_t   = nextslot_t &lt; L,        lastvalid_t = valid_t ∧ ¬valid_{t+1}  (valid_T = true)
 * </pre>
 *
 * A series with {@code n} resets needs {@code T + n + 1} slots, so it loses a suffix of its
 * transitions: {@code max(0, n + 1 − budget)} of them when its resets come before the last kept
 * step (the spec's count), fewer when a reset falls among the last steps, since such a reset is
 * dropped with its own step and costs no further one (e.g. T = 3, budget 1, resets at 0 and 1:
 * {@code [o0, o0', o1, o1']} fills L = 4 and only step 2 is lost). Dropped transitions are
 * invalid; the last valid one becomes a truncation that bootstraps from its own next state,
 * which is written at its next slot. V and V' read for dropped transitions come from clamped
 * slots and mean nothing; their outputs are zeroed.
 *
 * <p>Everything is computed with tensor ops on the flags' device (a running sum of the resets,
 * then scatter into and gather from the sequence with the computed slot indices), for all batch
 * indices at once; nothing loops over time in Java.
 */
final class ShiftedSlots {
    private static final Key IS_INIT = Key.of("is_init");

    private final int[] batchSize;
    private final int timeDim;
    private final int length;
    /** Slot written with obs_t: root_t where it is inside the sequence, else the scratch slot L. */
    private final Tensor rootWrite;
    /** Slot written with next_obs_t: nextslot_t at resets, at the last valid step and at t = T−1 (when valid), else L. */
    private final Tensor nextWrite;
    /** Slots read back for V and V': root_t and nextslot_t, clamped to L−1. */
    private final Tensor rootRead;
    private final Tensor nextRead;
    private final Tensor valid;
    private final Tensor lastValid;

    private ShiftedSlots(int[] batchSize, int timeDim, int length, Tensor rootWrite, Tensor nextWrite, Tensor rootRead, Tensor nextRead,
            Tensor valid, Tensor lastValid) {
        this.batchSize = batchSize;
        this.timeDim = timeDim;
        this.length = length;
        this.rootWrite = rootWrite;
        this.nextWrite = nextWrite;
        this.rootRead = rootRead;
        this.nextRead = nextRead;
        this.valid = valid;
        this.lastValid = lastValid;
    }

    /**
     * The slots of a dict of batch size {@code batchSize}, time along batch dim {@code timeDim},
     * from its {@code ("next", done)} and {@code ("next", terminated)} flags (shape
     * {@code [*batch, *columns]}; several columns are reduced with any).
     */
    static ShiftedSlots of(int[] batchSize, int timeDim, int budget, Tensor done, Tensor terminated) {
        if (budget < 1) throw new IllegalArgumentException("shifted_budget must be an integer >= 1, got " + budget);
        int steps = batchSize[timeDim];
        int length = steps + budget;
        Tensor d = perStep(done, batchSize, "done"), tau = perStep(terminated, batchSize, "terminated");
        Tensor position = Tensor.onesLike(d.to(DType.INT64)).cumsum(timeDim).sub(1);
        Tensor isLast = position.eq(steps - 1);
        Tensor reset = d.logicalAnd(tau.logicalNot()).logicalAnd(isLast.logicalNot()).to(DType.INT64);
        // Resets strictly before t: the inclusive running sum less the step's own flag.
        Tensor root = position.add(reset.cumsum(timeDim).sub(reset));
        Tensor next = root.add(1);
        Tensor valid = next.lt(length);
        // nextslot_{t+1} = root_t + 1 + reset_t + 1 = nextslot_t + 1 + reset_t; valid_T counts as true.
        Tensor validAfter = next.add(1).add(reset).lt(length).logicalOr(isLast);
        Tensor lastValid = valid.logicalAnd(validAfter.logicalNot());
        Tensor writesNext = valid.logicalAnd(reset.to(DType.BOOL).logicalOr(lastValid).logicalOr(isLast));
        Tensor scratch = root.newFull(new int[0], length, DType.INT64);
        Tensor rootWrite = Tensor.where(root.lt(length), root, scratch);
        Tensor nextWrite = Tensor.where(writesNext, next, scratch);
        return new ShiftedSlots(batchSize.clone(), timeDim, length, rootWrite, nextWrite, root.clampMax(length - 1), next.clampMax(length - 1), valid,
                lastValid);
    }

    /** {@code valid_t}, boolean of the dict's batch size. */
    Tensor valid() { return valid; }

    /** {@code lastvalid_t}, boolean of the dict's batch size. */
    Tensor lastValid() { return lastValid; }

    /** The sequence length {@code L = T + budget}. */
    int length() { return length; }

    /**
     * The fused input sequence {@code S} (batch size as {@code data}'s with {@code L} along the
     * time dim, zeros where nothing is written): {@code S[root_t] = obs_t}, then
     * {@code S[nextslot_t] = next_obs_t} where the next state has a slot of its own; for every
     * key of {@code keys} that {@code data} holds at the root. A next entry that is missing is
     * taken from the root; {@code is_init} at a next slot is {@code next.is_init ∨ root.is_init}
     * (spec §6.6: a recurrent network must not chain two trajectories).
     */
    TensorDict sequence(TensorDict data, Collection<Key> keys) {
        int[] sb = batchSize.clone();
        sb[timeDim] = length;
        TensorDict s = new TensorDict(sb);
        List<String> names = data.names();
        if (names.stream().anyMatch(n -> n != null)) s.refineNames(names.toArray(new String[0]));
        TensorDict nextAll = data.contains(ValueEstimatorBase.NEXT) ? data.getTensorDict(ValueEstimatorBase.NEXT) : null;
        for (Key k : keys) {
            Tensor root = data.get(k, null);
            if (root == null) continue;
            Tensor next = nextAll == null ? null : nextAll.get(k, null);
            if (k.equals(IS_INIT)) next = next == null ? root : next.logicalOr(root);
            else if (next == null) next = root;
            if (!Arrays.equals(root.shapeRef(), next.shapeRef())) {
                throw new IllegalArgumentException("shifted: " + k + " has shape " + Shape.format(root.shapeRef()) + " but (\"next\", " + k + ") has shape "
                        + Shape.format(next.shapeRef()) + "; the fused sequence needs both the same");
            }
            int[] shape = root.shape();
            shape[timeDim] = length + 1; // one scratch slot at L takes the writes that have no place
            Tensor seq = root.newZeros(root.dtype(), shape);
            // Two writes, in this order: a last valid step's next state replaces the root of the invalid step that follows it.
            seq = seq.scatter(timeDim, spread(rootWrite, root), root);
            seq = seq.scatter(timeDim, spread(nextWrite, next), next.to(root.dtype()));
            s.set(k, seq.narrow(timeDim, 0, length));
        }
        return s;
    }

    /** {@code V_t = out[root_t]}. */
    Tensor atRoot(Tensor out) {
        return out.gather(timeDim, spread(rootRead, out, length));
    }

    /** {@code V'_t = out[min(nextslot_t, L−1)]}. */
    Tensor atNext(Tensor out) {
        return out.gather(timeDim, spread(nextRead, out, length));
    }

    /** {@code mask} of the batch size, with trailing unit dims so that it broadcasts against {@code like} (whose shape starts with the batch size). */
    static Tensor aligned(Tensor mask, Tensor like) {
        int[] shape = Arrays.copyOf(mask.shapeRef(), like.dim());
        for (int i = mask.dim(); i < shape.length; i++) shape[i] = 1;
        return mask.reshape(shape);
    }

    /** An index of the batch size expanded over {@code like}'s trailing dims (T along the time dim). */
    private Tensor spread(Tensor index, Tensor like) {
        int[] shape = like.shape();
        return aligned(index, like).expand(shape);
    }

    /** As above for a tensor of the sequence's batch size (L along the time dim); the index keeps T there. */
    private Tensor spread(Tensor index, Tensor out, int outLength) {
        if (out.dim() < batchSize.length || out.shapeRef()[timeDim] != outLength) {
            throw new IllegalStateException("shifted: the value network returned shape " + Shape.format(out.shapeRef()) + ", expected one starting with "
                    + Shape.format(sequenceBatch()));
        }
        int[] shape = out.shape();
        shape[timeDim] = batchSize[timeDim];
        return aligned(index, out).expand(shape);
    }

    private int[] sequenceBatch() {
        int[] sb = batchSize.clone();
        sb[timeDim] = length;
        return sb;
    }

    /** A flag tensor {@code [*batch, *columns]} reduced to one flag per step (any over the columns). */
    private static Tensor perStep(Tensor flag, int[] batchSize, String name) {
        if (flag.dim() < batchSize.length || !Arrays.equals(Arrays.copyOf(flag.shapeRef(), batchSize.length), batchSize)) {
            throw new IllegalArgumentException("shifted: expected (\"next\", " + name + ") of a shape starting with the batch size " + Shape.format(batchSize)
                    + ", got " + Shape.format(flag.shapeRef()));
        }
        Tensor b = flag.to(DType.BOOL);
        if (b.dim() == batchSize.length) return b;
        int[] flat = Arrays.copyOf(batchSize, batchSize.length + 1);
        flat[batchSize.length] = -1;
        return b.reshape(flat).any(batchSize.length, false);
    }
}
