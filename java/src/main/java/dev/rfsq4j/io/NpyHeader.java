package dev.rfsq4j.io;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The header of a .npy file: element type, shape, and where the data starts. Reads format 1.0, 2.0 and 3.0 strictly
 * (the dict NumPy writes, little-endian float32 or int32, C order); writes what NumPy writes.
 */
public record NpyHeader(DType dtype, long[] shape, long dataOffset) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int HEADER_ALIGN = 64;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Far above any real header (NumPy itself refuses more than 10,000 bytes by default). */
    private static final long MAX_HEADER_BYTES = 1 << 20;

    public NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Arrays.stream(shape).anyMatch(d -> d == 0) ? 0 : Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    /** e.g. {@code float32 (2,4,32,32)}. */
    public String describe() {
        return dtype.label() + " " + Tensor.shapeString(shape);
    }

    /** NumPy's own header: the dict, padded with spaces and a newline so the data starts 64-byte aligned. */
    static byte[] encode(DType dtype, long[] shape) {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '" + descr(dtype) + "', 'fortran_order': False, 'shape': ("
                + dims + (shape.length == 1 ? "," : "") + "), }";
        boolean v1 = padded(10, dict) - 10 <= 0xFFFF; // version 1.0 stores the header length in 16 bits
        int prefix = v1 ? 10 : 12;
        int total = padded(prefix, dict);
        int headerLen = total - prefix;
        ByteBuffer buf = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            buf.putShort((short) headerLen);
        } else {
            buf.putInt(headerLen);
        }
        buf.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (buf.position() < total - 1) {
            buf.put((byte) ' ');
        }
        buf.put((byte) '\n');
        return buf.array();
    }

    private static int padded(int prefix, String dict) {
        return (prefix + dict.length() + 1 + HEADER_ALIGN - 1) / HEADER_ALIGN * HEADER_ALIGN;
    }

    private static String descr(DType dtype) {
        return dtype == DType.F32 ? "<f4" : "<i4";
    }

    /** Reads and checks the header at the channel's start, and that the file holds exactly its data. */
    static NpyHeader read(Path file, FileChannel ch) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, prefix, 8, "the magic string and version");
        byte[] magic = new byte[6];
        prefix.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + ": not a .npy file (bad magic string)");
        }
        int major = prefix.get(6) & 0xFF;
        if (major < 1 || major > 3) {
            throw new IOException(file + ": unsupported .npy format version " + major + "." + (prefix.get(7) & 0xFF));
        }
        long headerLen;
        if (major == 1) {
            readFully(file, ch, prefix, 10, "the header length");
            headerLen = prefix.getShort(8) & 0xFFFF;
        } else {
            readFully(file, ch, prefix, 12, "the header length");
            headerLen = prefix.getInt(8) & 0xFFFFFFFFL;
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IOException(file + ": corrupt header: " + headerLen + " bytes long (at most " + MAX_HEADER_BYTES
                    + " expected)");
        }
        long offset = (major == 1 ? 10 : 12) + headerLen;
        if (offset > ch.size()) {
            throw new IOException(file + ": truncated: the header is " + headerLen + " bytes, the file ends early");
        }
        ByteBuffer text = ByteBuffer.allocate((int) headerLen);
        readFully(file, ch, text, (int) headerLen, "the header");
        String dict = new String(text.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = parseDict(file, dict.strip(), offset);
        long dataBytes = Math.multiplyExact(header.numel(), 4L);
        long found = ch.size() - offset;
        if (found < dataBytes) {
            throw new IOException(file + ": truncated: the header promises " + header.describe() + " (" + dataBytes
                    + " data bytes), the file has " + found);
        }
        if (found > dataBytes) {
            throw new IOException(file + ": corrupt: " + (found - dataBytes) + " bytes follow the data of "
                    + header.describe());
        }
        return header;
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, int upTo, String what) throws IOException {
        buf.limit(upTo);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException(file + ": truncated: the file ends inside " + what);
            }
        }
    }

    /** Parses the header dict: exactly the keys descr, fortran_order and shape, as NumPy writes them. */
    private static NpyHeader parseDict(Path file, String dict, long offset) throws IOException {
        Map<String, Object> entries = new DictParser(file, dict).parse();
        if (!entries.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw new IOException(file + ": corrupt header: expected the keys descr, fortran_order and shape, got "
                    + Messages.clip(entries.keySet().toString(), 200));
        }
        if (!(entries.get("descr") instanceof String descr)) {
            throw new IOException(file + ": corrupt header: descr is not a string");
        }
        if (!(entries.get("fortran_order") instanceof Boolean fortran)) {
            throw new IOException(file + ": corrupt header: fortran_order is not True or False");
        }
        if (!(entries.get("shape") instanceof long[] shape)) {
            throw new IOException(file + ": corrupt header: shape is not a tuple of integers");
        }
        DType dtype = switch (descr) {
            case "<f4" -> DType.F32;
            case "<i4" -> DType.I32;
            default -> throw new IOException(file + ": unsupported dtype '" + Messages.clip(descr, 40) + "'"
                    + " (only little-endian float32 '<f4' and int32 '<i4')");
        };
        if (fortran) {
            throw new IOException(file + ": Fortran-ordered arrays are not supported (save it in C order)");
        }
        long n = Arrays.stream(shape).anyMatch(d -> d == 0) ? 0 : 1;
        for (long d : shape) {
            if (n != 0 && n > MAX_ELEMENTS / d) { // also keeps the product far from overflowing a long
                throw new IOException(file + ": the shape " + Messages.clip(Tensor.shapeString(shape), 200)
                        + " holds more elements than one Java array (" + MAX_ELEMENTS + ")");
            }
            n *= d;
        }
        return new NpyHeader(dtype, shape, offset);
    }

    /** A strict reader of the Python literal subset NumPy writes: {'key': 'str' | True | False | (ints), ...}. */
    private static final class DictParser {
        private final Path file;
        private final String s;
        private int pos;

        DictParser(Path file, String s) {
            this.file = file;
            this.s = s;
        }

        Map<String, Object> parse() throws IOException {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (!peek('}')) {
                String key = string();
                expect(':');
                if (out.put(key, value()) != null) {
                    throw error("duplicate key '" + Messages.clip(key, 40) + "'");
                }
                if (!peek('}')) {
                    expect(',');
                }
            }
            expect('}');
            skipSpace();
            if (pos != s.length()) {
                throw error("text after the dict");
            }
            return out;
        }

        private Object value() throws IOException {
            skipSpace();
            if (peek('\'') || peek('"')) {
                return string();
            }
            if (peek('(')) {
                return tuple();
            }
            for (String word : List.of("True", "False")) {
                if (s.startsWith(word, pos)) {
                    pos += word.length();
                    return word.equals("True");
                }
            }
            throw error("unexpected value at offset " + pos);
        }

        private long[] tuple() throws IOException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peek(')')) {
                dims.add(integer());
                if (!peek(')')) {
                    expect(',');
                }
            }
            expect(')');
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() throws IOException {
            skipSpace();
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (start == pos || pos - start > 18) {
                throw error("a shape dimension is not a non-negative integer");
            }
            return Long.parseLong(s, start, pos, 10);
        }

        private String string() throws IOException {
            skipSpace();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw error("expected a quoted string at offset " + pos);
            }
            char quote = s.charAt(pos++);
            int end = s.indexOf(quote, pos);
            if (end < 0) {
                throw error("unterminated string");
            }
            String out = s.substring(pos, end);
            pos = end + 1;
            return out;
        }

        private boolean peek(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c) throws IOException {
            if (!peek(c)) {
                throw error("expected '" + c + "' at offset " + pos);
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private IOException error(String what) {
            return new IOException(file + ": corrupt header: " + what);
        }
    }}
