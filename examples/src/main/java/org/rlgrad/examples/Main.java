package org.rlgrad.examples;

import java.util.Arrays;

import org.rlgrad.testsuite.conformance.ConformanceMain;

/**
 * The command-line entry point behind {@code ./rlgrad}: the first argument names a command, the
 * rest go to it unchanged. The launcher itself handles {@code test}, which is a Maven run.
 */
public final class Main {
    private static final String USAGE = """
            usage: Main <command> [args]
              demo [--dot FILE] [--steps N]     run the autograd demo
              conformance DIR [--filter REGEX]  check rlgrad against the reference vectors in DIR
              bench                             run the benchmarks (not built yet)
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
            case "conformance" -> ConformanceMain.main(rest);
            case "demo" -> AutogradDemo.main(rest);
            case "bench" -> notBuiltYet("bench: not built yet: the JMH benchmarks arrive with issue 3");
            case "help", "-h", "--help" -> System.out.print(USAGE);
            default -> {
                System.err.println("unknown command: " + args[0]);
                System.err.print(USAGE);
                System.exit(1);
            }
        }
    }

    private static void notBuiltYet(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
