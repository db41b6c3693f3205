package org.rlgrad.examples;

import java.util.Arrays;

import org.rlgrad.examples.cli.TrainCommand;

/**
 * The command-line entry point behind {@code ./rlgrad}: the first argument names a command, the
 * rest go to it unchanged. The launcher itself handles {@code test}, which is a Maven run, and
 * {@code conformance}, which starts the testsuite's {@code ConformanceMain}.
 */
public final class Main {
    static final String USAGE = """
            usage: Main <command> [args]
              train --algo ALGO --env ENV [--steps N] [--seed S] [--out DIR]
                                                train an agent, with a progress bar; writes DIR/curve.csv and
                                                DIR/curve.png (train --help lists the algorithms and environments)
              demo [--steps N] [--seed S] [--out DIR]
                                                train PPO on CartPole-v1 (under a minute), print its score and plot
              autograd-demo [--dot FILE] [--steps N]
                                                the autograd walk-through: gradients by hand and by autograd,
                                                the recorded graph, a small network fitted to sin(x)
              bench [--full] [--only REGEX]     run the benchmarks (through ./rlgrad, which puts the bench
                                                module on the class path)
              help                              print this text
            """;

    private Main() {}

    public static void main(String[] args) {
        // The learning-curve plot is drawn into an image, never on a display.
        System.setProperty("java.awt.headless", "true");
        if (args.length == 0) {
            System.err.print(USAGE);
            System.exit(1);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "train" -> exit(TrainCommand.train(rest));
            case "demo" -> exit(TrainCommand.demo(rest));
            case "autograd-demo" -> AutogradDemo.main(rest);
            case "bench" -> bench(rest);
            case "help", "-h", "--help" -> System.out.print(USAGE);
            default -> {
                System.err.println("unknown command: " + args[0]);
                System.err.print(USAGE);
                System.exit(1);
            }
        }
    }

    private static void exit(int status) {
        if (status != 0) System.exit(status);
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
