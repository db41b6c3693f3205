package org.rlgrad.engine.autograd;

import java.util.List;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * One recorded op in the graph: its name, the tensors it read, the tensors its backward needs
 * (with their storage versions at recording time), and the backward formula.
 */
public final class Node {
    private final String name;
    private final Tensor[] inputs;
    /** Which inputs required grad when the op was recorded: the others get no gradient from it, even if their flag is on later. */
    private final boolean[] needsGrad;
    private final int[] outputShape;
    private final DType outputDtype;
    private Backward backward;
    private Tensor[] saved;
    private final int[] savedVersions;
    private final StackTraceElement[] createdAt;

    Node(String name, Tensor[] inputs, Tensor[] saved, Backward backward, Tensor output, StackTraceElement[] createdAt) {
        this.name = name;
        this.inputs = inputs;
        this.needsGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needsGrad[i] = inputs[i] != null && inputs[i].requiresGrad();
        this.saved = saved;
        this.savedVersions = new int[saved.length];
        for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i].storage().version();
        this.backward = backward;
        this.outputShape = output.shape();
        this.outputDtype = output.dtype();
        this.createdAt = createdAt;
    }

    public String name() {
        return name;
    }

    /** The op's tensor inputs, in the order its backward returns gradients. */
    public List<Tensor> inputs() {
        return List.of(inputs);
    }

    Tensor input(int i) {
        return inputs[i];
    }

    /**
     * Whether input {@code i} required grad when this op was recorded. The graph is fixed then, as
     * in PyTorch: a parameter held out of the graph during the forward pass (its flag off, then
     * restored) gets no gradient from it.
     */
    boolean needsGrad(int i) {
        return needsGrad[i];
    }

    int inputCount() {
        return inputs.length;
    }

    public int[] outputShape() {
        return outputShape.clone();
    }

    public DType outputDtype() {
        return outputDtype;
    }

    /** Where the op was created, when anomaly mode was on at the time; otherwise null. */
    public StackTraceElement[] createdAt() {
        return createdAt;
    }

    boolean isReleased() {
        return backward == null;
    }

    Tensor[] runBackward(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("backward: the graph through '" + name + "' was already freed by an earlier "
                    + "backward; pass retainGraph=true to the first call if you need to go through it twice");
        }
        for (int i = 0; i < saved.length; i++) {
            if (saved[i].storage().isReleased()) {
                throw new IllegalStateException("backward: a tensor that '" + name + "' saved for its gradient was released "
                        + "when the MemoryScope it was made in closed; run backward before the scope closes");
            }
            if (saved[i].storage().version() != savedVersions[i]) {
                throw new IllegalStateException("backward: a tensor of shape " + java.util.Arrays.toString(saved[i].shapeRef())
                        + " that '" + name + "' saved for its gradient was modified in place after it was used "
                        + "(version " + savedVersions[i] + " then, " + saved[i].storage().version() + " now); "
                        + "use an out-of-place op or clone() it first");
            }
        }
        return backward.apply(gradOutput);
    }

    void release() {
        backward = null;
        saved = new Tensor[0];
    }
}
