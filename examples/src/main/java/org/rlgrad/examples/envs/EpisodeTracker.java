package org.rlgrad.examples.envs;

import java.util.ArrayList;
import java.util.List;

/**
 * The running return and length of each copy of a batched environment, and the episodes that
 * finished since they were last drained ({@link VectorEnv}, {@link MultiAgentVectorEnv}).
 */
final class EpisodeTracker {
    private final double[] runningReturn;
    private final int[] runningLength;
    private final List<VectorEnv.Episode> finished = new ArrayList<>();

    EpisodeTracker(int copies) {
        this.runningReturn = new double[copies];
        this.runningLength = new int[copies];
    }

    /** Copy {@code i} starts a fresh episode. */
    void restart(int i) {
        runningReturn[i] = 0;
        runningLength[i] = 0;
    }

    /** Copy {@code i} took a step with {@code reward}; when {@code done} its episode is recorded and it restarts. */
    void record(int i, double reward, boolean done) {
        runningReturn[i] += reward;
        runningLength[i]++;
        if (done) {
            finished.add(new VectorEnv.Episode(runningReturn[i], runningLength[i]));
            restart(i);
        }
    }

    /** The episodes finished since the last call, oldest first. */
    List<VectorEnv.Episode> drain() {
        List<VectorEnv.Episode> out = List.copyOf(finished);
        finished.clear();
        return out;
    }
}
