package org.rlgrad.examples.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.rlgrad.examples.envs.ActionSpace;
import org.rlgrad.examples.envs.EnvSpec;
import org.rlgrad.examples.envs.Environments;
import org.rlgrad.examples.training.Algorithms;
import org.rlgrad.examples.training.LearningCurve;
import org.rlgrad.examples.training.ProgressListener;
import org.rlgrad.examples.training.Trainer;

/**
 * {@code ./rlgrad train} and {@code ./rlgrad demo}: trains an agent with a progress bar, evaluates
 * it, and writes {@code curve.csv} and {@code curve.png} into the output directory.
 *
 * <p>Exit status: 0 after a run (or {@code --help}), {@link #USAGE_ERROR} when the arguments are
 * not runnable, with the reason and the usage text (which lists the algorithms and environments)
 * on standard error.
 */
public final class TrainCommand {
    /** The exit status of arguments that cannot run. */
    public static final int USAGE_ERROR = 2;
    /** Deterministic episodes of the final evaluation. */
    public static final int EVALUATION_EPISODES = 10;
    /** The demo: PPO on CartPole-v1, seed 0, PPO's default steps. */
    public static final String DEMO_ALGORITHM = "ppo", DEMO_ENVIRONMENT = "CartPole-v1";

    private TrainCommand() {}

    /** {@code ./rlgrad train ARGS} on standard output and error, with a progress bar fit for where standard output goes. */
    public static int train(String... args) {
        return run(args, System.out, System.err, null);
    }

    /** {@code ./rlgrad demo [--steps N] [--seed S] [--out DIR]}: {@code train --algo ppo --env CartPole-v1} with those. */
    public static int demo(String... args) {
        return demo(args, System.out, System.err, null);
    }

    /** {@link #demo(String...)} writing to {@code out} and {@code err}, as {@link #run}. */
    public static int demo(String[] args, PrintStream out, PrintStream err, ProgressListener progress) {
        for (String a : args) {
            if (a.equals("--algo") || a.startsWith("--algo=") || a.equals("--env") || a.startsWith("--env=")) {
                err.println("demo: trains " + DEMO_ALGORITHM + " on " + DEMO_ENVIRONMENT + "; for another algorithm or environment use train\n");
                err.print(usage());
                return USAGE_ERROR;
            }
        }
        List<String> all = new ArrayList<>(List.of("--algo", DEMO_ALGORITHM, "--env", DEMO_ENVIRONMENT));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new), out, err, progress);
    }

    /**
     * Parses {@code args}, trains, evaluates and writes the outputs. {@code progress} null: a
     * {@link ProgressBar} on {@code out} (redrawn in place when {@code System.console()} is there).
     */
    public static int run(String[] args, PrintStream out, PrintStream err, ProgressListener progress) {
        TrainOptions options;
        try {
            options = TrainOptions.parse(args);
        } catch (UsageException e) {
            err.println("train: " + e.getMessage() + "\n");
            err.print(usage());
            return USAGE_ERROR;
        }
        if (options.help()) {
            out.print(usage());
            return 0;
        }
        Trainer trainer = Algorithms.create(options.algorithm(), options.envId(), options.seed());
        long steps = options.steps() != null ? options.steps() : trainer.defaultFrames();
        Path dir = options.outputDirectory();
        out.printf(Locale.ROOT, "%s on %s: %,d steps, seed %d%n", options.algorithm(), options.envId(), steps, options.seed());

        long start = System.nanoTime();
        LearningCurve curve = trainer.train(steps, progress != null ? progress : new ProgressBar(out, System.console() != null, 5.0));
        double seconds = (System.nanoTime() - start) * 1e-9;
        double score = trainer.evaluate(EVALUATION_EPISODES, options.seed() + 1);

        Path csv = dir.resolve("curve.csv"), png = dir.resolve("curve.png");
        LearningCurveCsv.write(curve, csv);
        LearningCurvePlot.write(curve, steps, title(options.algorithm(), options.envId()), png);
        List<LearningCurve.Point> points = curve.points();
        long frames = points.isEmpty() ? steps : Math.max(steps, points.getLast().frames());
        out.printf(Locale.ROOT, "trained in %.1f s (%,.0f steps/s), %d episodes%n", seconds, frames / seconds, points.size());
        out.printf(Locale.ROOT, "final score: %.1f (mean return of %d deterministic evaluation episodes)%n", score, EVALUATION_EPISODES);
        out.println("learning curve: " + csv);
        out.println("plot: " + png);
        return 0;
    }

    /** The plot's title: {@code PPO on CartPole-v1}. */
    public static String title(String algorithm, String envId) {
        return algorithm.toUpperCase(Locale.ROOT) + " on " + envId;
    }

    /** The usage text, with the algorithms and the environments there are. */
    public static String usage() {
        StringBuilder s = new StringBuilder();
        s.append("""
                usage: ./rlgrad train --algo ALGO --env ENV [--steps N] [--seed S] [--out DIR]
                       ./rlgrad demo [--steps N] [--seed S] [--out DIR]     (PPO on CartPole-v1)

                  --algo ALGO   the algorithm, one of the list below
                  --env ENV     the environment (Gymnasium id), one of the list below
                  --steps N     environment steps to train for (default: enough for the algorithm to learn)
                  --seed S      seeds the networks, the exploration and the environments (default 0)
                  --out DIR     where curve.csv and curve.png go (default runs/ALGO-ENV-SEED)

                """);
        s.append("algorithms:\n");
        for (String name : Algorithms.names()) {
            Algorithms.Algorithm a = Algorithms.get(name);
            String kinds = a.discrete() && a.continuous() ? "discrete and continuous actions" : a.discrete() ? "discrete actions" : "continuous actions";
            s.append(String.format(Locale.ROOT, "  %-14s %s%n", name, kinds));
        }
        s.append("environments:\n");
        for (String id : Environments.ids()) {
            EnvSpec spec = Environments.make(id).spec();
            String kind = spec.actionSpace() instanceof ActionSpace.Discrete d ? "discrete, " + d.n() + " actions"
                    : "continuous, " + spec.actionSpace().dim() + (spec.actionSpace().dim() == 1 ? " dim" : " dims");
            s.append(String.format(Locale.ROOT, "  %-28s %s%n", id, kind));
        }
        return s.toString();
    }
}
