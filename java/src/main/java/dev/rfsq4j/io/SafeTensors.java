package dev.rfsq4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Files in the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON describing each tensor's dtype, shape and byte range, then the raw
 * little-endian data.
 *
 * <p>{@link #read} checks the header and maps the data region (read only as tensors are asked for), as strictly as
 * the reference implementation (and a little more: unknown fields in a tensor entry are rejected). A damaged or
 * malformed file fails with an {@link IOException} whose one-line message starts with the file name. Asking for
 * something the file does not hold (an unknown name, another dtype, more elements than a Java array holds) fails
 * with an {@link IllegalArgumentException} that names the file and the tensor. A SafeTensors object is immutable and
 * safe to share between threads.
 */
public final class SafeTensors {
    /** The reference implementation's limit on the header length. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Far above any model's tensor count; a header that describes more is refused while it is parsed. */
    public static final int MAX_TENSORS = 100_000;
    /** JSON values a header may hold in all: room for MAX_TENSORS tensors of rank 20. */
    static final long MAX_HEADER_VALUES = 26L * MAX_TENSORS;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final String METADATA = "__metadata__";
    private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");
    /** The byte-sized dtypes of the format, and their sizes. */
    private static final Map<String, Integer> ITEM_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1), Map.entry("I16", 2), Map.entry("U16", 2),
            Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4),
            Map.entry("F32", 4), Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("C64", 8));
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Chunk size of file reads and writes. */
    private static final int IO_CHUNK = 1 << 20;

    private final Path file;
    private final Map<String, String> metadata;
    private final Map<String, Entry> entries;
    private final MemorySegment data;

    private record Entry(String dtype, long[] shape, long begin, long end) {
        long numel() {
            return (end - begin) / ITEM_BYTES.get(dtype);
        }
    }

    private SafeTensors(Path file, Map<String, String> metadata, Map<String, Entry> entries, MemorySegment data) {
        this.file = file;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.entries = Collections.unmodifiableMap(entries);
        this.data = data;
    }

    /** Where {@link #parse} gets the header bytes and the data region from: a file or memory. */
    private interface Source {
        ByteBuffer bytes(long position, int length) throws IOException;

        MemorySegment data(long position, long length) throws IOException;
    }

    /**
     * Reads and validates the header, and maps the data region (nothing is copied until a tensor is asked for, so a
     * caller checks names, dtypes and shapes first and a crafted file costs no memory).
     */
    public static SafeTensors read(Path file) throws IOException {
        try (FileChannel ch = ReadChannel.open(file)) {
            return parse(file, ch.size(), new Source() {
                @Override
                public ByteBuffer bytes(long position, int length) throws IOException {
                    return readFully(file, ch, position, length);
                }

                @Override
                public MemorySegment data(long position, long length) throws IOException {
                    return ch.map(FileChannel.MapMode.READ_ONLY, position, length, Arena.ofAuto());
                }
            });
        } catch (IOException e) {
            throw Messages.named(file, "read", e);
        }
    }

    /**
     * Reads and validates a file's content held in memory (a class-path resource, say), as strictly as
     * {@link #read(Path)}; name stands for the file in messages.
     */
    public static SafeTensors read(Path name, byte[] content) throws IOException {
        MemorySegment all = MemorySegment.ofArray(content);
        return parse(name, content.length, new Source() {
            @Override
            public ByteBuffer bytes(long position, int length) {
                return ByteBuffer.wrap(content, (int) position, length).slice();
            }

            @Override
            public MemorySegment data(long position, long length) {
                return all.asSlice(position, length);
            }
        });
    }

    private static SafeTensors parse(Path file, long size, Source source) throws IOException {
        if (size < 8) {
            throw new IOException(file + ": truncated: " + size + " bytes, less than the 8-byte header length");
        }
        ByteBuffer prefix = source.bytes(0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long n = prefix.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new IOException(file + ": corrupt: a header length of " + Long.toUnsignedString(n)
                    + " bytes is over the limit of " + MAX_HEADER_BYTES);
        }
        if (n > size - 8) {
            throw new IOException(file + ": truncated: the header length is " + n + " bytes, the file has only "
                    + (size - 8) + " after it");
        }
        Object json;
        try {
            json = Json.parse(utf8(file, source.bytes(8, (int) n)), MAX_TENSORS + 1, MAX_HEADER_VALUES);
        } catch (Json.LimitException e) {
            throw corrupt(file, "more than this reader's limit of " + MAX_TENSORS + " tensors (" + MAX_HEADER_VALUES
                    + " JSON values): " + e.getMessage());
        } catch (Json.SyntaxException e) {
            throw corrupt(file, "the header is not valid JSON: " + e.getMessage());
        }
        long dataBytes = size - 8 - n;
        if (!(json instanceof Map<?, ?> header)) {
            throw corrupt(file, "the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new TreeMap<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.put(name, entry(file, name, e.getValue(), dataBytes));
            }
        }
        checkCoverage(file, entries, dataBytes);
        MemorySegment data = dataBytes == 0 ? MemorySegment.NULL : source.data(8 + n, dataBytes);
        return new SafeTensors(file, metadata, entries, data);
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /** The {@code __metadata__} string pairs, unmodifiable, empty if the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor names, sorted (String order), unmodifiable. */
    public Set<String> names() {
        return entries.keySet();
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The dtype as the file spells it: "F32", "F64", "I32", "I64", "BF16", ... */
    public String dtype(String name) {
        return get(name).dtype();
    }

    public long[] shape(String name) {
        return get(name).shape().clone();
    }

    /** An F32 tensor's elements in C order. */
    public float[] floats(String name) {
        Entry e = get(name, "floats() reads F32 only", "F32");
        float[] out = new float[elements(name, e)];
        copy(F32, e.begin(), out, out.length);
        return out;
    }

    /** An F64 tensor's elements, or an F32 tensor's widened, in C order. */
    public double[] doubles(String name) {
        Entry e = get(name, "doubles() reads F64 or F32", "F64", "F32");
        double[] out = new double[elements(name, e)];
        if (e.dtype().equals("F64")) {
            copy(F64, e.begin(), out, out.length);
        } else {
            float[] narrow = floats(name);
            for (int i = 0; i < out.length; i++) {
                out[i] = narrow[i];
            }
        }
        return out;
    }

    /** An I32 tensor's elements in C order. */
    public int[] ints(String name) {
        Entry e = get(name, "ints() reads I32 only", "I32");
        int[] out = new int[elements(name, e)];
        copy(I32, e.begin(), out, out.length);
        return out;
    }

    /** An I64 tensor's elements, or an I32 tensor's widened, in C order. */
    public long[] longs(String name) {
        Entry e = get(name, "longs() reads I64 or I32", "I64", "I32");
        long[] out = new long[elements(name, e)];
        if (e.dtype().equals("I64")) {
            copy(I64, e.begin(), out, out.length);
        } else {
            int[] narrow = ints(name);
            for (int i = 0; i < out.length; i++) {
                out[i] = narrow[i];
            }
        }
        return out;
    }

    /** Copies from the mapped data; a file cut short by another process since read() faults, said as such. */
    private void copy(ValueLayout layout, long offset, Object array, int length) {
        try {
            MemorySegment.copy(data, layout, offset, array, 0, length);
        } catch (InternalError e) { // the JDK's report of a fault (SIGBUS) in mapped memory
            throw new IllegalStateException(file + ": changed on disk while it was being read (truncated by another"
                    + " process?): read it again", e);
        }
    }

    public static Writer writer() {
        return new Writer();
    }

    /**
     * Collects tensors and metadata, then writes a file. The data arrays are not copied: they are read when
     * {@link #write} runs. Tensors are laid out by element size, largest first (then in the order added), as the
     * reference implementation does, so every tensor is aligned to its element size.
     */
    public static final class Writer {
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Pending> tensors = new LinkedHashMap<>();

        private record Pending(String dtype, ValueLayout layout, long[] shape, Object array, int length) {}

        private Writer() {}

        public Writer metadata(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (metadata.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException("duplicate metadata key " + Messages.quote(key));
            }
            return this;
        }

        public Writer add(String name, long[] shape, float[] data) {
            return put(name, "F32", F32, shape, data, data.length);
        }

        public Writer add(String name, long[] shape, double[] data) {
            return put(name, "F64", F64, shape, data, data.length);
        }

        public Writer add(String name, long[] shape, int[] data) {
            return put(name, "I32", I32, shape, data, data.length);
        }

        public Writer add(String name, long[] shape, long[] data) {
            return put(name, "I64", I64, shape, data, data.length);
        }

        private Writer put(String name, String dtype, ValueLayout layout, long[] shape, Object array, int length) {
            Objects.requireNonNull(name, "name");
            if (name.equals(METADATA)) {
                throw new IllegalArgumentException("the tensor name " + METADATA + " is reserved for the metadata");
            }
            if (tensors.containsKey(name)) {
                throw new IllegalArgumentException("duplicate tensor name " + Messages.quote(name));
            }
            long numel = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("tensor " + Messages.quote(name) + ": negative dimension in shape "
                            + Arrays.toString(shape));
                }
                numel = Math.multiplyExact(numel, d);
            }
            if (numel != length) {
                throw new IllegalArgumentException("tensor " + Messages.quote(name) + ": " + length
                        + " elements do not match shape " + Arrays.toString(shape));
            }
            tensors.put(name, new Pending(dtype, layout, shape.clone(), array, length));
            return this;
        }

        /** Writes atomically: a temporary file in the same folder, flushed to disk, then renamed over {@code file}. */
        public void write(Path file) throws IOException {
            try (OutputFiles out = new OutputFiles()) {
                write(out, file);
                out.commit();
            }
        }

        /** Writes file as one of a set of outputs that appear together at {@link OutputFiles#commit}. */
        public void write(OutputFiles out, Path file) throws IOException {
            List<Map.Entry<String, Pending>> order = new ArrayList<>(tensors.entrySet());
            order.sort(Comparator.comparingLong(e -> -e.getValue().layout().byteSize())); // stable: then as added
            byte[] header = header(order);
            out.write(file, ch -> {
                try (Arena arena = Arena.ofConfined()) {
                    ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                    writeFully(ch, prefix.flip());
                    writeFully(ch, ByteBuffer.wrap(header));
                    MemorySegment chunk = arena.allocate(IO_CHUNK, 8);
                    for (Map.Entry<String, Pending> e : order) {
                        writeData(ch, chunk, e.getValue());
                    }
                }
            });
        }

        /** The JSON header, UTF-8, padded with spaces so the data starts 8-byte aligned. */
        private byte[] header(List<Map.Entry<String, Pending>> order) {
            List<String> fields = new ArrayList<>();
            if (!metadata.isEmpty()) {
                fields.add(Json.quote(METADATA) + ":" + metadata.entrySet().stream()
                        .map(e -> Json.quote(e.getKey()) + ":" + Json.quote(e.getValue()))
                        .collect(Collectors.joining(",", "{", "}")));
            }
            long offset = 0;
            for (Map.Entry<String, Pending> e : order) {
                Pending t = e.getValue();
                long end = offset + t.length() * t.layout().byteSize();
                fields.add(Json.quote(e.getKey()) + ":{\"dtype\":" + Json.quote(t.dtype()) + ",\"shape\":"
                        + Arrays.stream(t.shape()).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"))
                        + ",\"data_offsets\":[" + offset + "," + end + "]}");
                offset = end;
            }
            String json = fields.stream().collect(Collectors.joining(",", "{", "}"));
            ByteBuffer utf8;
            try {
                utf8 = StandardCharsets.UTF_8.newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(json));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("a tensor name or metadata string is not valid Unicode (lone surrogate)");
            }
            byte[] out = new byte[(utf8.remaining() + 7) / 8 * 8];
            Arrays.fill(out, (byte) ' ');
            utf8.get(out, 0, utf8.remaining());
            return out;
        }

        private static void writeData(FileChannel ch, MemorySegment chunk, Pending t) throws IOException {
            int perChunk = (int) (chunk.byteSize() / t.layout().byteSize());
            for (int done = 0; done < t.length(); ) {
                int n = Math.min(t.length() - done, perChunk);
                MemorySegment.copy(t.array(), done, chunk, t.layout(), 0, n);
                writeFully(ch, chunk.asSlice(0, n * t.layout().byteSize()).asByteBuffer());
                done += n;
            }
        }

        private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    private Entry get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + ": no tensor " + Messages.quote(name));
        }
        return e;
    }

    private Entry get(String name, String what, String... dtypes) {
        Entry e = get(name);
        if (!Arrays.asList(dtypes).contains(e.dtype())) {
            throw new IllegalArgumentException(file + ": tensor " + Messages.quote(name) + " is " + e.dtype() + ", " + what);
        }
        return e;
    }

    private int elements(String name, Entry e) {
        if (e.numel() > MAX_ELEMENTS) {
            throw new IllegalArgumentException(file + ": tensor " + Messages.quote(name) + " has " + e.numel()
                    + " elements, more than one Java array holds");
        }
        return (int) e.numel();
    }

    private static Map<String, String> metadata(Path file, Object value) throws IOException {
        if (!(value instanceof Map<?, ?> map)) {
            throw corrupt(file, METADATA + " is not an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw corrupt(file, METADATA + " value of " + Messages.quote((String) e.getKey()) + " is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(Path file, String name, Object value, long dataBytes) throws IOException {
        String tensor = "tensor " + Messages.quote(name);
        if (!(value instanceof Map<?, ?> fields)) {
            throw corrupt(file, tensor + " is not an object");
        }
        for (String field : FIELDS) {
            if (!fields.containsKey(field)) {
                throw corrupt(file, tensor + " lacks the field \"" + field + "\"");
            }
        }
        for (Object field : fields.keySet()) {
            if (!FIELDS.contains(field)) {
                throw corrupt(file, tensor + " has an unknown field " + Messages.quote((String) field));
            }
        }
        if (!(fields.get("dtype") instanceof String dtype)) {
            throw corrupt(file, tensor + ": dtype is not a string");
        }
        Integer itemBytes = ITEM_BYTES.get(dtype);
        if (itemBytes == null) {
            throw corrupt(file, tensor + " has an unknown dtype " + Messages.quote(dtype) + " (known: "
                    + new TreeMap<>(ITEM_BYTES).keySet() + ")");
        }
        long[] shape = integers(file, tensor + ": shape", fields.get("shape"), -1);
        long[] offsets = integers(file, tensor + ": data_offsets", fields.get("data_offsets"), 2);
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw corrupt(file, tensor + " has a negative dimension in its shape " + shown(shape));
            }
            numel = multiply(file, tensor, numel, d);
        }
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin) {
            throw corrupt(file, tensor + ": data_offsets " + shown(offsets) + " are not a byte range");
        }
        if (end > dataBytes) {
            throw corrupt(file, tensor + ": data_offsets " + shown(offsets) + " reach past the "
                    + dataBytes + " data bytes of the file");
        }
        long bytes = multiply(file, tensor, numel, itemBytes);
        if (end - begin != bytes) {
            throw corrupt(file, tensor + " is " + dtype + " " + shown(shape) + " (" + bytes
                    + " bytes) but its data_offsets " + shown(offsets) + " span " + (end - begin));
        }
        return new Entry(dtype, shape, begin, end);
    }

    private static long multiply(Path file, String tensor, long a, long b) throws IOException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw corrupt(file, tensor + " has more elements than a long counts");
        }
    }

    /** A JSON list of integers (of the given length, or any length if negative). */
    private static long[] integers(Path file, String what, Object value, int length) throws IOException {
        String expected = length < 0 ? "a list of integers" : "a list of " + length + " integers";
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw corrupt(file, what + " is not " + expected);
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (v instanceof BigDecimal big && big.signum() >= 0 && big.scale() == 0) { // integer syntax
                throw corrupt(file, what + " has a value too large: " + Messages.clip(big.toString(), 40));
            }
            if (!(v instanceof Long l)) {
                throw corrupt(file, what + " is not " + expected + ": " + Messages.clip(String.valueOf(v), 40));
            }
            out[i] = l;
        }
        return out;
    }

    /** A list of integers for a message, clipped. */
    private static String shown(long[] values) {
        return Messages.clip(Arrays.toString(values), 120);
    }

    /** The format requires the tensors to tile the data region exactly: no gaps, no overlaps, nothing after. */
    private static void checkCoverage(Path file, Map<String, Entry> entries, long dataBytes) throws IOException {
        List<Map.Entry<String, Entry>> byOffset = new ArrayList<>(entries.entrySet());
        byOffset.sort(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().begin())
                .thenComparingLong(e -> e.getValue().end()));
        long covered = 0;
        String last = null;
        for (Map.Entry<String, Entry> e : byOffset) {
            Entry t = e.getValue();
            if (t.begin() < covered) {
                throw new IOException(file + ": corrupt: the data of tensors " + Messages.quote(last) + " and "
                        + Messages.quote(e.getKey()) + " overlap (bytes " + t.begin() + " to " + covered + ")");
            }
            if (t.begin() > covered) {
                throw new IOException(file + ": corrupt: data bytes " + covered + " to " + t.begin()
                        + " belong to no tensor");
            }
            if (t.end() > covered) {
                covered = t.end();
                last = e.getKey();
            }
        }
        if (covered != dataBytes) {
            throw new IOException(file + ": corrupt: data bytes " + covered + " to " + dataBytes
                    + " (the end of the file) belong to no tensor");
        }
    }

    /** Strict UTF-8 (malformed bytes refused), decoded without a second copy of a large header. */
    private static String utf8(Path file, ByteBuffer bytes) throws IOException {
        CharBuffer scratch = CharBuffer.allocate(4096);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = bytes.duplicate();
        CoderResult r;
        do { // decoded into a small buffer only to validate: overflow means "go on"
            r = decoder.decode(in, scratch.clear(), true);
        } while (r.isOverflow());
        if (!r.isError()) {
            r = decoder.flush(scratch.clear());
        }
        if (r.isError()) {
            throw corrupt(file, "the header is not valid UTF-8 (at byte " + in.position() + ")");
        }
        return new String(bytes.array(), bytes.arrayOffset(), bytes.remaining(), StandardCharsets.UTF_8);
    }

    private static ByteBuffer readFully(Path file, FileChannel ch, long position, int bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new IOException(file + ": truncated while reading the header");
            }
        }
        return buf.flip();
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException(file + ": corrupt header: " + what);
    }
}
