package org.rlgrad.engine.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * rlgrad's one JSON reader and writer (the engine has no JSON library): safetensors headers, the
 * conformance runner's reference vectors, test fixtures written by torch scripts.
 *
 * <p>A small, strict parser (RFC 8259): objects become
 * {@link LinkedHashMap}s (key order kept), arrays {@link List}s, strings {@link String}s,
 * {@code true}/{@code false} {@link Boolean}s and {@code null} Java null. A number without a
 * fraction or exponent that fits a long is a {@link Long}, so int64 data stays exact (2^53 + 1
 * included); every other number is a {@link Double}, read by {@link Double#parseDouble}, which
 * rounds correctly, so a shortest round-trip decimal gives back the exact float64 that was written.
 *
 * <p>Strict means: no comments, no trailing commas, no {@code NaN}/{@code Infinity} tokens, no
 * leading zeros or {@code +} signs, no control characters inside strings, nothing after the value,
 * and no duplicate keys. Every error says what was expected, what came, and where (line:column).
 */
public final class Json {
    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Json(String text) {
        this.text = text;
    }

    /** Thrown on malformed input; the message carries the 1-based line and column. */
    public static final class ParseException extends IllegalArgumentException {
        private final int line;
        private final int column;

        ParseException(String message, int line, int column) {
            super("line " + line + ", column " + column + ": " + message);
            this.line = line;
            this.column = column;
        }

        public int line() { return line; }
        public int column() { return column; }
    }

    /** Parses one JSON value that makes up the whole of {@code text} (surrounding whitespace allowed). */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) throw p.error("expected the end of the input after the top-level value, got " + p.describeHere());
        return value;
    }

    // Deep nesting is no use in the vectors and would only overflow the stack.
    private static final int MAX_DEPTH = 512;

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
        if (pos >= text.length()) throw error("expected a value, got the end of the input");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("expected a value (object, array, string, number, true, false or null), got " + describeHere());
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a string key in an object, got " + describeHere());
            int keyLine = line, keyColumn = column();
            String key = string();
            if (map.containsKey(key)) throw new ParseException("duplicate key \"" + key + "\" in an object", keyLine, keyColumn);
            skipWhitespace();
            expect(':', "after the key \"" + key + "\"");
            skipWhitespace();
            map.put(key, value(depth + 1));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
                continue;
            }
            if (c == '}') {
                pos++;
                return map;
            }
            throw error("expected ',' or '}' in an object, got " + describeHere());
        }
    }

    private List<Object> array(int depth) {
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth + 1));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
                continue;
            }
            if (c == ']') {
                pos++;
                return list;
            }
            throw error("expected ',' or ']' in an array, got " + describeHere());
        }
    }

    private String string() {
        int startLine = line, startColumn = column();
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) throw new ParseException("unterminated string", startLine, startColumn);
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(runStart, pos) : sb.append(text, runStart, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw error("control character U+" + String.format("%04X", (int) c) + " inside a string (escape it)");
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder();
                sb.append(text, runStart, pos);
                pos++;
                if (pos >= text.length()) throw new ParseException("unterminated string", startLine, startColumn);
                char e = text.charAt(pos);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 >= text.length()) throw error("incomplete \\u escape");
                        int code = 0;
                        for (int i = 1; i <= 4; i++) {
                            int digit = Character.digit(text.charAt(pos + i), 16);
                            if (digit < 0) {
                                pos += i;
                                throw error("expected a hexadecimal digit in a \\u escape, got " + describeHere());
                            }
                            code = code * 16 + digit;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("invalid escape '\\" + e + "' in a string");
                }
                pos++;
                runStart = pos;
                continue;
            }
            pos++;
        }
    }

    private Object number() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) throw error("a number may not have a leading zero");
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("expected a digit after '-', got " + describeHere());
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("expected a digit after the decimal point, got " + describeHere());
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("expected a digit in the exponent, got " + describeHere());
            while (isDigit(peek())) pos++;
        }
        String literal = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLarge) {
                // An integer beyond the long range: keep it as the nearest double, as JavaScript would.
            }
        }
        return Double.parseDouble(literal);
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("expected a value, got " + describeHere());
        pos += word.length();
        return value;
    }

    private void expect(char c, String where) {
        if (peek() != c) throw error("expected '" + c + "' " + where + ", got " + describeHere());
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private int column() {
        return pos - lineStart + 1;
    }

    private String describeHere() {
        if (pos >= text.length()) return "the end of the input";
        int end = Math.min(text.length(), pos + 12);
        String snippet = text.substring(pos, end);
        int nl = snippet.indexOf('\n');
        if (nl >= 0) snippet = snippet.substring(0, nl);
        return "'" + snippet + (end < text.length() && nl < 0 ? "...'" : "'");
    }

    private ParseException error(String message) {
        return new ParseException(message, line, column());
    }

    // ------------------------------------------------------------------ writing

    /**
     * Compact JSON of maps (String keys), lists, strings, integers, finite doubles, booleans and
     * null: the inverse of {@link #parse} (a double is written as its shortest decimal, which
     * reads back to the same double).
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> writeString(s, sb);
            case Long l -> sb.append(l);
            case Integer i -> sb.append(i);
            case Boolean b -> sb.append(b);
            case Double d -> {
                if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON: has no " + d + "; write it as a string");
                sb.append(d);
            }
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    writeString((String) e.getKey(), sb);
                    sb.append(':');
                    write(e.getValue(), sb);
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    write(l.get(i), sb);
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("JSON: cannot write a " + v.getClass().getSimpleName());
        }
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
