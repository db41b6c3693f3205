package org.rlgrad.examples.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.rlgrad.examples.envs.EnvSpec;
import org.rlgrad.examples.envs.Environments;
import org.rlgrad.examples.training.Algorithms;

/**
 * The arguments of {@code ./rlgrad train}, checked:
 * {@code --algo ALGO --env ENV [--steps N] [--seed S] [--out DIR]} (each also as
 * {@code --flag=value}), or {@code --help}. The algorithm must be one of {@link Algorithms#names()},
 * the environment one of {@link Environments#ids()}, and the algorithm must take the environment's
 * kind of actions; steps are a positive whole number (underscores allowed: {@code 100_000}), the
 * seed any whole number.
 *
 * @param steps null: the trainer's own default ({@code Trainer.defaultFrames()})
 * @param out   null: {@code runs/ALGO-ENV-SEED}
 */
public record TrainOptions(String algorithm, String envId, Long steps, long seed, Path out, boolean help) {

    /** Where the CSV and the plot go. */
    public Path outputDirectory() {
        return out != null ? out : Path.of("runs", algorithm + "-" + envId + "-" + seed);
    }

    /** The options in {@code args}; a {@link UsageException} saying what is wrong otherwise. */
    public static TrainOptions parse(String... args) throws UsageException {
        String algo = null, env = null;
        Long steps = null;
        long seed = 0;
        Path out = null;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) return new TrainOptions(null, null, null, 0, null, true);
            String flag = arg, value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!Set.of("--algo", "--env", "--steps", "--seed", "--out").contains(flag)) {
                throw new UsageException(arg.startsWith("-") ? "unknown option '" + flag + "'" : "unexpected argument '" + arg + "'");
            }
            if (!seen.add(flag)) throw new UsageException(flag + " given twice");
            if (value == null) {
                if (i + 1 >= args.length) throw new UsageException(flag + " needs a value");
                value = args[++i];
            }
            switch (flag) {
                case "--algo" -> algo = value;
                case "--env" -> env = value;
                case "--steps" -> steps = positive(flag, value);
                case "--seed" -> seed = whole(flag, value);
                default -> {
                    if (value.isBlank()) throw new UsageException("--out needs a directory, got an empty one");
                    out = Path.of(value);
                }
            }
        }
        if (algo == null) throw new UsageException("--algo is required");
        if (env == null) throw new UsageException("--env is required");
        if (!Algorithms.names().contains(algo)) throw new UsageException("unknown algorithm '" + algo + "'");
        if (!Environments.ids().contains(env)) throw new UsageException("unknown environment '" + env + "'");
        Algorithms.Algorithm a = Algorithms.get(algo);
        EnvSpec spec = Environments.make(env).spec();
        if (!a.supports(spec)) {
            throw new UsageException(algo + " cannot train on " + env + ": " + env + " has " + (spec.discrete() ? "discrete" : "continuous") + " actions and "
                    + algo + " takes only " + (a.discrete() ? "discrete" : "continuous") + " ones");
        }
        return new TrainOptions(algo, env, steps, seed, out, false);
    }

    private static long whole(String flag, String value) throws UsageException {
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " expects a whole number, got '" + value + "'");
        }
    }

    private static long positive(String flag, String value) throws UsageException {
        long n = whole(flag, value);
        if (n < 1) throw new UsageException(flag + " expects a positive number, got " + value);
        return n;
    }
}
