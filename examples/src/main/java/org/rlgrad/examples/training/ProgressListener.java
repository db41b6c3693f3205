package org.rlgrad.examples.training;

/** Told about a training run as it goes (a progress bar, a log); called from the training thread. */
@FunctionalInterface
public interface ProgressListener {
    void update(Progress progress);

    /** A listener that ignores everything (tests). */
    ProgressListener NONE = p -> {};
}
