package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Programs built from source on PoCL, kernels run against their Java twins, and the build errors. */
class ClProgramTest {
    private static final String VECTOR_ADD = """
            __kernel void add(__global const float* a, __global const float* b, __global float* out, const int n) {
                int i = get_global_id(0);
                if (i < n) out[i] = a[i] + b[i];
            }
            __kernel void axpy(const double alpha, __global const double* x, __global double* y, const long n) {
                long i = get_global_id(0);
                if (i < n) y[i] += alpha * x[i];
            }
            """;

    /** One partial sum per work-group: a tree in local memory (the size of a group must be a power of two). */
    private static final String REDUCTION = """
            __kernel void partial_sums(__global const float* x, __global float* partial,
                                       __local float* scratch, const int n) {
                int i = get_global_id(0);
                int lid = get_local_id(0);
                scratch[lid] = i < n ? x[i] : 0.0f;
                barrier(CLK_LOCAL_MEM_FENCE);
                for (int stride = get_local_size(0) / 2; stride > 0; stride /= 2) {
                    if (lid < stride) scratch[lid] += scratch[lid + stride];
                    barrier(CLK_LOCAL_MEM_FENCE);
                }
                if (lid == 0) partial[get_group_id(0)] = scratch[0];
            }
            """;

    private static ClContext cl;

    @BeforeAll
    static void open() {
        cl = ClTestDevice.require().openContext();
    }

    @AfterAll
    static void close() {
        if (cl != null) {
            cl.close();
        }
    }

    @Test
    void vectorAddEqualsJavasSum() {
        int n = 1000; // not a multiple of the group size: the kernel guards the tail
        var random = new SplittableRandom(5);
        float[] a = new float[n];
        float[] b = new float[n];
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(-10, 10);
            b[i] = (float) random.nextDouble(-10, 10);
            expected[i] = a[i] + b[i];
        }
        float[] got = new float[n];
        try (ClBuffer da = cl.allocate(4L * n).write(a);
                ClBuffer db = cl.allocate(4L * n).write(b);
                ClBuffer out = cl.allocate(4L * n);
                ClKernel add = cl.program(VECTOR_ADD).kernel("add")) {
            add.setBuffer(0, da).setBuffer(1, db).setBuffer(2, out).setInt(3, n);
            add.enqueue(new long[] {ClKernel.roundUp(n, 64)}, new long[] {64});
            out.read(got);
        }
        assertArrayEquals(expected, got); // one IEEE addition each: exactly Java's
    }

    @Test
    void doubleAndLongArgumentsReachTheKernel() {
        int n = 37;
        double[] x = new double[n];
        double[] y = new double[n];
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 0.25;
            y[i] = 1.0 / (i + 1);
            expected[i] = y[i] + 1.5 * x[i];
        }
        double[] got = new double[n];
        try (ClBuffer dx = cl.allocate(8L * n).write(x);
                ClBuffer dy = cl.allocate(8L * n).write(y);
                ClKernel axpy = cl.program(VECTOR_ADD).kernel("axpy")) {
            axpy.setDouble(0, 1.5).setBuffer(1, dx).setBuffer(2, dy).setLong(3, n);
            axpy.enqueue(n);
            dy.read(got);
        }
        // The device may fuse the multiply and add (fma): one rounding fewer than Java's.
        assertArrayEquals(expected, got, 1e-15);
    }

    @Test
    void aKernelsOwnGroupLimitBoundsItsLaunches() {
        try (ClKernel sums = cl.program(REDUCTION).kernel("partial_sums")) {
            long limit = sums.maxWorkGroupSize();
            assertTrue(limit >= 1 && limit <= cl.device().maxWorkGroupSize(), "kernel limit " + limit);
            long tooMany = Long.highestOneBit(limit) * 2;
            var e = assertThrows(IllegalArgumentException.class,
                    () -> sums.enqueue(new long[] {tooMany}, new long[] {tooMany}));
            assertTrue(e.getMessage().contains("this kernel's maximum work-group size " + limit), e.getMessage());
        }
    }

    @Test
    void reductionInLocalMemoryEqualsJavasSum() {
        int n = 5000;
        int group = 64;
        float[] x = new float[n];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (i * 7919) % 13 - 6; // small integers: every partial sum is exact in float
            expected += x[i];
        }
        long global = ClKernel.roundUp(n, group);
        int groups = (int) (global / group);
        float[] partial = new float[groups];
        try (ClBuffer dx = cl.allocate(4L * n).write(x);
                ClBuffer dp = cl.allocate(4L * groups);
                ClKernel sums = cl.program(REDUCTION).kernel("partial_sums")) {
            sums.setBuffer(0, dx).setBuffer(1, dp).setLocal(2, 4L * group).setInt(3, n);
            try (ClEvent done = sums.enqueueWithEvent(new long[] {global}, new long[] {group})) {
                done.await();
            }
            dp.read(partial);
        }
        double total = 0;
        for (int g = 0; g < groups; g++) {
            double javaPartial = 0;
            for (int i = g * group; i < Math.min(n, (g + 1) * group); i++) {
                javaPartial += x[i];
            }
            assertEquals(javaPartial, partial[g], 0.0, "group " + g);
            total += partial[g];
        }
        assertEquals(expected, total, 0.0);
    }

    @Test
    void aBuildErrorCarriesTheCodesNameAndTheCompilersLog() {
        int cachedBefore = cl.cachedPrograms();
        String broken = "__kernel void broken(__global float* x) { x[0] = undeclared_name; }";
        var e = assertThrows(ClException.class, () -> cl.program(broken));
        assertEquals("clBuildProgram", e.call());
        assertEquals(-11, e.code());
        assertEquals("CL_BUILD_PROGRAM_FAILURE", e.codeName());
        assertTrue(e.getMessage().startsWith("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11); build log:\n"),
                e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_name"), "the log names the bad identifier: " + e.getMessage());
        assertEquals(cachedBefore, cl.cachedPrograms(), "a failed build is not cached");
    }

    @Test
    void programsAreCachedBySourceTextPerContext() {
        String source = "__kernel void twice(__global int* x) { x[get_global_id(0)] *= 2; }";
        ClProgram first = cl.program(source);
        assertSame(first, cl.program(source));
        assertNotSame(first, cl.program(source + "\n"));
        assertNotSame(first, cl.program(source, "-cl-fast-relaxed-math"));
        first.close(); // belongs to the cache: still usable
        int[] got = new int[3];
        try (ClBuffer b = cl.allocate(12).write(new int[] {1, 2, 3}); ClKernel twice = first.kernel("twice")) {
            twice.setBuffer(0, b).enqueue(3);
            b.read(got);
        }
        assertArrayEquals(new int[] {2, 4, 6}, got);
        try (ClContext other = cl.device().openContext()) {
            assertNotSame(first, other.program(source));
        }
    }

    @Test
    void kernelAndArgumentErrorsNameTheKernelTheArgumentAndTheCode() {
        ClProgram program = cl.program(VECTOR_ADD);
        var name = assertThrows(ClException.class, () -> program.kernel("subtract"));
        assertEquals("clCreateKernel failed: CL_INVALID_KERNEL_NAME (-46); kernel 'subtract'", name.getMessage());
        try (ClKernel add = program.kernel("add")) {
            var index = assertThrows(ClException.class, () -> add.setInt(9, 1));
            assertEquals("CL_INVALID_ARG_INDEX", index.codeName());
            assertTrue(index.getMessage().contains("argument 9 of kernel 'add'"), index.getMessage());
            var size = assertThrows(ClException.class, () -> add.setLong(3, 1));
            assertEquals("CL_INVALID_ARG_SIZE", size.codeName());
            assertTrue(size.getMessage().contains("argument 3 of kernel 'add' given a long (8 bytes)"),
                    size.getMessage());
            var range = assertThrows(IllegalArgumentException.class,
                    () -> add.enqueue(new long[] {100}, new long[] {64}));
            assertTrue(range.getMessage().contains("[100] is not a multiple of local size [64]"), range.getMessage());
            assertThrows(IllegalArgumentException.class, () -> add.enqueue(new long[] {1, 1, 1, 1}, null));
        }
    }

    @Test
    void threadsShareOneContextEachWithItsOwnKernel() throws Exception {
        int threads = 4;
        int rounds = 25;
        int n = 257;
        var pool = Executors.newFixedThreadPool(threads);
        try {
            var results = new ArrayList<Future<Integer>>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    int mismatches = 0;
                    try (ClKernel add = cl.program(VECTOR_ADD).kernel("add");
                            ClBuffer a = cl.allocate(4L * n);
                            ClBuffer b = cl.allocate(4L * n);
                            ClBuffer out = cl.allocate(4L * n)) {
                        float[] x = new float[n];
                        float[] got = new float[n];
                        for (int r = 0; r < rounds; r++) {
                            for (int i = 0; i < n; i++) {
                                x[i] = seed * 1000 + r * 10 + i;
                            }
                            a.write(x);
                            b.fill((float) seed);
                            add.setBuffer(0, a).setBuffer(1, b).setBuffer(2, out).setInt(3, n).enqueue(n);
                            out.read(got);
                            for (int i = 0; i < n; i++) {
                                if (got[i] != x[i] + seed) {
                                    mismatches++;
                                }
                            }
                        }
                    }
                    return mismatches;
                }));
            }
            for (var result : results) {
                assertEquals(0, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void roundUpGivesTheNextMultiple() {
        assertEquals(0, ClKernel.roundUp(0, 64));
        assertEquals(64, ClKernel.roundUp(1, 64));
        assertEquals(64, ClKernel.roundUp(64, 64));
        assertEquals(128, ClKernel.roundUp(65, 64));
    }
}
