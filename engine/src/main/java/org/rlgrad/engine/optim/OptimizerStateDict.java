package org.rlgrad.engine.optim;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of an optimiser (torch's {@code optimizer.state_dict()}): each group's options and
 * size, and the state of each parameter that has any, keyed by the parameter's position in the
 * optimiser's groups taken in order (torch's integer ids). The buffers are copies, so later steps
 * do not change a snapshot (torch's dict refers to the live tensors until it is saved).
 */
public record OptimizerStateDict<O extends OptimizerOptions<O>>(List<O> groupOptions, List<Integer> groupSizes,
                                                                Map<Integer, ParamState> state) {
    public OptimizerStateDict {
        groupOptions = List.copyOf(groupOptions);
        groupSizes = List.copyOf(groupSizes);
        state = Map.copyOf(state);
        if (groupOptions.size() != groupSizes.size()) {
            throw new IllegalArgumentException("OptimizerStateDict: " + groupOptions.size() + " group options for "
                    + groupSizes.size() + " group sizes; expected one each");
        }
    }
}
