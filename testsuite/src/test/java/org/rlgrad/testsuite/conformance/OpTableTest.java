package org.rlgrad.testsuite.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The op table against the FORMAT's list of ops, and its entries on the forms the public file leaves out. */
class OpTableTest {
    /** Every op named in the first column of the FORMAT's section 3.2 table. */
    private static List<String> opsInFormatTable() throws Exception {
        Path format = ConformanceRunnerTest.referenceDir().resolve("FORMAT-ops-estimators-distributions.md");
        List<String> lines = Files.readAllLines(format);
        int start = lines.indexOf("### 3.2 The ops");
        assertTrue(start >= 0, "the FORMAT has no section 3.2");
        List<String> ops = new ArrayList<>();
        Pattern firstCell = Pattern.compile("^\\| `([^`]+)` \\|");
        for (String line : lines.subList(start, lines.size())) {
            if (line.startsWith("## ")) break;
            Matcher m = firstCell.matcher(line);
            if (m.find()) for (String op : m.group(1).trim().split("\\s+")) ops.add(op);
        }
        return ops;
    }

    @Test
    void everyOpOfTheFormatTableHasAnEntry() throws Exception {
        List<String> ops = opsInFormatTable();
        assertTrue(ops.size() > 90, "read " + ops.size() + " ops from the FORMAT: " + ops);
        List<String> missing = ops.stream().filter(op -> OpTable.lookup(op) == null).toList();
        assertEquals(List.of(), missing, "ops in the FORMAT's table without an entry in OpTable");
        assertEquals(ops.stream().sorted().toList(), OpTable.ops().stream().sorted().toList(),
                "OpTable has entries the FORMAT does not list");
    }

    /**
     * Cases re-derived with NumPy (src/test/resources/derived/ops.json, not reference vectors) for
     * the argument forms and edge cases the public file does not hold: list and negative dims,
     * absent optional attributes, movedim with lists, roll without dims, squeeze of several dims,
     * take_along_dim without dim, conv1d with stride/dilation, ties, zeros in prod/cumprod, -inf
     * logits, zero-size tensors, matmul's 1-d and broadcast forms.
     */
    @Test
    void derivedCasesForFormsThePublicFileLeavesOut() throws Exception {
        Path dir = Path.of(OpTableTest.class.getResource("/derived/ops.json").toURI()).getParent();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Summary s = new ConformanceRunner().run(dir, null, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Summary.FamilyResult ops = s.family("ops");
        assertNotNull(ops);
        assertEquals(0, ops.failed(), () -> ops.failures().stream().map(f -> f.id() + ": " + f.reason()).collect(Collectors.joining("\n")));
        assertTrue(ops.passed() > 100, "ran " + ops.passed());
    }
}
