package org.rlgrad.engine.nn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rlgrad.engine.io.Json;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * State dicts in the safetensors format (huggingface/safetensors): an 8-byte little-endian
 * unsigned header length N, N bytes of UTF-8 JSON
 * <pre>{"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}</pre>
 * and then the tensors' bytes, little-endian, row-major, with offsets relative to the start of
 * the data. rlgrad reads and writes F32, F64, I64 and BOOL (one byte, 0 or 1).
 *
 * <p>Writing follows the reference writer, so that the same tensors give the same bytes: tensors
 * ordered by dtype, wider first (the reference's dtype order, for alignment: I64, F64, F32, BOOL),
 * then by name; compact JSON with metadata first and each entry's fields in the order dtype,
 * shape, data_offsets; the header padded with spaces to a multiple of 8 bytes.
 *
 * <p>Reading validates as the reference does: the header fits the file, is a JSON object whose
 * entries name a known dtype, a shape of non-negative sizes and offsets that tile the data
 * exactly (each begins where the previous ends, each is numel * itemsize long, the last ends at the
 * end of the file). Every failure says which tensor and what was expected.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** The reference reader's limit on the header size. */
    static final long MAX_HEADER = 100_000_000L;
    private static final String METADATA = "__metadata__";

    /** The dtypes of the format rlgrad stores, in the reference's order (narrowest first). */
    private enum Format {
        BOOL(DType.BOOL, 1), F32(DType.FLOAT32, 4), F64(DType.FLOAT64, 8), I64(DType.INT64, 8);

        final DType dtype;
        final int itemSize;

        Format(DType dtype, int itemSize) {
            this.dtype = dtype;
            this.itemSize = itemSize;
        }

        static Format of(DType d) {
            for (Format f : values()) if (f.dtype == d) return f;
            throw new IllegalArgumentException("safetensors: no format for dtype " + d);
        }
    }

    /** The reference's other dtypes: named in the error when a file holds one. */
    private static final List<String> OTHER_DTYPES = List.of("U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "U64");

    // ------------------------------------------------------------------ writing

    public static void save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Files.write(path, serialize(tensors, metadata));
    }

    /** Saves a module's state dict. */
    public static void save(Path path, Module module) throws IOException {
        save(path, module.stateDict(), Map.of());
    }

    public static byte[] serialize(Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        // Wider dtypes first, then names in byte order (the reference compares Rust strings, i.e. UTF-8 bytes).
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -rank(e.getValue().dtype()))
                .thenComparing((a, b) -> Arrays.compareUnsigned(a.getKey().getBytes(StandardCharsets.UTF_8), b.getKey().getBytes(StandardCharsets.UTF_8))));
        LinkedHashMap<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put(METADATA, new TreeMap<>(metadata));
        long offset = 0;
        List<byte[]> blobs = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : order) {
            if (e.getKey().equals(METADATA)) throw new IllegalArgumentException("safetensors: '" + METADATA + "' cannot name a tensor");
            Tensor t = e.getValue();
            byte[] data = encode(t);
            LinkedHashMap<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", Format.of(t.dtype()).name());
            List<Object> shape = new ArrayList<>();
            for (int s : t.shapeRef()) shape.add((long) s);
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + data.length));
            header.put(e.getKey(), entry);
            offset += data.length;
            blobs.add(data);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        for (byte[] b : blobs) out.put(b);
        return out.array();
    }

    private static int rank(DType d) {
        return Format.of(d).ordinal();
    }

    private static byte[] encode(Tensor t) {
        Format f = Format.of(t.dtype());
        int n = t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * f.itemSize).order(ByteOrder.LITTLE_ENDIAN);
        switch (f) {
            case F32 -> { for (float v : t.toFloatArray()) b.putFloat(v); }
            case F64 -> { for (double v : t.toDoubleArray()) b.putDouble(v); }
            case I64 -> { for (long v : t.toLongArray()) b.putLong(v); }
            case BOOL -> { for (boolean v : t.toBooleanArray()) b.put((byte) (v ? 1 : 0)); }
        }
        return b.array();
    }

    // ------------------------------------------------------------------ reading

    /** The tensors of a file, in the order of their data, on the default device. */
    public static LinkedHashMap<String, Tensor> load(Path path) throws IOException {
        return deserialize(Files.readAllBytes(path));
    }

    /** Loads a file into a module's parameters and buffers ({@link Module#loadStateDict}). */
    public static Module.LoadResult load(Path path, Module module, boolean strict) throws IOException {
        return module.loadStateDict(load(path), strict);
    }

    /** The header's {@code __metadata__} (empty when absent). */
    public static Map<String, String> metadata(Path path) throws IOException {
        return metadata(Files.readAllBytes(path));
    }

    public static Map<String, String> metadata(byte[] bytes) {
        Map<String, Object> header = header(bytes);
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        Object m = header.get(METADATA);
        if (m == null) return out;
        for (Map.Entry<String, Object> e : asObject(m, "'" + METADATA + "'").entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new IllegalArgumentException("safetensors: bad header: metadata value of '" + e.getKey() + "' must be a string, got " + describe(e.getValue()));
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    public static LinkedHashMap<String, Tensor> deserialize(byte[] bytes) {
        Map<String, Object> header = header(bytes);
        metadata(bytes);
        long dataStart = 8 + ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataLength = bytes.length - dataStart;
        record Entry(String name, Format format, int[] shape, long begin, long end) {}
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals(METADATA)) continue;
            String name = e.getKey();
            Map<String, Object> info = asObject(e.getValue(), "the entry of '" + name + "'");
            for (String k : info.keySet()) {
                if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                    throw new IllegalArgumentException("safetensors: bad header: unknown field '" + k + "' in the entry of '" + name + "'");
                }
            }
            Object dt = info.get("dtype");
            if (!(dt instanceof String dtype)) throw new IllegalArgumentException("safetensors: bad header: '" + name + "' has no dtype string, got " + describe(dt));
            Format format = null;
            for (Format f : Format.values()) if (f.name().equals(dtype)) format = f;
            if (format == null) {
                throw new IllegalArgumentException("safetensors: " + (OTHER_DTYPES.contains(dtype) ? "unsupported" : "unknown") + " dtype '" + dtype
                        + "' of tensor '" + name + "'; rlgrad reads F32, F64, I64 and BOOL");
            }
            int[] shape = intList(info.get("shape"), "the shape of '" + name + "'", -1);
            long[] offsets = longPair(info.get("data_offsets"), name);
            entries.add(new Entry(name, format, shape, offsets[0], offsets[1]));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        for (Entry en : entries) {
            long numel = 1;
            for (int s : en.shape) numel = Math.multiplyExact(numel, s);
            long size = numel * en.format.itemSize;
            if (en.begin != expectedBegin) {
                throw new IllegalArgumentException("safetensors: invalid offsets for '" + en.name + "': its data begins at " + en.begin
                        + ", expected " + expectedBegin + " (tensors must tile the data without gaps or overlaps)");
            }
            if (en.end - en.begin != size) {
                throw new IllegalArgumentException("safetensors: shape/offset mismatch for '" + en.name + "': " + en.format + " of shape "
                        + Shape.format(en.shape) + " needs " + size + " bytes, its offsets [" + en.begin + ", " + en.end + "] span " + (en.end - en.begin));
            }
            expectedBegin = en.end;
        }
        if (expectedBegin != dataLength) {
            throw new IllegalArgumentException("safetensors: the tensors' data ends at byte " + expectedBegin + " of the data, but the file holds "
                    + dataLength + " bytes of data" + (expectedBegin > dataLength ? " (truncated file?)" : " (trailing bytes)"));
        }
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Entry en : entries) {
            ByteBuffer b = ByteBuffer.wrap(bytes, Math.toIntExact(dataStart + en.begin), Math.toIntExact(en.end - en.begin)).order(ByteOrder.LITTLE_ENDIAN);
            int n = Math.toIntExact((en.end - en.begin) / en.format.itemSize);
            Tensor t = switch (en.format) {
                case F32 -> {
                    float[] v = new float[n];
                    b.asFloatBuffer().get(v);
                    yield Tensor.of(v, en.shape);
                }
                case F64 -> {
                    double[] v = new double[n];
                    b.asDoubleBuffer().get(v);
                    yield Tensor.of(DType.FLOAT64, v, en.shape);
                }
                case I64 -> {
                    long[] v = new long[n];
                    b.asLongBuffer().get(v);
                    yield Tensor.of(v, en.shape);
                }
                case BOOL -> {
                    boolean[] v = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        byte x = b.get();
                        if (x != 0 && x != 1) {
                            throw new IllegalArgumentException("safetensors: BOOL tensor '" + en.name + "' holds byte " + (x & 0xFF) + " at element " + i + "; expected 0 or 1");
                        }
                        v[i] = x == 1;
                    }
                    yield Tensor.of(v, en.shape);
                }
            };
            out.put(en.name, t);
        }
        return out;
    }

    private static Map<String, Object> header(byte[] bytes) {
        if (bytes.length < 8) {
            throw new IllegalArgumentException("safetensors: truncated file: " + bytes.length + " bytes, fewer than the 8 of the header length");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER) throw new IllegalArgumentException("safetensors: bad header: header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER);
        if (8 + n > bytes.length) {
            throw new IllegalArgumentException("safetensors: truncated file: the header claims " + n + " bytes but only " + (bytes.length - 8) + " follow the length");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("safetensors: bad header: not valid UTF-8");
        }
        if (!text.startsWith("{")) throw new IllegalArgumentException("safetensors: bad header: expected a JSON object starting with '{'");
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException("safetensors: bad header: invalid JSON: " + e.getMessage(), e);
        }
        return asObject(parsed, "the header");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object o, String what) {
        if (!(o instanceof Map)) throw new IllegalArgumentException("safetensors: bad header: " + what + " must be a JSON object, got " + describe(o));
        return (Map<String, Object>) o;
    }

    private static int[] intList(Object o, String what, int length) {
        if (!(o instanceof List<?> l) || (length >= 0 && l.size() != length)) {
            throw new IllegalArgumentException("safetensors: bad header: " + what + " must be a list of " + (length >= 0 ? length + " " : "")
                    + "non-negative integers, got " + describe(o));
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("safetensors: bad header: " + what + " must hold non-negative integers, got " + describe(o));
            }
            out[i] = (int) (long) v;
        }
        return out;
    }

    private static long[] longPair(Object o, String name) {
        if (!(o instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof Long b) || !(l.get(1) instanceof Long e) || b < 0 || e < b) {
            throw new IllegalArgumentException("safetensors: bad header: data_offsets of '" + name + "' must be [begin, end] with 0 <= begin <= end, got " + describe(o));
        }
        return new long[] {b, e};
    }

    private static String describe(Object o) {
        return o == null ? "nothing" : o instanceof String s ? "\"" + s + "\"" : Json.write(o instanceof Double d ? d.toString() : o);
    }
}
