package org.rlgrad.examples;

import java.util.Arrays;

/**
 * The command-line entry point behind {@code ./rlgrad}: the first argument names a command, the
 * rest go to it unchanged. The launcher itself handles {@code test}, which is a Maven run, and
 * {@code conformance}, which starts the testsuite's {@code ConformanceMain}.
 */
public final class Main {
    private static final String USAGE = """
            usage: Main <command> [args]
              demo [--dot FILE] [--steps N]     run the autograd demo
              bench [--full] [--only REGEX]     run the benchmarks (through ./rlgrad, which puts the bench
                                                module on the class path)
              help                              print this text
            """;

    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.print(USAGE);
            System.exit(1);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "demo" -> AutogradDemo.main(rest);
            case "bench" -> bench(rest);
            case "help", "-h", "--help" -> System.out.print(USAGE);
            default -> {
                System.err.println("unknown command: " + args[0]);
                System.err.print(USAGE);
                System.exit(1);
            }
        }
    }

    /**
     * The benchmarks live in the bench module (JMH), which the examples module does not depend on:
     * {@code ./rlgrad bench} starts {@code org.rlgrad.bench.BenchMain} on the bench class path. Here
     * it runs only when that class path is the one in use.
     */
    private static void bench(String[] args) {
        try {
            Class.forName("org.rlgrad.bench.BenchMain").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (ClassNotFoundException e) {
            System.err.println("bench: the bench module is not on this class path; run ./rlgrad bench [--full] [--only REGEX]");
            System.exit(1);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("bench: could not start org.rlgrad.bench.BenchMain", e.getCause() != null ? e.getCause() : e);
        }
    }
}
