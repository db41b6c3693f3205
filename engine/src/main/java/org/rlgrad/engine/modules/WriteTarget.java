package org.rlgrad.engine.modules;

/**
 * Where a {@link TensorDictModule} writes its outputs: TorchRL's {@code inplace} argument
 * (spec engine.md 3.2), named by what each setting does.
 */
public enum WriteTarget {
    /** {@code inplace=True} (the default): into the input dict, which is returned. */
    INPUT,
    /** {@code inplace=False}: a new dict of batch size {@code []} holding only the outputs. */
    NEW,
    /** {@code inplace="empty"}: a new dict like {@code input.empty()} (same batch size and names), holding only the outputs. */
    EMPTY_LIKE_INPUT;

    /** TorchRL's spelling: {@code true}, {@code false} or {@code "empty"}; anything else is an error. */
    public static WriteTarget fromInplace(Object inplace) {
        if (Boolean.TRUE.equals(inplace)) return INPUT;
        if (Boolean.FALSE.equals(inplace)) return NEW;
        if ("empty".equals(inplace)) return EMPTY_LIKE_INPUT;
        throw new IllegalArgumentException("inplace: expected true, false or \"empty\", got " + inplace);
    }
}
