package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Sigmoid;

/**
 * {@code discriminator} (GAIL): MLP(concat(in_keys)) ending in a sigmoid, its probability written
 * at {@code out_key} ({@code d_logits}). A network whose last layer is not a sigmoid is a
 * malformed case: the loss feeds the output to binary cross-entropy on probabilities.
 */
final class DiscriminatorWiring implements NetworkWiring {
    @Override
    public String kind() { return "discriminator"; }

    @Override
    public TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c) {
        Sequential mlp = network.single().module();
        if (!(mlp.get(mlp.size() - 1) instanceof Sigmoid)) {
            throw new MalformedCaseException("network '" + network.name() + "': a discriminator must end in a sigmoid (it outputs probabilities), got "
                    + mlp.get(mlp.size() - 1).getClass().getSimpleName());
        }
        return new ValueOperator(mlp, WiringKeys.concatenated(mlp), WiringKeys.keys(wiring, "in_keys"), List.of(WiringKeys.key(wiring, "out_key")));
    }
}
