package org.rlgrad.testsuite.conformance;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.rlgrad.engine.io.Json;

/**
 * Runs every case of every known vectors file in a folder and reports, per family,
 * {@code <family>: N passed, M failed} followed by up to {@value #MAX_LISTED_FAILURES} failed ids
 * with their reasons (indented), then {@code conformance: N passed, M failed}.
 *
 * <p>All files are read and checked before any case runs, so a malformed file stops the run with
 * an error that names it instead of a partial report. A missing file is skipped; a folder with
 * none of them is an error. A case that throws fails with the exception as its reason: one broken
 * op never stops the run.
 */
public final class ConformanceRunner {
    /** How many failures a family's report lists; the rest are counted. */
    public static final int MAX_LISTED_FAILURES = 20;

    /** Only this version of the vector files' schema is understood. */
    private static final long SUPPORTED_VERSION = 1;

    private final List<Family> families;

    public ConformanceRunner() {
        this(Families.all());
    }

    public ConformanceRunner(List<Family> families) {
        this.families = List.copyOf(families);
    }

    /** A vectors file that was read and checked: its header (every field but {@code cases}) and its cases. */
    private record Loaded(Family family, Path path, Map<String, Object> header, List<Map<String, Object>> cases) {}

    /**
     * Runs the cases of {@code dir} whose id matches {@code filter} (searched anywhere in the id, as
     * {@link java.util.regex.Matcher#find()}; null runs all) and prints the report to {@code out}.
     *
     * @throws ConformanceException when {@code dir} holds none of the known files, or one of them
     *                              cannot be read or does not follow its schema (the message names it)
     */
    public Summary run(Path dir, Pattern filter, PrintStream out) throws ConformanceException {
        if (!Files.isDirectory(dir)) throw new ConformanceException(dir + ": not a directory");
        List<Loaded> loaded = new ArrayList<>();
        for (Family family : families) {
            Path path = dir.resolve(family.fileName());
            if (Files.exists(path)) loaded.add(load(family, path));
        }
        if (loaded.isEmpty()) {
            List<String> names = families.stream().map(Family::fileName).toList();
            throw new ConformanceException(dir + ": no vectors files here (looked for " + String.join(", ", names) + ")");
        }
        List<Summary.FamilyResult> results = new ArrayList<>();
        for (Loaded file : loaded) {
            Summary.FamilyResult result = runFamily(file, filter);
            results.add(result);
            report(result, out);
        }
        Summary summary = new Summary(results);
        out.println("conformance: " + summary.passed() + " passed, " + summary.failed() + " failed");
        out.flush();
        return summary;
    }

    private static Summary.FamilyResult runFamily(Loaded file, Pattern filter) {
        int passed = 0;
        List<Summary.Failure> failures = new ArrayList<>();
        for (Map<String, Object> testCase : file.cases()) {
            String id = (String) testCase.get("id");
            if (filter != null && !filter.matcher(id).find()) continue;
            Optional<String> failure = runCase(file, testCase);
            if (failure.isEmpty()) passed++;
            else failures.add(new Summary.Failure(id, failure.get()));
        }
        return new Summary.FamilyResult(file.family().name(), passed, failures);
    }

    private static Optional<String> runCase(Loaded file, Map<String, Object> testCase) {
        try {
            return file.family().run(file.header(), testCase);
        } catch (MalformedCaseException e) {
            return Optional.of("malformed case: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            return Optional.of(describe(e));
        }
    }

    /** "ExceptionClass: message (at File.java:line)", the frame being the first one inside rlgrad. */
    static String describe(Throwable e) {
        String type = e.getClass().getSimpleName().isEmpty() ? e.getClass().getName() : e.getClass().getSimpleName();
        StringBuilder sb = new StringBuilder(type);
        if (e.getMessage() != null) sb.append(": ").append(e.getMessage());
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("org.rlgrad.")) {
                sb.append(" (at ").append(frame.getFileName()).append(':').append(frame.getLineNumber()).append(')');
                break;
            }
        }
        return sb.toString();
    }

    private static void report(Summary.FamilyResult result, PrintStream out) {
        out.println(result.name() + ": " + result.passed() + " passed, " + result.failed() + " failed");
        List<Summary.Failure> failures = result.failures();
        for (int i = 0; i < Math.min(failures.size(), MAX_LISTED_FAILURES); i++) {
            Summary.Failure f = failures.get(i);
            out.println("  " + f.id() + ": " + f.reason().replace("\r", "").replace("\n", " / "));
        }
        if (failures.size() > MAX_LISTED_FAILURES) out.println("  ... and " + (failures.size() - MAX_LISTED_FAILURES) + " more");
        out.flush();
    }

    /** Reads, parses and checks one file; every problem becomes an exception that names the file. */
    private static Loaded load(Family family, Path path) throws ConformanceException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
        } catch (CharacterCodingException e) {
            throw new ConformanceException(path + ": not valid UTF-8 (" + e + ")", e);
        } catch (IOException e) {
            throw new ConformanceException(path + ": cannot be read: " + e, e);
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new ConformanceException(path + ": malformed JSON at " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top)) throw new ConformanceException(path + ": expected a JSON object at the top, got " + JsonValues.describe(root));
        Object format = top.get("format");
        if (!family.format().equals(format)) {
            throw new ConformanceException(path + ": \"format\" is " + JsonValues.describe(format) + ", expected \"" + family.format() + "\"");
        }
        Object version = top.get("version");
        if (version != null && !(version instanceof Long v && v == SUPPORTED_VERSION)) {
            throw new ConformanceException(path + ": \"version\" is " + JsonValues.describe(version) + "; this runner reads version " + SUPPORTED_VERSION);
        }
        if (!(top.get("cases") instanceof List<?> rawCases)) {
            throw new ConformanceException(path + ": \"cases\" is " + JsonValues.describe(top.get("cases")) + ", expected a list of cases");
        }
        Map<String, Object> header = new LinkedHashMap<>();
        top.forEach((k, v) -> {
            if (!"cases".equals(k)) header.put((String) k, v);
        });
        List<Map<String, Object>> cases = new ArrayList<>(rawCases.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rawCases.size(); i++) {
            Object c = rawCases.get(i);
            if (!(c instanceof Map<?, ?>)) throw new ConformanceException(path + ": cases[" + i + "] is " + JsonValues.describe(c) + ", expected an object");
            Map<String, Object> testCase = JsonValues.object(c, "cases[" + i + "]");
            if (!(testCase.get("id") instanceof String id)) {
                throw new ConformanceException(path + ": cases[" + i + "] has no string \"id\" (got " + JsonValues.describe(testCase.get("id")) + ")");
            }
            if (!ids.add(id)) throw new ConformanceException(path + ": cases[" + i + "]: the id \"" + id + "\" appears more than once");
            cases.add(testCase);
        }
        return new Loaded(family, path, header, cases);
    }
}
