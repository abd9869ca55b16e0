package dev.rfsq4j.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) parser, writer and string quoter, enough for safetensors headers and checkpoint
 * configs. Values map to {@code Map<String, Object>} (key order kept, duplicate keys rejected), {@code List<Object>},
 * {@code String}, {@code Long} (integers that fit), {@code BigDecimal} (any other number), {@code Boolean} and
 * {@link #NULL}.
 */
public final class Json {
    /** JSON null (maps and lists hold no Java nulls). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    /** Deeper nesting is surely not a header and would otherwise risk a StackOverflowError. */
    private static final int MAX_DEPTH = 64;
    /** Longer number tokens are refused: no header needs them. */
    private static final int MAX_NUMBER_CHARS = 400;

    private final String s;
    private final int maxMembers;
    private long valuesLeft;
    private int pos;

    private Json(String s, int maxMembers, long maxValues) {
        this.s = s;
        this.maxMembers = maxMembers;
        this.valuesLeft = maxValues;
    }

    /** A syntax error, with the character offset where it was found; or a limit of {@link #parse(String, int, long)}. */
    public static class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    /** The text is well-formed so far but larger than the caller's limits: refused before it costs more memory. */
    static final class LimitException extends SyntaxException {
        LimitException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) throws SyntaxException {
        return parse(text, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * Parses one JSON value of at most maxValues values in all (objects, arrays, strings, numbers, ...) and at most
     * maxMembers members in any one object; over a limit, a {@link LimitException} as soon as it is reached.
     */
    public static Object parse(String text, int maxMembers, long maxValues) throws SyntaxException {
        Json parser = new Json(text, maxMembers, maxValues);
        Object value = parser.value(0);
        parser.skipSpace();
        if (parser.pos != text.length()) {
            throw parser.error("text after the JSON value");
        }
        return value;
    }

    /**
     * JSON text of value (a Map with String keys, a List, a String, a Boolean, an integral or a finite floating-point
     * Number, or {@link #NULL}), one object member per line, indented by two spaces per level; lists on one line.
     * Doubles are written as {@link Double#toString} writes them, which reads back to the same double.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        switch (value) {
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                String sep = "\n";
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                    }
                    out.append(sep).append("  ".repeat(depth + 1)).append(quote(key)).append(": ");
                    write(out, e.getValue(), depth + 1);
                    sep = ",\n";
                }
                out.append('\n').append("  ".repeat(depth)).append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ");
                    write(out, list.get(i), depth + 1);
                }
                out.append(']');
            }
            case String s -> out.append(quote(s));
            case Boolean b -> out.append(b);
            case Long n -> out.append(n);
            case Integer n -> out.append(n);
            case Double d when Double.isFinite(d) -> out.append(d);
            case Float f when Float.isFinite(f) -> out.append(f.doubleValue());
            case BigDecimal d -> out.append(d.toString());
            case null -> throw new IllegalArgumentException("JSON values cannot be Java null (use Json.NULL)");
            default -> {
                if (value == NULL) {
                    out.append("null");
                } else {
                    throw new IllegalArgumentException("no JSON form for " + value + " (" + value.getClass().getSimpleName() + ")");
                }
            }
        }
    }

    /** The JSON string literal for s: quotes, backslashes and control characters escaped, the rest as is. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private Object value(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        if (--valuesLeft < 0) {
            throw new LimitException("more JSON values than the limit at offset " + pos);
        }
        skipSpace();
        if (pos >= s.length()) {
            throw error("unexpected end of text");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + printable(c) + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) throws SyntaxException {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++;
        if (consume('}')) {
            return out;
        }
        do {
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw error("expected a string key");
            }
            int at = pos;
            String key = string();
            expect(':');
            if (out.size() == maxMembers) {
                throw new LimitException("an object with more than " + maxMembers + " members at offset " + at);
            }
            if (out.put(key, value(depth + 1)) != null) {
                pos = at;
                throw error("duplicate key " + Messages.quote(key));
            }
        } while (consume(','));
        expect('}');
        return out;
    }

    private List<Object> array(int depth) throws SyntaxException {
        List<Object> out = new ArrayList<>();
        pos++;
        if (consume(']')) {
            return out;
        }
        do {
            out.add(value(depth + 1));
        } while (consume(','));
        expect(']');
        return out;
    }

    private String string() throws SyntaxException {
        pos++; // the opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(hex4());
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + printable(e) + "'");
                }
            }
        }
    }

    private char hex4() throws SyntaxException {
        if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
                throw error("invalid \\u escape");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    /** RFC 8259 number syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. */
    private Object number() throws SyntaxException {
        int start = pos;
        boolean integral = true;
        take('-');
        if (take('0')) {
            if (pos < s.length() && isDigit(s.charAt(pos))) {
                throw error("leading zero in a number");
            }
        } else {
            digits();
        }
        if (take('.')) {
            integral = false;
            digits();
        }
        if (take('e') || take('E')) {
            integral = false;
            if (!take('+')) {
                take('-');
            }
            digits();
        }
        if (pos - start > MAX_NUMBER_CHARS) { // BigDecimal's parse of millions of digits would take minutes
            pos = start;
            throw error("a number longer than " + MAX_NUMBER_CHARS + " characters");
        }
        String text = s.substring(start, pos);
        if (integral && text.length() <= 18) { // up to 18 digits always fits a long
            return Long.parseLong(text);
        }
        BigDecimal big;
        try {
            big = new BigDecimal(text);
        } catch (NumberFormatException e) { // an exponent beyond an int
            pos = start;
            throw error("a number out of range (" + e.getMessage() + ")");
        }
        try {
            return integral ? (Object) big.longValueExact() : big;
        } catch (ArithmeticException e) {
            return big;
        }
    }

    private void digits() throws SyntaxException {
        int start = pos;
        while (pos < s.length() && isDigit(s.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a digit");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object word(String word, Object value) throws SyntaxException {
        if (!s.startsWith(word, pos)) {
            throw error("unexpected character '" + printable(s.charAt(pos)) + "'");
        }
        pos += word.length();
        return value;
    }

    /** Skips whitespace, then takes c if it is next. */
    private boolean consume(char c) {
        skipSpace();
        return take(c);
    }

    /** Takes c if it is the very next character. */
    private boolean take(char c) {
        if (pos < s.length() && s.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws SyntaxException {
        if (!consume(c)) {
            throw error(pos >= s.length() ? "unexpected end of text, expected '" + c + "'" : "expected '" + c + "'");
        }
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7E ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private SyntaxException error(String what) {
        return new SyntaxException(what + " at offset " + pos);
    }
}
