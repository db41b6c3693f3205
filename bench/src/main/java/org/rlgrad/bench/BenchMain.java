package org.rlgrad.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;
import org.rlgrad.engine.backend.CpuTuning;
import org.rlgrad.engine.backend.opencl.OpenClDevices;

/**
 * {@code ./rlgrad bench [--full] [--only REGEX]}: runs the JMH suite at 1 and 2 threads, runs the
 * PyTorch baseline at the same thread counts, and prints one table of both with the targets,
 * then the allocation and memory checks of {@code mlp_step}, ending with
 * {@code bench: N of M workloads at or under target}. Without PyTorch (or with PyTorch on a BLAS
 * other than OpenBLAS) it says how to install them and prints rlgrad's figures alone.
 *
 * <p>Thread counts pin every pool: each JMH fork gets {@code -Drlgrad.threads=N} (which every
 * benchmark's setup also passes to {@link CpuTuning#setThreads}) and
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=N}; the baseline calls
 * {@code torch.set_num_threads(N)} and {@code openblas_set_num_threads(N)}.
 */
public final class BenchMain {
    private static final String USAGE = """
            usage: ./rlgrad bench [--full] [--only REGEX] [--threads 1,2] [--no-torch] [--python PATH]
                                  [--memory-steps N] [--out DIR] [--verbose]
              --full            longer JMH settings (2 forks, 5 x 1 s warm-up, 10 x 1 s measurement; default:
                                1 fork, 3 x 0.5 s warm-up, 5 x 0.5 s measurement) and the memory check
                                over 100,000 mlp_step calls (default 3,000)
              --only REGEX      run the workloads whose name matches REGEX (e.g. 'matmul|mlp_step')
              --threads LIST    thread counts, comma-separated (default 1,2)
              --no-torch        skip the PyTorch baseline
              --python PATH     the Python with torch 1.13 (default /usr/bin/python3)
              --memory-steps N  mlp_step calls of the memory check (0 skips it)
              --out DIR         where results are written (default .rlgrad/bench under the checkout)
              --verbose         show JMH's own output
            """;

    /** The harness's own cost per call (consuming two inputs): the floor under the add figures. */
    private static final Workload HARNESS = new Workload("harness_floor", AddBench.class, "baseline", "1", Double.NaN, "-");

    private BenchMain() {}

    /** Command-line settings. */
    private static final class Settings {
        boolean full;
        Pattern only;
        List<Integer> threads = List.of(1, 2);
        boolean torch = true;
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        long memorySteps = -1;
        Path root = Path.of(System.getProperty("rlgrad.root", "."));
        Path out;
        boolean verbose;

        int forks() { return full ? 2 : 1; }
        int warmupIterations() { return full ? 5 : 3; }
        int measurementIterations() { return full ? 10 : 5; }
        TimeValue iterationTime() { return full ? TimeValue.seconds(1) : TimeValue.milliseconds(500); }
        long memorySteps() { return memorySteps >= 0 ? memorySteps : full ? 100_000 : 3_000; }
    }

    /** One measured row: medians and spreads in ms per call. */
    record Row(Workload workload, int threads, double[] rlgrad, double[] torch) {
        double ratio() {
            return rlgrad == null || torch == null ? Double.NaN : rlgrad[0] / torch[0];
        }

        /** True, false, or null when there is no target or nothing to compare. */
        Boolean ok() {
            if (!workload.hasTarget() || Double.isNaN(ratio())) return null;
            return ratio() <= workload.maxRatio();
        }
    }

    public static void main(String[] args) throws Exception {
        Settings s = parse(args);
        if (s == null) return;
        List<Workload> workloads = new ArrayList<>();
        for (Workload w : Workload.all()) {
            if (s.only == null || s.only.matcher(w.name()).find()) workloads.add(w);
        }
        if (workloads.isEmpty()) {
            System.err.println("bench: no workload matches --only " + s.only + "; the workloads are:");
            for (Workload w : Workload.all()) System.err.println("  " + w.name());
            System.exit(1);
        }
        OpenClDevices openCl = OpenClDevices.system();
        if (!openCl.isAvailable() && workloads.removeIf(w -> w.bench() == OpenClBench.class)) {
            System.out.println("# OpenCL workloads skipped: " + openCl.describe());
        }
        if (workloads.isEmpty()) System.exit(1);
        Path out = s.out != null ? s.out : s.root.resolve(".rlgrad").resolve("bench");
        Files.createDirectories(out);
        PrintStream o = System.out;

        o.printf(Locale.ROOT, "# rlgrad bench (%s): JMH %d fork(s), warm-up %d x %s, measurement %d x %s; median of the iteration samples%n",
                s.full ? "full" : "short", s.forks(), s.warmupIterations(), s.iterationTime(), s.measurementIterations(), s.iterationTime());
        o.printf(Locale.ROOT, "# machine: %s; %d cores; java %s (%s); load average %s%n", Machine.cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                Machine.loadAverage());
        double load = Machine.loadAverage1();
        if (load > 0.5 * Runtime.getRuntime().availableProcessors()) {
            o.printf(Locale.ROOT, "# warning: load average %.2f on %d cores: other work competes for the cores and skews both sides "
                    + "(PyTorch's OpenMP threads at 2 threads most)%n", load, Runtime.getRuntime().availableProcessors());
        }
        double peak = CpuTuning.measureFmaPeakGflops();
        o.printf(Locale.ROOT, "# single-core FMA peak (float32, measured by CpuTuning.measureFmaPeakGflops): %.1f GFLOP/s%n", peak);

        TorchBaseline torch = new TorchBaseline(s.python, s.root.resolve("bench").resolve("torch_baseline.py"));
        String torchMissing = s.torch ? torch.unavailable() : "skipped (--no-torch)";
        if (torchMissing != null && s.torch) {
            o.println("# PyTorch baseline: " + torchMissing);
            o.println("#   install it with: " + TorchBaseline.INSTALL + "   (then rerun ./rlgrad bench)");
            o.println("#   printing rlgrad's figures alone");
        }
        o.flush();

        // Each group of workloads (one benchmark method) runs under JMH and then, right after, in the
        // baseline, so that the two figures of a row are taken minutes apart at most on a shared machine.
        Map<String, List<Workload>> groups = new LinkedHashMap<>();
        for (Workload w : workloads) groups.computeIfAbsent(w.benchmark(), k -> new ArrayList<>()).add(w);
        List<Row> rows = new ArrayList<>();
        boolean contextShown = false;
        for (int threads : s.threads) {
            for (List<Workload> group : groups.values()) {
                Map<String, double[]> mine = runJmh(s, group, threads);
                Map<String, double[]> theirs = Map.of();
                if (torchMissing == null) {
                    List<String> names = group.stream().map(Workload::peer).distinct().toList();
                    System.err.printf(Locale.ROOT, "bench: PyTorch %s, %d thread(s) ...%n", String.join(", ", names), threads);
                    TorchBaseline.Run run;
                    try {
                        run = torch.run(names, threads, out.resolve("torch_" + group.get(0).method() + "_t" + threads + ".json"));
                    } catch (IOException e) {
                        // Minutes of JMH figures are worth keeping: go on without the baseline.
                        torchMissing = "the PyTorch baseline failed (" + e.getMessage() + ")";
                        o.println("# PyTorch baseline: " + torchMissing + "; printing rlgrad's figures alone");
                        for (Workload w : group) rows.add(new Row(w, threads, mine.get(w.name()), null));
                        continue;
                    }
                    if (!contextShown) {
                        run.context().forEach(o::println);
                        contextShown = true;
                    }
                    if (!run.onOpenBlas()) {
                        torchMissing = "PyTorch runs on " + run.blasLibrary() + ", not OpenBLAS (a comparison against it does not count)";
                        o.println("# PyTorch baseline: " + torchMissing);
                        o.println("#   install OpenBLAS with: " + TorchBaseline.INSTALL + "   (then rerun ./rlgrad bench)");
                        o.println("#   printing rlgrad's figures alone");
                    } else {
                        theirs = run.results();
                    }
                }
                for (Workload w : group) rows.add(new Row(w, threads, mine.get(w.name()), theirs.get(w.peer())));
            }
        }

        Double bytesPerOp = null;
        MemoryCheck.Result memory = null;
        boolean mlp = workloads.stream().anyMatch(w -> w.name().equals("mlp_step"));
        if (mlp) {
            System.err.println("bench: mlp_step allocation (JMH gc profiler, 1 thread) ...");
            bytesPerOp = allocation(s);
            if (s.memorySteps() > 0) {
                System.err.printf(Locale.ROOT, "bench: mlp_step memory over %,d steps ...%n", s.memorySteps());
                memory = MemoryCheck.run(s.memorySteps(), 10);
            }
        }

        Double harness = null;
        if (workloads.stream().anyMatch(w -> w.bench() == AddBench.class)) {
            System.err.println("bench: harness floor (AddBench.baseline, 1 thread) ...");
            harness = runJmh(s, List.of(HARNESS), 1).get(HARNESS.name())[0];
        }

        o.printf(Locale.ROOT, "# load average at the end: %s%n", Machine.loadAverage());
        String report = report(rows, peak, rows.stream().anyMatch(r -> r.torch() != null), bytesPerOp, memory, harness);
        o.print(report);
        Files.writeString(out.resolve("latest.txt"), report, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("latest.csv"), csv(rows), StandardCharsets.UTF_8);
        o.flush();
    }

    /** Runs the selected workloads under JMH at one thread count; median, p10, p90 in ms by workload name. */
    private static Map<String, double[]> runJmh(Settings s, List<Workload> workloads, int threads) throws RunnerException {
        // One JMH run per benchmark method, restricted to the selected values of its parameter.
        Map<String, List<Workload>> byMethod = new LinkedHashMap<>();
        for (Workload w : workloads) byMethod.computeIfAbsent(w.benchmark(), k -> new ArrayList<>()).add(w);
        Map<String, double[]> result = new LinkedHashMap<>();
        for (List<Workload> group : byMethod.values()) {
            Workload first = group.get(0);
            System.err.printf(Locale.ROOT, "bench: rlgrad %s, %d thread(s) ...%n",
                    String.join(", ", group.stream().map(Workload::name).toList()), threads);
            ChainedOptionsBuilder b = options(s, first, threads);
            if (first.n() != null) b.param("n", group.stream().map(Workload::n).toArray(String[]::new));
            Collection<RunResult> runs = runLocked(s, b);
            for (RunResult r : runs) {
                String n = r.getParams().getParam("n");
                for (Workload w : group) {
                    if (w.n() == null || w.n().equals(n)) {
                        Statistics st = r.getPrimaryResult().getStatistics();
                        result.put(w.name(), new double[] {st.getPercentile(50), st.getPercentile(10), st.getPercentile(90)});
                    }
                }
            }
        }
        return result;
    }

    private static ChainedOptionsBuilder options(Settings s, Workload w, int threads) {
        return new OptionsBuilder()
                .include("^" + Pattern.quote(w.benchmark()) + "$")
                .forks(s.forks())
                .warmupIterations(s.warmupIterations())
                .warmupTime(s.iterationTime())
                .measurementIterations(s.measurementIterations())
                .measurementTime(s.iterationTime())
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(s.verbose ? VerboseMode.NORMAL : VerboseMode.SILENT)
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow", // JMH 1.37 uses sun.misc.Unsafe, which JDK 24+ warns about
                        "-Drlgrad.threads=" + threads,
                        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + threads);
    }

    /**
     * Runs JMH; while another JMH run on this machine holds JMH's lock (two benchmarks at once
     * would skew each other), waits for it, up to half an hour.
     */
    private static Collection<RunResult> runLocked(Settings s, ChainedOptionsBuilder b) throws RunnerException {
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        boolean told = false;
        while (true) {
            try {
                return runner(s, b).run();
            } catch (RunnerException e) {
                String message = String.valueOf(e.getMessage());
                if (!message.contains("Unable to acquire the JMH lock") || System.nanoTime() > deadline) throw e;
                if (!told) {
                    System.err.println("bench: another JMH run on this machine holds JMH's lock; waiting for it to finish ...");
                    told = true;
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * A JMH runner whose output (the forks' own output included) goes to stderr, without the JVM's
     * one-line notice about the incubating Vector API that every fork prints.
     */
    private static Runner runner(Settings s, ChainedOptionsBuilder b) {
        PrintStream filtered = new PrintStream(new LineFilter(System.err, "WARNING: Using incubator modules"), true, StandardCharsets.UTF_8);
        return new Runner(b.build(), OutputFormatFactory.createFormatInstance(filtered, s.verbose ? VerboseMode.NORMAL : VerboseMode.SILENT));
    }

    /** Passes whole lines to {@code out} except those that start with {@code drop}. */
    private static final class LineFilter extends java.io.OutputStream {
        private final PrintStream out;
        private final String drop;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineFilter(PrintStream out, String drop) {
            this.out = out;
            this.drop = drop;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') flushLine();
        }

        @Override
        public void flush() {
            out.flush();
        }

        private void flushLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.startsWith(drop)) out.print(text);
        }
    }

    /**
     * mlp_step's gc.alloc.rate.norm (bytes per call) at one thread. The warm-up is at least
     * 5 x 1 s whatever the mode: until C2 has compiled the Vector API kernels, every vector
     * operation allocates a box, and on a loaded machine a short warm-up measured 6.6 MB per step
     * where the steady state allocates 4.1 MB.
     */
    private static double allocation(Settings s) throws RunnerException {
        Workload w = Workload.all().stream().filter(x -> x.name().equals("mlp_step")).findFirst().orElseThrow();
        ChainedOptionsBuilder b = options(s, w, 1).addProfiler(GCProfiler.class)
                .warmupIterations(Math.max(5, s.warmupIterations()))
                .warmupTime(TimeValue.seconds(1));
        for (RunResult r : runLocked(s, b)) {
            Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (norm != null) return norm.getScore();
        }
        throw new IllegalStateException("the gc profiler reported no gc.alloc.rate.norm for mlp_step");
    }

    /** The table, the matmul efficiency, the checks and the summary line. */
    static String report(List<Row> rows, double peak, boolean compared, Double bytesPerOp, MemoryCheck.Result memory, Double harness) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%-22s %7s %10s %10s %7s %8s %4s%n", "workload", "threads", "rlgrad_ms", "torch_ms", "ratio", "target", "ok"));
        int met = 0, counted = 0;
        for (Row r : rows) {
            Boolean ok = r.ok();
            sb.append(String.format(Locale.ROOT, "%-22s %7d %10s %10s %7s %8s %4s%n", r.workload().name(), r.threads(),
                    ms(r.rlgrad()), ms(r.torch()), Double.isNaN(r.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()),
                    r.workload().target(), ok == null ? "-" : ok ? "yes" : "NO"));
            if (r.workload().hasTarget()) {
                counted++;
                if (Boolean.TRUE.equals(ok)) met++;
            }
        }
        List<Row> matmul = rows.stream().filter(r -> r.workload().flops() > 0 && r.rlgrad() != null).toList();
        if (!matmul.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nmatmul GFLOP/s (2 n^3 flops per call; peak = %.1f GFLOP/s per core x threads)%n", peak));
            sb.append(String.format(Locale.ROOT, "%-22s %7s %13s %12s %13s%n", "workload", "threads", "rlgrad_gflops", "torch_gflops", "rlgrad_%peak"));
            for (Row r : matmul) {
                double mine = r.workload().flops() / (r.rlgrad()[0] * 1e6);
                String theirs = r.torch() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.workload().flops() / (r.torch()[0] * 1e6));
                sb.append(String.format(Locale.ROOT, "%-22s %7d %13.1f %12s %12.1f%%%n", r.workload().name(), r.threads(), mine, theirs,
                        100 * mine / (peak * r.threads())));
            }
        }
        sb.append(System.lineSeparator());
        if (harness != null) {
            sb.append(String.format(Locale.ROOT, "JMH harness floor (AddBench.baseline: consume two inputs): %.3g ms per call%n", harness));
        }
        if (bytesPerOp != null) {
            long reference = MlpStepBench.outputAndGradientBytes();
            double ratio = bytesPerOp / reference;
            boolean ok = ratio <= 2.0;
            sb.append(String.format(Locale.ROOT, "mlp_step allocation: %,.0f bytes/step (gc.alloc.rate.norm) = %.2fx the %,d bytes of its outputs "
                    + "and gradients; target <= 2.00x: %s%n", bytesPerOp, ratio, reference, ok ? "yes" : "NO"));
            counted++;
            if (ok) met++;
        }
        if (memory != null) {
            StringBuilder heap = new StringBuilder();
            for (long h : memory.heapAfterGc()) heap.append(heap.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.1f", h / 1048576.0));
            sb.append(String.format(Locale.ROOT, "mlp_step memory over %,d steps: heap after GC at 10 checkpoints [MiB] %s; spread %.2f MiB "
                    + "(flat: <= %.0f MiB): %s%n", memory.steps(), heap, memory.spread() / 1048576.0,
                    MemoryCheck.TOLERANCE_BYTES / 1048576.0, memory.flat() ? "yes" : "NO"));
            counted++;
            if (memory.flat()) met++;
        }
        if (!compared) sb.append("bench: no PyTorch baseline to compare with; install it with: " + TorchBaseline.INSTALL + System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "bench: %d of %d workloads at or under target%n", met, counted));
        return sb.toString();
    }

    /** Every figure of the table with its spread (p10, p90), for the record. */
    private static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("workload,threads,rlgrad_ms,rlgrad_p10_ms,rlgrad_p90_ms,torch_ms,torch_p10_ms,torch_p90_ms,ratio,max_ratio\n");
        for (Row r : rows) {
            sb.append(r.workload().name()).append(',').append(r.threads());
            for (double[] v : new double[][] {r.rlgrad(), r.torch()}) {
                for (int i = 0; i < 3; i++) sb.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6g", v[i]));
            }
            sb.append(',').append(Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.4f", r.ratio()));
            sb.append(',').append(r.workload().hasTarget() ? String.format(Locale.ROOT, "%.4f", r.workload().maxRatio()) : "").append('\n');
        }
        return sb.toString();
    }

    private static String ms(double[] v) {
        if (v == null) return "-";
        double x = v[0];
        return x >= 100 ? String.format(Locale.ROOT, "%.1f", x) : x >= 1 ? String.format(Locale.ROOT, "%.3f", x)
                : String.format(Locale.ROOT, "%.3g", x);
    }

    private static Settings parse(String[] args) {
        Settings s = new Settings();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--full" -> s.full = true;
                case "--only" -> s.only = Pattern.compile(value(args, ++i, a));
                case "--threads" -> {
                    List<Integer> t = new ArrayList<>();
                    for (String x : value(args, ++i, a).split(",")) t.add(Integer.parseInt(x.trim()));
                    s.threads = t;
                }
                case "--no-torch" -> s.torch = false;
                case "--python" -> s.python = value(args, ++i, a);
                case "--memory-steps" -> s.memorySteps = Long.parseLong(value(args, ++i, a));
                case "--root" -> s.root = Path.of(value(args, ++i, a));
                case "--out" -> s.out = Path.of(value(args, ++i, a));
                case "--verbose" -> s.verbose = true;
                case "-h", "--help", "help" -> {
                    System.out.print(USAGE);
                    return null;
                }
                default -> {
                    System.err.println("bench: unknown argument '" + a + "'");
                    System.err.print(USAGE);
                    System.exit(1);
                }
            }
        }
        return s;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("bench: " + option + " needs a value");
            System.err.print(USAGE);
            System.exit(1);
        }
        return args[i];
    }

    /** What the machine is, for the report. */
    static final class Machine {
        private Machine() {}

        static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: fall through
            }
            return System.getProperty("os.arch");
        }

        /** The 1-minute load average, or 0 when unknown. */
        static double loadAverage1() {
            try {
                return Double.parseDouble(loadAverage().split(" ")[0]);
            } catch (RuntimeException e) {
                return 0;
            }
        }

        /** The 1, 5 and 15 minute load averages (other work on the machine skews every figure). */
        static String loadAverage() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }
    }
}
