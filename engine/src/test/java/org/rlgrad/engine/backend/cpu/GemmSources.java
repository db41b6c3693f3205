package org.rlgrad.engine.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates {@code DoubleGemm.java} from {@code FloatGemm.java} (the float64 GEMM is the float32
 * one with the element type replaced), the way EJML keeps its variants: one source, no
 * hand-kept copies. {@code GemmKernelsTest} fails when the checked-in file differs from what this
 * generates. After editing FloatGemm, regenerate from the repository root or the engine folder:
 *
 * <pre>
 * java engine/src/test/java/org/rlgrad/engine/backend/cpu/GemmSources.java
 * </pre>
 */
public final class GemmSources {
    private static final String DIR = "src/main/java/org/rlgrad/engine/backend/cpu/";

    /** The class comment of the generated file, in place of FloatGemm's. */
    private static final String DOUBLE_HEADER = """
            /**
             * The float64 matrix product {@code C = A B}: {@link FloatGemm} with float replaced by double.
             *
             * <p>Generated from FloatGemm.java by {@code GemmSources} (test sources); do not edit. Edit
             * FloatGemm.java and run {@code java engine/src/test/java/org/rlgrad/engine/backend/cpu/GemmSources.java}.
             */
            """;

    /** Element-type substitutions, applied in order (regular expression, replacement). */
    private static final String[][] RULES = {
        {"FloatVector", "DoubleVector"},
        {"FloatGemm", "DoubleGemm"},
        {"\\bFloat\\b", "Double"},
        {"\\bfloat\\b", "double"},
        {"\\bfloats\\b", "doubles"},
        {"\\bfloat(Tile|A|B)\\b", "double$1"},
        {"\\bfloat32\\b", "float64"},
        {"VectorKernels\\.F\\b", "VectorKernels.D"},
        {"\\b0f\\b", "0d"},
    };

    private GemmSources() {}

    /** The source of DoubleGemm for the given source of FloatGemm. */
    static String doubleGemmFrom(String floatGemm) {
        String s = floatGemm;
        for (String[] rule : RULES) s = s.replaceAll(rule[0], rule[1]);
        Matcher header = Pattern.compile("/\\*\\*(?:(?!\\*/).)*\\*/\\n(?=final class DoubleGemm)", Pattern.DOTALL).matcher(s);
        if (!header.find()) throw new IllegalStateException("FloatGemm.java: no class comment before 'final class FloatGemm'");
        return s.substring(0, header.start()) + DOUBLE_HEADER + s.substring(header.end());
    }

    /** The engine module's folder: the working directory or its {@code engine} child. */
    static Path engineDir() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve(DIR)) ? here : here.resolve("engine");
    }

    static Path source(String className) {
        return engineDir().resolve(DIR + className + ".java");
    }

    public static void main(String[] args) throws IOException {
        String generated = doubleGemmFrom(Files.readString(source("FloatGemm")));
        Files.writeString(source("DoubleGemm"), generated);
        System.out.println("wrote " + source("DoubleGemm"));
    }
}
