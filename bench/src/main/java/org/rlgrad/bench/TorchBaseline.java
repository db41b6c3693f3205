package org.rlgrad.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs rlgrad's PyTorch baseline ({@code bench/torch_baseline.py}) in a child process and reads
 * its figures. The environment's {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} are removed
 * for the child (as {@code env -u} does), so that OpenBLAS picks its own kernels for this CPU
 * (../shared/bench/README.md, "OpenBLAS kernels").
 */
final class TorchBaseline {
    static final String INSTALL = "apt-get install -y python3-torch libopenblas0-pthread";

    /** The script's '#' context lines, and per workload name the median, p10 and p90 in ms. */
    record Run(List<String> context, Map<String, double[]> results, String blasLibrary, String blasCore) {
        boolean onOpenBlas() {
            return blasLibrary != null && blasLibrary.toLowerCase().contains("openblas");
        }
    }

    private final String python;
    private final Path script;

    TorchBaseline(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** Null when PyTorch can be imported, else why not. */
    String unavailable() {
        if (!Files.isRegularFile(script)) return "the baseline script " + script + " is missing";
        try {
            Process p = process(List.of(python, "-c", "import torch, numpy"));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return python + " did not import torch within 120 s";
            }
            if (p.exitValue() != 0) {
                String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
                return python + " cannot import torch and numpy (" + last + ")";
            }
            return null;
        } catch (IOException e) {
            return "cannot run " + python + " (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Times {@code names} at {@code threads} threads; also writes the script's JSON to {@code json}. */
    Run run(List<String> names, int threads, Path json) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, script.toString(), "--threads", Integer.toString(threads),
                "--only", String.join(",", names), "--json", json.toString()));
        Process p = process(command);
        List<String> context = new ArrayList<>();
        Map<String, double[]> results = new LinkedHashMap<>();
        String library = null, core = null;
        List<String> other = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#")) {
                    context.add(line);
                    if (line.startsWith("# blas:")) {
                        library = field(line, "library");
                        core = field(line, "core");
                    }
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length == 5 && !f[0].equals("name")) {
                    try {
                        results.put(f[0], new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])});
                        continue;
                    } catch (NumberFormatException e) {
                        // not a result line; kept below
                    }
                }
                if (!line.startsWith("name ")) other.add(line);
            }
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new IOException("the PyTorch baseline exited with status " + code + ": " + String.join("\n", other));
        }
        return new Run(context, results, library, core);
    }

    private static String field(String line, String key) {
        int i = line.indexOf(key + "=");
        if (i < 0) return null;
        int end = line.indexOf(' ', i);
        return line.substring(i + key.length() + 1, end < 0 ? line.length() : end);
    }

    private static Process process(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        return pb.start();
    }
}
