package org.rlgrad.examples.envs;

import java.util.random.RandomGenerator;

/**
 * A small cooperative task for value-decomposition methods (QMIX, VDN): {@code n} agents on a line
 * of {@code L} cells must cover {@code n} target cells together, one agent on each target.
 *
 * <ul>
 *   <li>Reset: the {@code n} targets are distinct cells drawn uniformly; each agent starts on a
 *       uniformly drawn cell (agents may share a cell).</li>
 *   <li>Actions, per agent: 0 left, 1 stay, 2 right (a move off the line stays put). Agents move
 *       at once and may share cells.</li>
 *   <li>Team reward: {@code −u/n} per step, {@code u} the number of targets with no agent on them
 *       after the move. Terminated when every target is covered (that step's reward is 0);
 *       truncated after {@code maxEpisodeSteps} steps.</li>
 *   <li>Agent {@code i}'s observation ({@code 3L + n} numbers): its own cell one-hot, how many
 *       other agents are on each cell, the targets' cells (0/1), and its own id one-hot (the agents
 *       share one network, so it must know which one it is).</li>
 *   <li>Global state ({@code nL + L} numbers): every agent's cell one-hot, in agent order, then
 *       the targets' cells.</li>
 * </ul>
 * Coordination is the point: an agent greedy for the nearest target leaves the team at
 * {@code −1/n} per step whenever two agents pick the same one; the agents have to split the
 * targets between them. The episode's return lies between the optimum (which a planner over the
 * joint positions can compute) and about {@code −maxEpisodeSteps} for aimless play.
 */
public final class LineCoverage implements MultiAgentEnvironment {
    public static final String ID = "LineCoverage-v0";
    public static final int LEFT = 0, STAY = 1, RIGHT = 2;

    private final int agents, cells;
    private final MultiAgentSpec spec;
    private final int[] position;
    private final boolean[] target;
    private int elapsed;
    private boolean started, over;

    /** Two agents on five cells, episodes of at most 10 steps. */
    public LineCoverage() {
        this(2, 5, 10);
    }

    public LineCoverage(int agents, int cells, int maxEpisodeSteps) {
        if (agents < 1 || cells < agents) throw new IllegalArgumentException(ID + ": expected 1 <= agents <= cells, got " + agents + " agents and " + cells + " cells");
        this.agents = agents;
        this.cells = cells;
        this.spec = new MultiAgentSpec(ID, agents, 3 * cells + agents, agents * cells + cells, 3, maxEpisodeSteps);
        this.position = new int[agents];
        this.target = new boolean[cells];
    }

    @Override
    public MultiAgentSpec spec() { return spec; }

    @Override
    public MultiAgentObservation reset(RandomGenerator rng) {
        java.util.Arrays.fill(target, false);
        for (int placed = 0; placed < agents; ) {
            int c = rng.nextInt(cells);
            if (!target[c]) {
                target[c] = true;
                placed++;
            }
        }
        for (int i = 0; i < agents; i++) position[i] = rng.nextInt(cells);
        elapsed = 0;
        started = true;
        over = false;
        return observation();
    }

    @Override
    public MultiAgentStep step(int[] actions) {
        if (!started || over) throw new IllegalStateException(ID + ": step " + (over ? "after the episode ended" : "before reset") + "; call reset");
        if (actions.length != agents) throw new IllegalArgumentException(ID + ": expected one action per agent (" + agents + "), got " + actions.length);
        for (int i = 0; i < agents; i++) {
            int a = actions[i];
            if (a < 0 || a > 2) throw new IllegalArgumentException(ID + ": agent " + i + ": expected an action in 0..2 (left, stay, right), got " + a);
        }
        for (int i = 0; i < agents; i++) position[i] = Math.min(cells - 1, Math.max(0, position[i] + actions[i] - 1));
        elapsed++;
        int uncovered = uncovered();
        boolean terminated = uncovered == 0;
        boolean truncated = !terminated && elapsed >= spec.maxEpisodeSteps();
        over = terminated || truncated;
        return new MultiAgentStep(observation(), terminated ? 0.0 : -(double) uncovered / agents, terminated, truncated);
    }

    /** The targets with no agent on them. */
    private int uncovered() {
        int u = 0;
        for (int c = 0; c < cells; c++) {
            if (!target[c]) continue;
            boolean covered = false;
            for (int p : position) covered |= p == c;
            if (!covered) u++;
        }
        return u;
    }

    private MultiAgentObservation observation() {
        double[][] obs = new double[agents][3 * cells + agents];
        for (int i = 0; i < agents; i++) {
            obs[i][position[i]] = 1;
            for (int j = 0; j < agents; j++) if (j != i) obs[i][cells + position[j]] += 1;
            for (int c = 0; c < cells; c++) if (target[c]) obs[i][2 * cells + c] = 1;
            obs[i][3 * cells + i] = 1;
        }
        double[] state = new double[agents * cells + cells];
        for (int i = 0; i < agents; i++) state[i * cells + position[i]] = 1;
        for (int c = 0; c < cells; c++) if (target[c]) state[agents * cells + c] = 1;
        return new MultiAgentObservation(obs, state);
    }

    /** The agents' cells (for tests and planners). */
    public int[] positions() { return position.clone(); }

    /** The target cells, in increasing order (for tests and planners). */
    public int[] targets() {
        return java.util.stream.IntStream.range(0, cells).filter(c -> target[c]).toArray();
    }

    /** Places the agents and targets and restarts the episode (for tests and replays): agents' cells, then the target cells. */
    public void setState(int[] positions, int[] targets) {
        if (positions.length != agents || targets.length != agents) {
            throw new IllegalArgumentException(ID + ": expected " + agents + " agent cells and " + agents + " target cells, got " + positions.length + " and " + targets.length);
        }
        java.util.Arrays.fill(target, false);
        for (int c : targets) {
            if (c < 0 || c >= cells || target[c]) throw new IllegalArgumentException(ID + ": expected distinct target cells in 0.." + (cells - 1) + ", got " + java.util.Arrays.toString(targets));
            target[c] = true;
        }
        for (int i = 0; i < agents; i++) {
            if (positions[i] < 0 || positions[i] >= cells) throw new IllegalArgumentException(ID + ": expected agent cells in 0.." + (cells - 1) + ", got " + java.util.Arrays.toString(positions));
            position[i] = positions[i];
        }
        elapsed = 0;
        started = true;
        over = false;
    }

    public int cells() { return cells; }
}
