package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/**
 * Moving a tensor between devices: the one place where data crosses from one backend to another
 * (through the host). The move is differentiable: the gradient moves back to where the input lives.
 */
public final class DeviceTransfer {
    private DeviceTransfer() {}

    /** {@code x} on {@code device}: {@code x} itself when it is already there, else a contiguous copy. */
    public static Tensor to(Tensor x, Device device) {
        if (x.device().equals(device)) return x;
        if (x.isBatched()) return Batching.perElement(x, v -> to(v, device));
        Backend target = Backends.of(device);
        int[] shape = x.shape();
        Tensor y = x.dtype() == DType.INT64
                ? new Tensor(target.fromLongs(DType.INT64, x.backend().toLongs(x)), shape)
                : new Tensor(target.fromDoubles(x.dtype(), x.backend().toDoubles(x)), shape);
        if (!x.dtype().isFloating()) return y;
        Device home = x.device();
        return Autograd.record("to_" + device, y, inputs(x), g -> grads(to(g, home)));
    }
}
