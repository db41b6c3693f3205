package org.rlgrad.losses;

import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;

/**
 * Periodic copies of the online networks into their targets (spec losses.md §1.4; TorchRL's
 * {@code HardUpdate}). A counter starts at 0; {@link #step()} copies {@code θ → θ̄} for the
 * distinct pairs and resets the counter when it equals the interval, else increments it. So the
 * first copy after construction happens on the <b>(interval+1)-th</b> step and then every
 * {@code interval + 1} steps: the reference's counting, kept (DECISIONS.md rule 1).
 */
public final class HardUpdate extends TargetNetUpdater {
    /** TorchRL's default {@code value_network_update_interval}. */
    public static final int DEFAULT_INTERVAL = 1000;

    private final int interval;
    private int counter;

    public HardUpdate(LossModule loss) {
        this(loss, DEFAULT_INTERVAL);
    }

    public HardUpdate(LossModule loss, int valueNetworkUpdateInterval) {
        super(loss);
        if (valueNetworkUpdateInterval < 0) {
            throw new IllegalArgumentException("HardUpdate: value_network_update_interval must be >= 0, got " + valueNetworkUpdateInterval);
        }
        this.interval = valueNetworkUpdateInterval;
    }

    public int interval() { return interval; }

    public int counter() { return counter; }

    @Override
    public void step() {
        if (counter == interval) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                for (TargetPair p : distinctPairs()) p.target().copy_(p.source().detach());
            }
            counter = 0;
        } else {
            counter++;
        }
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> out = super.stateDict();
        out.put("counter", counter);
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        if (!(state.get("counter") instanceof Integer c) || c < 0) throw new IllegalArgumentException("HardUpdate.loadStateDict: expected a non-negative 'counter', got " + state);
        counter = c;
    }
}
