/**
 * The rlgrad engine: tensors, reverse-mode autograd and the backends that compute them (CPU and
 * OpenCL), random numbers, vmap, distributions, nn modules, optimisers, the TensorDict and its
 * modules, and the JSON reader/writer that file formats share.
 * Only the backend packages touch {@code jdk.incubator.vector} and {@code java.lang.foreign}.
 */
module org.rlgrad.engine {
    requires jdk.incubator.vector;

    exports org.rlgrad.engine.tensor;
    exports org.rlgrad.engine.autograd;
    exports org.rlgrad.engine.ops;
    exports org.rlgrad.engine.backend;
    exports org.rlgrad.engine.backend.opencl;
    exports org.rlgrad.engine.optim;
    exports org.rlgrad.engine.random;
    exports org.rlgrad.engine.distributions;
    exports org.rlgrad.engine.vmap;
    exports org.rlgrad.engine.tensordict;
    exports org.rlgrad.engine.nn;
    exports org.rlgrad.engine.io;
    exports org.rlgrad.engine.modules;
}
