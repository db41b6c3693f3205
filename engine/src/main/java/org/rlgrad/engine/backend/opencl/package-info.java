/**
 * The OpenCL backend ({@link org.rlgrad.engine.backend.opencl.OpenClBackend}, device
 * {@code opencl:N}): tensors in device buffers, computed by kernels compiled from the {@code .cl}
 * resources beside these classes, one kernel group per class ({@code ClElementwise},
 * {@code ClPointwise}, {@code ClReductions}, {@code ClScans}, {@code ClMatmul}, {@code ClIndexing},
 * {@code ClRandom}, {@code ClAdam}). Users reach it through {@code Device.opencl(i)},
 * {@code tensor.to(device)} and {@code -Drlgrad.device=opencl:0}.
 *
 * <p>Beneath it, OpenCL through the Foreign Function &amp; Memory API: bindings to the OpenCL 1.2 host API
 * ({@link org.rlgrad.engine.backend.opencl.ClLibrary}), the objects that own its native
 * resources (context and queue, buffers, programs, kernels, events) and device discovery
 * ({@link org.rlgrad.engine.backend.opencl.OpenClDevices}). No native code ships with rlgrad: the
 * system's OpenCL ICD loader ({@code libOpenCL.so.1}) and a driver (PoCL on a machine without a
 * GPU) are loaded at run time, and their absence is an {@link
 * org.rlgrad.engine.backend.opencl.OpenClUnavailableException} that says what was found.
 *
 * <p>A typical use:
 *
 * <pre>{@code
 * ClDevice device = OpenClDevices.system().device(0);
 * try (ClContext cl = device.openContext();
 *      ClBuffer x = cl.allocate(4L * n).write(xs);
 *      ClBuffer y = cl.allocate(4L * n);
 *      ClKernel scale = cl.program(SOURCE).kernel("scale")) {
 *     scale.setBuffer(0, x).setBuffer(1, y).setFloat(2, 2f).setInt(3, n);
 *     scale.enqueue(ClKernel.roundUp(n, 64));
 *     y.read(ys);   // waits for the kernel: the queue is in order
 * }
 * }</pre>
 *
 * <p>Calling native code needs {@code --enable-native-access} for the module (or
 * {@code ALL-UNNAMED} on the class path), which the {@code rlgrad} launcher and the Maven
 * surefire configuration pass.
 */
package org.rlgrad.engine.backend.opencl;
