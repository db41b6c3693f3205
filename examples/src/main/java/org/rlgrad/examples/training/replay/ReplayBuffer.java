package org.rlgrad.examples.training.replay;

import java.util.Objects;
import java.util.random.RandomGenerator;

import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A uniform experience replay buffer (Lin 1992; Mnih et al. 2015): a fixed-capacity circular
 * {@link TransitionStorage} and sampling with replacement, every stored transition equally likely.
 *
 * <p>{@link #extend} takes what the {@code Collector} hands back, batch {@code [n_envs, T]}, and
 * stores its {@code n_envs · T} transitions; {@link #sample} returns a TensorDict of batch
 * {@code [B]} holding the same keys ({@code observation}, {@code action},
 * {@code ("next", "observation")}, {@code ("next", "reward")} {@code [B, 1]}, ...): the layout the
 * off-policy losses read.
 */
public class ReplayBuffer {
    /** Where a prioritized sample records the slots it came from (TorchRL's {@code "index"}). */
    public static final String INDEX_KEY = "index";

    protected final TransitionStorage storage;

    public ReplayBuffer(int capacity) {
        this.storage = new TransitionStorage(capacity);
    }

    public int capacity() { return storage.capacity(); }

    /** The transitions held now. */
    public int size() { return storage.size(); }

    /** Stores every transition of {@code batch} (its batch dims flattened); returns the slots written. */
    public int[] extend(TensorDict batch) {
        return storage.write(Objects.requireNonNull(batch, "ReplayBuffer.extend: the batch is null"));
    }

    /** {@code batchSize} transitions drawn uniformly with replacement from {@code rng}: batch {@code [batchSize]}. */
    public TensorDict sample(int batchSize, RandomGenerator rng) {
        return storage.gather(uniformSlots(batchSize, rng));
    }

    /** The slots a uniform sample takes: each independently uniform in {@code [0, size)}. */
    protected final int[] uniformSlots(int batchSize, RandomGenerator rng) {
        checkSample(batchSize);
        int[] slots = new int[batchSize];
        int n = size();
        for (int i = 0; i < batchSize; i++) slots[i] = rng.nextInt(n);
        return slots;
    }

    protected final void checkSample(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ".sample: expected a positive batch size, got " + batchSize);
        if (size() == 0) throw new IllegalStateException(getClass().getSimpleName() + ".sample: the buffer is empty; extend it first");
    }
}
