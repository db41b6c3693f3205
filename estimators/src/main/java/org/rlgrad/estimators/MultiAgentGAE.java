package org.rlgrad.estimators;


import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * GAE for several agents that share a team reward (spec estimators.md §6.1, §6.10; TorchRL's
 * {@code MultiAgentGAE}): values carry an agent dim at {@code agentDim} (default −2, e.g.
 * {@code [*B, T, n_agents, 1]}); a reward, done, terminated or truncated with one dim fewer is a
 * team signal, unsqueezed at {@code agentDim} and expanded to every agent; one of the values'
 * rank is per agent and used as it is. {@code averageGae} standardises per agent, over every dim
 * but the agent dim.
 */
public final class MultiAgentGAE extends GAE {
    private final int agentDim;

    private MultiAgentGAE(Builder b) {
        super(b);
        this.agentDim = b.agentDim;
    }

    public static Builder multiAgentBuilder() {
        return new Builder();
    }

    public int agentDim() { return agentDim; }

    @Override
    protected Tensor teamSignal(Tensor signal, Tensor value, String name) {
        int rank = value.dim();
        if (signal.dim() == rank) return signal;
        if (signal.dim() != rank - 1) {
            throw new IllegalArgumentException("MultiAgentGAE: expected " + name + " of rank " + rank + " (per agent, like the value "
                    + Shape.format(value.shapeRef()) + ") or " + (rank - 1) + " (a team signal), got shape " + Shape.format(signal.shapeRef()));
        }
        return signal.unsqueeze(agentAxis(rank)).expand(value.shape());
    }

    @Override
    protected Tensor standardise(Tensor advantage) {
        return Standardise.over(advantage, allBut(advantage.dim()), 1e-4);
    }

    @Override
    protected Tensor standardise(Tensor advantage, Tensor valid) {
        return Standardise.masked(advantage, valid, allBut(advantage.dim()), 1e-4);
    }

    private int[] allBut(int rank) {
        int agent = agentAxis(rank);
        int[] dims = new int[rank - 1];
        for (int i = 0, j = 0; i < rank; i++) if (i != agent) dims[j++] = i;
        return dims;
    }

    private int agentAxis(int rank) {
        int a = agentDim < 0 ? agentDim + rank : agentDim;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("MultiAgentGAE: agent_dim=" + agentDim + " is out of range for values of rank " + rank + " (expected "
                    + (-rank) + " to " + (rank - 1) + ")");
        }
        return a;
    }

    @Override
    public String toString() {
        return super.toString() + "[agent_dim=" + agentDim + "]";
    }

    public static final class Builder extends GAE.Builder<Builder> {
        private int agentDim = -2;

        private Builder() {}

        @Override
        protected Builder self() { return this; }

        /** The agent dim of the value tensor (default −2). */
        public Builder agentDim(int agentDim) { this.agentDim = agentDim; return this; }

        public MultiAgentGAE build() { return new MultiAgentGAE(this); }
    }
}
