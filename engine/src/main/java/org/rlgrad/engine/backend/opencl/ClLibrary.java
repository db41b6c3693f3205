package org.rlgrad.engine.backend.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The OpenCL 1.2 host API, called through {@code java.lang.foreign}: one typed Java method per C
 * function the backend needs, each made into a method handle once, when the library is loaded.
 *
 * <p>Handles ({@code cl_platform_id}, {@code cl_context}, {@code cl_mem}, ...) are plain
 * {@link MemorySegment} addresses; the resource classes ({@link ClContext}, {@link ClBuffer},
 * {@link ClProgram}, {@link ClKernel}, {@link ClEvent}) own them and release them. Every method
 * checks the code the C function returns and throws a {@link ClException} naming the call and the
 * code unless it is {@code CL_SUCCESS}. The memory a call needs for its arguments (out-parameters,
 * strings, size arrays) comes from a confined arena opened and closed inside that call.
 *
 * <p>Enqueue methods take the events to wait for and say whether to return an event; with
 * {@code wantEvent} false they return {@link MemorySegment#NULL}, otherwise an event the caller
 * must release ({@link #releaseEvent}). A non-blocking transfer reads or writes the host segment
 * after the call returns: the caller keeps it alive until the event completes.
 *
 * <p>Handles are 64-bit: {@code size_t} is mapped to {@code long}, and a 32-bit JVM is refused.
 */
public final class ClLibrary {
    /** A system property that names the OpenCL library to try first (a name or a path). */
    public static final String LIBRARY_PROPERTY = "rlgrad.opencl.library";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout SIZE_T = JAVA_LONG;

    private final String libraryName;

    private final MethodHandle clGetPlatformIDs;
    private final MethodHandle clGetPlatformInfo;
    private final MethodHandle clGetDeviceIDs;
    private final MethodHandle clGetDeviceInfo;
    private final MethodHandle clCreateContext;
    private final MethodHandle clCreateCommandQueue;
    private final MethodHandle clCreateBuffer;
    private final MethodHandle clEnqueueWriteBuffer;
    private final MethodHandle clEnqueueReadBuffer;
    private final MethodHandle clEnqueueCopyBuffer;
    private final MethodHandle clEnqueueFillBuffer;
    private final MethodHandle clCreateProgramWithSource;
    private final MethodHandle clBuildProgram;
    private final MethodHandle clGetProgramBuildInfo;
    private final MethodHandle clCreateKernel;
    private final MethodHandle clSetKernelArg;
    private final MethodHandle clGetKernelWorkGroupInfo;
    private final MethodHandle clEnqueueNDRangeKernel;
    private final MethodHandle clFlush;
    private final MethodHandle clFinish;
    private final MethodHandle clWaitForEvents;
    private final MethodHandle clReleaseMemObject;
    private final MethodHandle clReleaseKernel;
    private final MethodHandle clReleaseProgram;
    private final MethodHandle clReleaseCommandQueue;
    private final MethodHandle clReleaseContext;
    private final MethodHandle clReleaseEvent;

    // Binding native functions is "restricted": it needs --enable-native-access, which the
    // launcher and the test configuration pass. Calling them is where a wrong signature would
    // crash, which is why each descriptor below mirrors CL/cl.h parameter by parameter.
    @SuppressWarnings("restricted")
    private ClLibrary(String libraryName, SymbolLookup lookup) {
        this.libraryName = libraryName;
        var missing = new ArrayList<String>();
        var binder = new Object() {
            MethodHandle bind(String name, MemoryLayout result, MemoryLayout... args) {
                var symbol = lookup.find(name);
                if (symbol.isEmpty()) {
                    missing.add(name);
                    return null;
                }
                return LINKER.downcallHandle(symbol.get(), FunctionDescriptor.of(result, args));
            }
        };
        var P = ADDRESS;
        var I = JAVA_INT;
        var S = SIZE_T;
        var U64 = JAVA_LONG;
        clGetPlatformIDs = binder.bind("clGetPlatformIDs", I, I, P, P);
        clGetPlatformInfo = binder.bind("clGetPlatformInfo", I, P, I, S, P, P);
        clGetDeviceIDs = binder.bind("clGetDeviceIDs", I, P, U64, I, P, P);
        clGetDeviceInfo = binder.bind("clGetDeviceInfo", I, P, I, S, P, P);
        clCreateContext = binder.bind("clCreateContext", P, P, I, P, P, P, P);
        clCreateCommandQueue = binder.bind("clCreateCommandQueue", P, P, P, U64, P);
        clCreateBuffer = binder.bind("clCreateBuffer", P, P, U64, S, P, P);
        clEnqueueWriteBuffer = binder.bind("clEnqueueWriteBuffer", I, P, P, I, S, S, P, I, P, P);
        clEnqueueReadBuffer = binder.bind("clEnqueueReadBuffer", I, P, P, I, S, S, P, I, P, P);
        clEnqueueCopyBuffer = binder.bind("clEnqueueCopyBuffer", I, P, P, P, S, S, S, I, P, P);
        clEnqueueFillBuffer = binder.bind("clEnqueueFillBuffer", I, P, P, P, S, S, S, I, P, P);
        clCreateProgramWithSource = binder.bind("clCreateProgramWithSource", P, P, I, P, P, P);
        clBuildProgram = binder.bind("clBuildProgram", I, P, I, P, P, P, P);
        clGetProgramBuildInfo = binder.bind("clGetProgramBuildInfo", I, P, P, I, S, P, P);
        clCreateKernel = binder.bind("clCreateKernel", P, P, P, P);
        clSetKernelArg = binder.bind("clSetKernelArg", I, P, I, S, P);
        clGetKernelWorkGroupInfo = binder.bind("clGetKernelWorkGroupInfo", I, P, P, I, S, P, P);
        clEnqueueNDRangeKernel = binder.bind("clEnqueueNDRangeKernel", I, P, P, I, P, P, P, I, P, P);
        clFlush = binder.bind("clFlush", I, P);
        clFinish = binder.bind("clFinish", I, P);
        clWaitForEvents = binder.bind("clWaitForEvents", I, I, P);
        clReleaseMemObject = binder.bind("clReleaseMemObject", I, P);
        clReleaseKernel = binder.bind("clReleaseKernel", I, P);
        clReleaseProgram = binder.bind("clReleaseProgram", I, P);
        clReleaseCommandQueue = binder.bind("clReleaseCommandQueue", I, P);
        clReleaseContext = binder.bind("clReleaseContext", I, P);
        clReleaseEvent = binder.bind("clReleaseEvent", I, P);
        if (!missing.isEmpty()) {
            throw new OpenClUnavailableException("OpenCL library " + libraryName
                    + " lacks the OpenCL 1.2 functions " + missing
                    + "; expected an OpenCL 1.2 or newer ICD loader (e.g. ocl-icd-libopencl1)");
        }
    }

    // ---------------------------------------------------------------------------------------
    // Loading

    /** The library names tried on this operating system, the {@link #LIBRARY_PROPERTY} first. */
    public static List<String> defaultNames() {
        var names = new LinkedHashSet<String>();
        String property = System.getProperty(LIBRARY_PROPERTY);
        if (property != null && !property.isBlank()) {
            names.add(property.strip());
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            names.add("OpenCL.dll");
        } else if (os.contains("mac")) {
            names.add("/System/Library/Frameworks/OpenCL.framework/OpenCL");
        } else {
            names.add("libOpenCL.so.1");
            names.add("libOpenCL.so");
        }
        return List.copyOf(names);
    }

    /** The system's OpenCL library, loaded once; the same failure is reported on every call. */
    public static ClLibrary system() {
        if (SystemLibrary.LIBRARY != null) {
            return SystemLibrary.LIBRARY;
        }
        throw new OpenClUnavailableException(SystemLibrary.FAILURE.getMessage(), SystemLibrary.FAILURE);
    }

    private static final class SystemLibrary {
        static final ClLibrary LIBRARY;
        static final OpenClUnavailableException FAILURE;

        static {
            ClLibrary library = null;
            OpenClUnavailableException failure = null;
            try {
                library = load(defaultNames());
            } catch (OpenClUnavailableException e) {
                failure = e;
            }
            LIBRARY = library;
            FAILURE = failure;
        }
    }

    /**
     * Loads the first of {@code names} that the system's dynamic linker can open (a bare name is
     * searched for on the library path, a path is opened as is) and binds its functions.
     *
     * @throws OpenClUnavailableException when none opens, naming each one and why it failed, or
     *     when the library that opened lacks an OpenCL 1.2 function
     */
    @SuppressWarnings("restricted") // libraryLookup: see the constructor
    public static ClLibrary load(List<String> names) {
        if (ADDRESS.byteSize() != 8) {
            throw new OpenClUnavailableException(
                    "the OpenCL bindings need a 64-bit JVM; this one has " + 8 * ADDRESS.byteSize() + "-bit addresses");
        }
        var failures = new ArrayList<String>();
        for (String name : names) {
            SymbolLookup lookup;
            try {
                // Arena.global(): the library stays loaded for the life of the program, as the
                // handles made from it and the driver threads it starts may outlive any scope.
                lookup = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                failures.add(name + " (" + e.getMessage() + ")");
                continue;
            }
            return new ClLibrary(name, lookup);
        }
        throw new OpenClUnavailableException("no OpenCL library found: looked for " + String.join(", ", names)
                + "; found none (" + String.join("; ", failures) + "). Install an OpenCL ICD loader and a driver"
                + " (on Debian: apt-get install ocl-icd-libopencl1 pocl-opencl-icd) or set -D"
                + LIBRARY_PROPERTY + "=<path to the OpenCL library>");
    }

    /** The name this library was loaded under, e.g. {@code libOpenCL.so.1}. */
    public String libraryName() {
        return libraryName;
    }

    @Override
    public String toString() {
        return "ClLibrary[" + libraryName + "]";
    }

    // ---------------------------------------------------------------------------------------
    // Platforms and devices

    /**
     * Every platform the ICD loader knows; empty (not an error) when it reports none, which the
     * Khronos loader does as {@code CL_PLATFORM_NOT_FOUND_KHR} and others as zero platforms.
     */
    public List<MemorySegment> getPlatformIds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int code = (int) clGetPlatformIDs.invokeExact(0, MemorySegment.NULL, count);
            if (code == ClErrorCodes.CL_PLATFORM_NOT_FOUND_KHR) {
                return List.of();
            }
            check("clGetPlatformIDs", code, null);
            int n = count.get(JAVA_INT, 0);
            if (n == 0) {
                return List.of();
            }
            MemorySegment ids = arena.allocate(ADDRESS, n);
            code = (int) clGetPlatformIDs.invokeExact(n, ids, count);
            check("clGetPlatformIDs", code, null);
            return addresses(ids, Math.min(n, count.get(JAVA_INT, 0)));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A string parameter of a platform ({@code CL_PLATFORM_NAME}, {@code CL_PLATFORM_VERSION}, ...). */
    public String getPlatformInfoString(MemorySegment platform, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(SIZE_T);
            check("clGetPlatformInfo", (int) clGetPlatformInfo.invokeExact(platform, param, 0L, MemorySegment.NULL, size),
                    "parameter 0x" + Integer.toHexString(param));
            long n = size.get(JAVA_LONG, 0);
            MemorySegment value = arena.allocate(Math.max(1, n));
            check("clGetPlatformInfo", (int) clGetPlatformInfo.invokeExact(platform, param, n, value, MemorySegment.NULL),
                    "parameter 0x" + Integer.toHexString(param));
            return cString(value, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The platform's devices of the given type; empty when it has none ({@code CL_DEVICE_NOT_FOUND}). */
    public List<MemorySegment> getDeviceIds(MemorySegment platform, long deviceType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int code = (int) clGetDeviceIDs.invokeExact(platform, deviceType, 0, MemorySegment.NULL, count);
            if (code == -1) { // CL_DEVICE_NOT_FOUND
                return List.of();
            }
            check("clGetDeviceIDs", code, null);
            int n = count.get(JAVA_INT, 0);
            if (n == 0) {
                return List.of();
            }
            MemorySegment ids = arena.allocate(ADDRESS, n);
            check("clGetDeviceIDs", (int) clGetDeviceIDs.invokeExact(platform, deviceType, n, ids, count), null);
            return addresses(ids, Math.min(n, count.get(JAVA_INT, 0)));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A string parameter of a device ({@code CL_DEVICE_NAME}, {@code CL_DEVICE_VERSION}, ...). */
    public String getDeviceInfoString(MemorySegment device, int param) {
        try (Arena arena = Arena.ofConfined()) {
            long n = deviceInfoSize(device, param, arena);
            MemorySegment value = deviceInfo(device, param, n, arena);
            return cString(value, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A {@code cl_ulong} or bitfield parameter of a device ({@code CL_DEVICE_GLOBAL_MEM_SIZE}, {@code CL_DEVICE_TYPE}). */
    public long getDeviceInfoLong(MemorySegment device, int param) {
        return scalarDeviceInfo(device, param, 8);
    }

    /** A {@code size_t} parameter of a device ({@code CL_DEVICE_MAX_WORK_GROUP_SIZE}). */
    public long getDeviceInfoSize(MemorySegment device, int param) {
        return scalarDeviceInfo(device, param, SIZE_T.byteSize());
    }

    /** A {@code cl_uint} or {@code cl_bool} parameter of a device ({@code CL_DEVICE_MAX_COMPUTE_UNITS}). */
    public int getDeviceInfoInt(MemorySegment device, int param) {
        return (int) scalarDeviceInfo(device, param, 4);
    }

    /** A {@code size_t[]} parameter of a device ({@code CL_DEVICE_MAX_WORK_ITEM_SIZES}). */
    public long[] getDeviceInfoSizes(MemorySegment device, int param) {
        try (Arena arena = Arena.ofConfined()) {
            long n = deviceInfoSize(device, param, arena);
            MemorySegment value = deviceInfo(device, param, n, arena);
            return value.asSlice(0, n - n % 8).toArray(JAVA_LONG);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private long scalarDeviceInfo(MemorySegment device, int param, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            long n = deviceInfoSize(device, param, arena);
            if (n != bytes) {
                throw new IllegalArgumentException("clGetDeviceInfo parameter 0x" + Integer.toHexString(param)
                        + " answers in " + n + " bytes; asked for a " + bytes + "-byte value");
            }
            MemorySegment value = deviceInfo(device, param, n, arena);
            return bytes == 8 ? value.get(JAVA_LONG, 0) : value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private long deviceInfoSize(MemorySegment device, int param, Arena arena) throws Throwable {
        MemorySegment size = arena.allocate(SIZE_T);
        check("clGetDeviceInfo", (int) clGetDeviceInfo.invokeExact(device, param, 0L, MemorySegment.NULL, size),
                "parameter 0x" + Integer.toHexString(param));
        return size.get(JAVA_LONG, 0);
    }

    private MemorySegment deviceInfo(MemorySegment device, int param, long n, Arena arena) throws Throwable {
        MemorySegment value = arena.allocate(Math.max(8, n), 8);
        check("clGetDeviceInfo", (int) clGetDeviceInfo.invokeExact(device, param, n, value, MemorySegment.NULL),
                "parameter 0x" + Integer.toHexString(param));
        return value;
    }

    // ---------------------------------------------------------------------------------------
    // Contexts and queues

    /** A context on the given devices of one platform, with no error callback. */
    public MemorySegment createContext(MemorySegment platform, List<MemorySegment> devices) {
        try (Arena arena = Arena.ofConfined()) {
            // cl_context_properties: {CL_CONTEXT_PLATFORM, platform, 0}, intptr_t each.
            MemorySegment properties = arena.allocateFrom(JAVA_LONG,
                    ClConstants.CL_CONTEXT_PLATFORM, platform.address(), 0L);
            MemorySegment ids = handles(arena, devices);
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment context = (MemorySegment) clCreateContext.invokeExact(
                    properties, devices.size(), ids, MemorySegment.NULL, MemorySegment.NULL, error);
            check("clCreateContext", error.get(JAVA_INT, 0), devices.size() + " device(s)");
            return context;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A command queue on one device of the context ({@code properties}: 0 for in-order, no profiling). */
    public MemorySegment createCommandQueue(MemorySegment context, MemorySegment device, long properties) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment queue = (MemorySegment) clCreateCommandQueue.invokeExact(context, device, properties, error);
            check("clCreateCommandQueue", error.get(JAVA_INT, 0), null);
            return queue;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sends the queued commands to the device without waiting for them. */
    public void flush(MemorySegment queue) {
        try {
            check("clFlush", (int) clFlush.invokeExact(queue), null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Waits until every command queued so far has finished. */
    public void finish(MemorySegment queue) {
        try {
            check("clFinish", (int) clFinish.invokeExact(queue), null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Waits until every event has completed; a failed command shows as an error here. */
    public void waitForEvents(List<MemorySegment> events) {
        if (events.isEmpty()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            check("clWaitForEvents", (int) clWaitForEvents.invokeExact(events.size(), handles(arena, events)),
                    events.size() + " event(s)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Buffers

    /** A buffer of {@code size} bytes with the given {@code cl_mem_flags}, no host pointer. */
    public MemorySegment createBuffer(MemorySegment context, long flags, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment mem = (MemorySegment) clCreateBuffer.invokeExact(context, flags, size, MemorySegment.NULL, error);
            check("clCreateBuffer", error.get(JAVA_INT, 0), size + " bytes");
            return mem;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes {@code size} bytes from {@code src} to the buffer at byte {@code offset}. */
    public MemorySegment enqueueWriteBuffer(MemorySegment queue, MemorySegment buffer, boolean blocking, long offset,
            long size, MemorySegment src, List<MemorySegment> waitFor, boolean wantEvent) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = eventOut(arena, wantEvent);
            check("clEnqueueWriteBuffer", (int) clEnqueueWriteBuffer.invokeExact(queue, buffer, blocking ? 1 : 0,
                    offset, size, src, waitFor.size(), handles(arena, waitFor), event),
                    size + " bytes at offset " + offset);
            return eventResult(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads {@code size} bytes at byte {@code offset} of the buffer into {@code dst}. */
    public MemorySegment enqueueReadBuffer(MemorySegment queue, MemorySegment buffer, boolean blocking, long offset,
            long size, MemorySegment dst, List<MemorySegment> waitFor, boolean wantEvent) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = eventOut(arena, wantEvent);
            check("clEnqueueReadBuffer", (int) clEnqueueReadBuffer.invokeExact(queue, buffer, blocking ? 1 : 0,
                    offset, size, dst, waitFor.size(), handles(arena, waitFor), event),
                    size + " bytes at offset " + offset);
            return eventResult(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Copies {@code size} bytes between buffers, on the device. */
    public MemorySegment enqueueCopyBuffer(MemorySegment queue, MemorySegment src, MemorySegment dst, long srcOffset,
            long dstOffset, long size, List<MemorySegment> waitFor, boolean wantEvent) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = eventOut(arena, wantEvent);
            check("clEnqueueCopyBuffer", (int) clEnqueueCopyBuffer.invokeExact(queue, src, dst, srcOffset, dstOffset,
                    size, waitFor.size(), handles(arena, waitFor), event),
                    size + " bytes from offset " + srcOffset + " to offset " + dstOffset);
            return eventResult(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Fills {@code size} bytes at {@code offset} with copies of {@code pattern} (1, 2, 4, ... 128
     * bytes; {@code offset} and {@code size} multiples of its length). The pattern is copied at
     * once, so it may be freed when the call returns.
     */
    public MemorySegment enqueueFillBuffer(MemorySegment queue, MemorySegment buffer, MemorySegment pattern,
            long offset, long size, List<MemorySegment> waitFor, boolean wantEvent) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = eventOut(arena, wantEvent);
            check("clEnqueueFillBuffer", (int) clEnqueueFillBuffer.invokeExact(queue, buffer, pattern,
                    pattern.byteSize(), offset, size, waitFor.size(), handles(arena, waitFor), event),
                    pattern.byteSize() + "-byte pattern over " + size + " bytes at offset " + offset);
            return eventResult(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Programs and kernels

    /** A program made from OpenCL C source text, not yet built. */
    public MemorySegment createProgramWithSource(MemorySegment context, String source) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] utf8 = source.getBytes(StandardCharsets.UTF_8);
            // Passed with its length, so the text needs no terminating NUL.
            MemorySegment text = utf8.length == 0 ? arena.allocate(1) : arena.allocateFrom(JAVA_BYTE, utf8);
            MemorySegment strings = arena.allocateFrom(ADDRESS, text);
            MemorySegment lengths = arena.allocateFrom(JAVA_LONG, (long) utf8.length);
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment program = (MemorySegment) clCreateProgramWithSource.invokeExact(
                    context, 1, strings, lengths, error);
            check("clCreateProgramWithSource", error.get(JAVA_INT, 0), utf8.length + " bytes of source");
            return program;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Builds the program for one device. On failure the exception carries the build log, which
     * is where the compiler's error messages are.
     */
    public void buildProgram(MemorySegment program, MemorySegment device, String options) {
        int code;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment devices = arena.allocateFrom(ADDRESS, device);
            MemorySegment opts = arena.allocateFrom(options == null ? "" : options);
            code = (int) clBuildProgram.invokeExact(program, 1, devices, opts, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (code != ClConstants.CL_SUCCESS) {
            String log;
            try {
                log = getProgramBuildLog(program, device).strip();
            } catch (ClException e) {
                log = "(the build log could not be read: " + e.getMessage() + ")";
            }
            String optionText = options == null || options.isEmpty() ? "" : " with options '" + options + "'";
            throw new ClException("clBuildProgram", code, "build log" + optionText + ":\n"
                    + (log.isEmpty() ? "(empty)" : log));
        }
    }

    /** The compiler's messages from the last build of the program for the device. */
    public String getProgramBuildLog(MemorySegment program, MemorySegment device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(SIZE_T);
            int param = ClConstants.CL_PROGRAM_BUILD_LOG;
            check("clGetProgramBuildInfo", (int) clGetProgramBuildInfo.invokeExact(program, device, param, 0L,
                    MemorySegment.NULL, size), "CL_PROGRAM_BUILD_LOG");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment value = arena.allocate(Math.max(1, n));
            check("clGetProgramBuildInfo", (int) clGetProgramBuildInfo.invokeExact(program, device, param, n, value,
                    MemorySegment.NULL), "CL_PROGRAM_BUILD_LOG");
            return cString(value, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The kernel named {@code name} (a {@code __kernel} function) of a built program. */
    public MemorySegment createKernel(MemorySegment program, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment kernel = (MemorySegment) clCreateKernel.invokeExact(program, arena.allocateFrom(name), error);
            check("clCreateKernel", error.get(JAVA_INT, 0), "kernel '" + name + "'");
            return kernel;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A {@code size_t} fact about a kernel on a device, such as {@code CL_KERNEL_WORK_GROUP_SIZE}
     * (the most work items a group of this kernel may have there, which can be less than the
     * device's own maximum when the kernel uses many registers).
     */
    public long getKernelWorkGroupInfoSize(MemorySegment kernel, MemorySegment device, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(SIZE_T);
            check("clGetKernelWorkGroupInfo", (int) clGetKernelWorkGroupInfo.invokeExact(kernel, device, param, SIZE_T.byteSize(),
                    value, MemorySegment.NULL), "parameter 0x" + Integer.toHexString(param));
            return value.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Sets argument {@code index} to the {@code size} bytes at {@code value}; a {@code NULL} value
     * with a nonzero size declares a {@code __local} argument of that many bytes.
     */
    public void setKernelArg(MemorySegment kernel, int index, long size, MemorySegment value) {
        try {
            check("clSetKernelArg", (int) clSetKernelArg.invokeExact(kernel, index, size, value),
                    "argument " + index + " (" + size + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Enqueues the kernel over an N-dimensional range: {@code global} work items in each of 1 to
     * 3 dimensions, in work-groups of {@code local} items (null: the driver chooses).
     */
    public MemorySegment enqueueNDRangeKernel(MemorySegment queue, MemorySegment kernel, long[] global, long[] local,
            List<MemorySegment> waitFor, boolean wantEvent) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = eventOut(arena, wantEvent);
            MemorySegment globalSize = arena.allocateFrom(JAVA_LONG, global);
            MemorySegment localSize = local == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_LONG, local);
            check("clEnqueueNDRangeKernel", (int) clEnqueueNDRangeKernel.invokeExact(queue, kernel, global.length,
                    MemorySegment.NULL, globalSize, localSize, waitFor.size(), handles(arena, waitFor), event),
                    "global size " + Arrays.toString(global) + ", local size "
                            + (local == null ? "chosen by the driver" : Arrays.toString(local)));
            return eventResult(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Releases

    public void releaseMemObject(MemorySegment mem) {
        release("clReleaseMemObject", clReleaseMemObject, mem);
    }

    public void releaseKernel(MemorySegment kernel) {
        release("clReleaseKernel", clReleaseKernel, kernel);
    }

    public void releaseProgram(MemorySegment program) {
        release("clReleaseProgram", clReleaseProgram, program);
    }

    public void releaseCommandQueue(MemorySegment queue) {
        release("clReleaseCommandQueue", clReleaseCommandQueue, queue);
    }

    public void releaseContext(MemorySegment context) {
        release("clReleaseContext", clReleaseContext, context);
    }

    public void releaseEvent(MemorySegment event) {
        release("clReleaseEvent", clReleaseEvent, event);
    }

    private static void release(String call, MethodHandle handle, MemorySegment object) {
        try {
            check(call, (int) handle.invokeExact(object), null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Helpers

    static void check(String call, int code, String detail) {
        if (code != ClConstants.CL_SUCCESS) {
            throw new ClException(call, code, detail);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        // invokeExact declares Throwable; a downcall handle throws nothing checked.
        throw new IllegalStateException("unexpected checked exception from an OpenCL downcall", t);
    }

    private static List<MemorySegment> addresses(MemorySegment array, int n) {
        var out = new ArrayList<MemorySegment>(n);
        for (int i = 0; i < n; i++) {
            out.add(array.getAtIndex(ADDRESS, i));
        }
        return List.copyOf(out);
    }

    private static MemorySegment handles(Arena arena, List<MemorySegment> objects) {
        if (objects.isEmpty()) {
            return MemorySegment.NULL;
        }
        MemorySegment array = arena.allocate(ADDRESS, objects.size());
        for (int i = 0; i < objects.size(); i++) {
            array.setAtIndex(ADDRESS, i, Objects.requireNonNull(objects.get(i), "handle"));
        }
        return array;
    }

    private static MemorySegment eventOut(Arena arena, boolean wantEvent) {
        return wantEvent ? arena.allocate(ADDRESS) : MemorySegment.NULL;
    }

    private static MemorySegment eventResult(MemorySegment out) {
        return out.equals(MemorySegment.NULL) ? MemorySegment.NULL : out.get(ADDRESS, 0);
    }

    /** The text of a {@code char[]} answer of {@code n} bytes, up to its terminating NUL. */
    private static String cString(MemorySegment value, long n) {
        byte[] bytes = value.asSlice(0, n).toArray(JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
