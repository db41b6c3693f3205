package org.rlgrad.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlgrad.engine.io.Json;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** The safetensors layout: round trips, torch's file, and the errors of bad files. */
class SafeTensorsTest {
    static Map<String, Tensor> sample() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("b.f32", Tensor.of(new float[] {1.5f, -0f, Float.NaN, Float.MIN_VALUE}, 2, 2));
        m.put("a.f64", Tensor.of(DType.FLOAT64, new double[] {Math.PI, -1e300, Double.NEGATIVE_INFINITY}, 3));
        m.put("layers.1.count", Tensor.of(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0}, 3));
        m.put("mask", Tensor.of(new boolean[] {true, false, true}, 3));
        m.put("scalar", Tensor.scalar(0.25));
        m.put("empty", Tensor.zeros(DType.FLOAT64, 0, 4));
        return m;
    }

    @Test
    void roundTripEveryDtypeScalarsAndEmpty(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.safetensors");
        SafeTensors.save(f, sample(), Map.of("format", "pt", "note", "a \"quoted\"\nline"));
        Map<String, Tensor> back = SafeTensors.load(f);
        assertEquals(sample().keySet(), back.keySet());
        for (Map.Entry<String, Tensor> e : sample().entrySet()) {
            Tensor b = back.get(e.getKey());
            assertEquals(e.getValue().dtype(), b.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), b.shape(), e.getKey());
            switch (b.dtype()) {
                case INT64 -> assertArrayEquals(e.getValue().toLongArray(), b.toLongArray());
                case BOOL -> assertArrayEquals(e.getValue().toBooleanArray(), b.toBooleanArray());
                default -> {
                    // Bit for bit, signed zeros and NaN included.
                    double[] x = e.getValue().toDoubleArray(), y = b.toDoubleArray();
                    for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), e.getKey());
                }
            }
        }
        assertEquals(Map.of("format", "pt", "note", "a \"quoted\"\nline"), SafeTensors.metadata(f));
    }

    @Test
    void layoutFollowsTheReferenceWriter() {
        byte[] bytes = SafeTensors.serialize(sample(), Map.of());
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"layers.1.count\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},\"a.f64\":{\"dtype\":\"F64\""), header);
        // I64, then F64 (a.f64, empty), then F32 (b.f32, scalar), then BOOL; names ascending within a dtype.
        int[] at = {header.indexOf("\"a.f64\""), header.indexOf("\"empty\""), header.indexOf("\"b.f32\""), header.indexOf("\"scalar\""), header.indexOf("\"mask\"")};
        for (int i = 1; i < at.length; i++) assertTrue(at[i - 1] < at[i], header);
        assertTrue(header.stripTrailing().endsWith("}") && header.length() - header.stripTrailing().length() < 8, "space padding only");
        assertArrayEquals(bytes, SafeTensors.serialize(new LinkedHashMap<>(sample()), Map.of()), "deterministic");
    }

    @Test
    void moduleSaveAndLoad(@TempDir Path dir) throws Exception {
        ModuleTest.Net a = new ModuleTest.Net(), b = new ModuleTest.Net();
        Init.normal_(a.namedParameters().get("layers.2.weight"), 0, 1, new Generator(3));
        Path f = dir.resolve("net.safetensors");
        SafeTensors.save(f, a);
        SafeTensors.load(f, b, true);
        assertArrayEquals(a.namedParameters().get("layers.2.weight").toDoubleArray(), b.namedParameters().get("layers.2.weight").toDoubleArray(), 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void readsExactlyTheValuesTorchWrote() {
        Map<String, Object> expected = (Map<String, Object>) ((Map<String, Object>) Json.parse(new String(NnFixture.bytes("torch_fixture.json"),
                StandardCharsets.UTF_8))).get("tensors");
        assertEquals(6, expected.size());
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            Map<String, Object> spec = (Map<String, Object>) e.getValue();
            Tensor t = NnFixture.get(e.getKey());
            int[] shape = ((List<Object>) spec.get("shape")).stream().mapToInt(o -> (int) (long) (Long) o).toArray();
            assertArrayEquals(shape, t.shape(), e.getKey());
            List<Object> values = (List<Object>) spec.get("values");
            switch ((String) spec.get("dtype")) {
                case "torch.int64" -> assertArrayEquals(values.stream().mapToLong(o -> (Long) o).toArray(), t.toLongArray());
                case "torch.bool" -> {
                    boolean[] b = t.toBooleanArray();
                    for (int i = 0; i < b.length; i++) assertEquals(values.get(i), b[i]);
                }
                default -> {
                    assertEquals(e.getKey().equals("dtypes.f64") ? DType.FLOAT64 : DType.FLOAT32, t.dtype(), e.getKey());
                    double[] v = t.toDoubleArray();
                    for (int i = 0; i < v.length; i++) {
                        Object o = values.get(i);
                        double x = o instanceof String s ? Double.parseDouble(s.replace("inf", "Infinity")) : ((Number) o).doubleValue();
                        assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(v[i]), e.getKey() + "[" + i + "]");
                    }
                }
            }
        }
        assertEquals("pt", SafeTensors.metadata(NnFixture.bytes("torch_fixture.safetensors")).get("format"));
        // Re-serialising what torch's layout rules wrote gives the same bytes, metadata included.
        byte[] torchBytes = NnFixture.bytes("torch_fixture.safetensors");
        assertArrayEquals(torchBytes, SafeTensors.serialize(NnFixture.TENSORS,
                SafeTensors.metadata(torchBytes)));
    }

    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    static String error(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> SafeTensors.deserialize(bytes)).getMessage();
    }

    @Test
    void clearErrorsOnBadFiles() {
        byte[] good = SafeTensors.serialize(sample(), Map.of());
        assertTrue(error(Arrays.copyOf(good, 5)).contains("truncated file"));
        assertTrue(error(Arrays.copyOf(good, 40)).contains("truncated file: the header claims"));
        assertTrue(error(Arrays.copyOf(good, good.length - 3)).contains("truncated file?"), error(Arrays.copyOf(good, good.length - 3)));
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4],}}", new byte[4])).contains("bad header: invalid JSON: line 1, column"));
        assertTrue(error(file("[1, 2]", new byte[0])).contains("bad header"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}} xx", new byte[4])).contains("expected the end of the input after the top-level value"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"Q7\", \"shape\": [1], \"data_offsets\": [0, 4]}}", new byte[4])).contains("unknown dtype 'Q7' of tensor 'x'"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", new byte[4])).contains("unsupported dtype 'BF16'"));
        String mismatch = error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", new byte[20]));
        assertTrue(mismatch.contains("shape/offset mismatch for 'x': F32 of shape [2, 3] needs 24 bytes"), mismatch);
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", new byte[8])).contains("invalid offsets for 'x'"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", new byte[8])).contains("trailing bytes"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", new byte[4])).contains("non-negative"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"BOOL\", \"shape\": [1], \"data_offsets\": [0, 1]}}", new byte[] {2})).contains("expected 0 or 1"));
        assertTrue(error(file("{\"x\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}, \"x\": {}}", new byte[0])).contains("duplicate key"));
    }

    @Test
    void jsonIsStrict() {
        assertEquals(Map.of("a", List.of(1L, -2.5, true, "\u00e9\n")), Json.parse(" {\"a\": [1, -2.5e0, true, \"\\u00e9\\n\"]} "));
        for (String bad : new String[] {"{'a': 1}", "[1,]", "01", "{\"a\" 1}", "\"a\u0001\"", "[1] [2]", "{\"a\": tru}", "1.", "-"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
