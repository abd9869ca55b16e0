package dev.rfsq4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeWithMetadataScalarsAndEmptyTensors() throws IOException {
        Random random = new Random(3);
        float[] f = new float[300_003]; // more than one 1 MiB write chunk
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) random.nextGaussian();
        }
        f[1] = Float.NaN;
        f[2] = Float.NEGATIVE_INFINITY;
        f[3] = -0f;
        double[] d = {Math.PI, Double.MIN_VALUE, -Double.MAX_VALUE, 1e-300, 0, 1, 2};
        int[] i = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42};
        long[] l = {Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40};
        Path file = dir.resolve("all.safetensors");
        SafeTensors.writer()
                .metadata("format", "pt")
                .metadata("note", "quote \" backslash \\ newline \n tab \t unicode \u00e9\u4e2d \uD83D\uDE00 ctrl \u0001")
                .add("f", new long[] {3, f.length / 3}, f)
                .add("d", new long[] {7}, d)
                .add("i", new long[] {2, 3}, i)
                .add("l", new long[] {3, 1}, l)
                .add("scalar", new long[0], new float[] {2.5f})
                .add("empty", new long[] {0, 4}, new int[0])
                .add("ünï \"name\"", new long[] {1}, new long[] {9})
                .write(file);

        SafeTensors st = SafeTensors.read(file);
        assertEquals(Map.of("format", "pt", "note",
                "quote \" backslash \\ newline \n tab \t unicode \u00e9\u4e2d \uD83D\uDE00 ctrl \u0001"), st.metadata());
        assertEquals(List.of("d", "empty", "f", "i", "l", "scalar", "ünï \"name\""), List.copyOf(st.names()));
        assertArrayEquals(f, st.floats("f"));
        assertArrayEquals(new long[] {3, f.length / 3}, st.shape("f"));
        assertEquals("F32", st.dtype("f"));
        assertArrayEquals(d, st.doubles("d"));
        assertEquals("F64", st.dtype("d"));
        assertArrayEquals(i, st.ints("i"));
        assertEquals("I32", st.dtype("i"));
        assertArrayEquals(l, st.longs("l"));
        assertEquals("I64", st.dtype("l"));
        assertArrayEquals(new float[] {2.5f}, st.floats("scalar"));
        assertArrayEquals(new long[0], st.shape("scalar"));
        assertArrayEquals(new int[0], st.ints("empty"));
        assertArrayEquals(new long[] {0, 4}, st.shape("empty"));
        assertArrayEquals(new long[] {9}, st.longs("ünï \"name\""));
        assertTrue(st.contains("f"));
        assertFalse(st.contains("g"));

        // Widening reads.
        assertArrayEquals(new double[] {2.5}, st.doubles("scalar"));
        assertEquals((double) f[7], st.doubles("f")[7]);
        assertArrayEquals(Arrays.stream(i).asLongStream().toArray(), st.longs("i"));
        // The returned arrays are copies.
        st.shape("f")[0] = 99;
        st.floats("f")[0] = 99;
        assertEquals(3, st.shape("f")[0]);
        assertEquals(f[0], st.floats("f")[0]);
        assertThrows(UnsupportedOperationException.class, () -> st.metadata().put("x", "y"));
        assertThrows(UnsupportedOperationException.class, () -> st.names().remove("f"));
    }

    @Test
    void writesTheExactLayoutOfTheFormat() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        SafeTensors.writer()
                .metadata("k", "v")
                .add("x", new long[] {2}, new float[] {1f, -2f})
                .add("n", new long[0], new long[] {0x0102030405060708L})
                .write(file);
        // Eight-byte elements first, so every tensor is aligned to its element size.
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer expected = ByteBuffer.allocate(8 + padded + 16).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded).put(json.getBytes(StandardCharsets.UTF_8));
        while (expected.position() < 8 + padded) {
            expected.put((byte) ' ');
        }
        expected.putLong(0x0102030405060708L).putFloat(1f).putFloat(-2f);
        assertTrue(padded > json.length(), "the case exercises the padding");
        assertArrayEquals(expected.array(), Files.readAllBytes(file));
    }

    @Test
    void readsAFileWrittenByHandWithUnalignedOffsetsAndOddHeaderLength() throws IOException {
        // Other writers need not align anything: a 3-byte tensor first puts the F32 at an odd offset.
        String json = "{\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
                + " \"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[3,7]}}";
        ByteBuffer data = ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN).put(new byte[] {1, 2, 3}).putFloat(0.75f);
        SafeTensors st = SafeTensors.read(raw("hand", json, data.array()));
        assertArrayEquals(new float[] {0.75f}, st.floats("a"));
        assertEquals("U8", st.dtype("b"));
        assertArrayEquals(new long[] {3}, st.shape("b"));
        assertEquals(Map.of(), st.metadata());
    }

    @Test
    void rejectsEveryKindOfDamage() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertRejected(Files.write(dir.resolve("short"), new byte[5]), "truncated: 5 bytes, less than the 8-byte header");
        assertRejected(withLength("beyond", 1000, "{}"), "truncated: the header length is 1000 bytes, the file has only 2");
        assertRejected(withLength("huge", 200_000_000L, "{}"), "a header length of 200000000 bytes is over the limit");
        assertRejected(withLength("negative", -1, "{}"), "a header length of 18446744073709551615 bytes is over");
        assertRejected(raw("utf8", new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, new byte[0]),
                "corrupt header: the header is not valid UTF-8");
        assertRejected(raw("json", "{\"a\": ", new byte[0]), "corrupt header: the header is not valid JSON: ");
        assertRejected(raw("no-header", "", new byte[24]), "the header is not valid JSON: unexpected end of text"); // fuzzer
        assertRejected(raw("exponent", "{\"__metadata__\":{},\"a\":1e9999999999}", new byte[0]),
                "a number out of range (Exponent overflow.) at offset 23"); // found by the fuzzer
        assertRejected(raw("exponent-digits", "{\"a\":1e100000000888888888888888}", new byte[0]),
                "a number out of range (Too many nonzero exponent digits.) at offset 5");
        assertRejected(raw("digits", "{\"a\":" + "9".repeat(1_000_000) + "}", new byte[0]),
                "a number longer than 400 characters at offset 5");
        assertRejected(raw("trailing", "{} x", new byte[0]), "not valid JSON: text after the JSON value at offset 3");
        assertRejected(raw("deep", "[".repeat(100_000), new byte[0]), "nested deeper than 64 levels");
        assertRejected(raw("array", "[]", new byte[0]), "corrupt header: the header is not a JSON object");
        assertRejected(raw("dup", "{" + a + "," + a + "}", new byte[8]), "duplicate key \"a\"");
        assertRejected(raw("missing-field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8]),
                "tensor \"a\" lacks the field \"data_offsets\"");
        assertRejected(raw("unknown-field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"x\":1}}",
                new byte[4]), "tensor \"a\" has an unknown field \"x\"");
        assertRejected(raw("not-object", "{\"a\":[1]}", new byte[0]), "tensor \"a\" is not an object");
        assertRejected(raw("dtype", "{\"a\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor \"a\" has an unknown dtype \"F17\" (known: [BF16, BOOL, C64, F16, F32");
        assertRejected(raw("dtype-type", "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor \"a\": dtype is not a string");
        assertRejected(raw("negative-dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor \"a\" has a negative dimension in its shape [-2]");
        assertRejected(raw("float-dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor \"a\": shape is not a list of integers: 2.0");
        assertRejected(raw("big-dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
                + "\"data_offsets\":[0,8]}}", new byte[8]), "shape has a value too large: 99999999999999999999");
        assertRejected(raw("overflow", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", new byte[8]), "tensor \"a\" has more elements than a long counts");
        assertRejected(raw("offsets-3", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}",
                new byte[8]), "tensor \"a\": data_offsets is not a list of 2 integers");
        assertRejected(raw("past-end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,64]}}",
                new byte[8]), "tensor \"a\": data_offsets [0, 64] reach past the 8 data bytes of the file");
        assertRejected(raw("reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                new byte[8]), "tensor \"a\": data_offsets [8, 0] are not a byte range");
        assertRejected(raw("size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor \"a\" is F32 [3] (12 bytes) but its data_offsets [0, 8] span 8");
        assertRejected(raw("overlap", "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]), "corrupt: the data of tensors \"a\" and \"b\" overlap (bytes 4 to 8)");
        assertRejected(raw("gap", "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
                new byte[16]), "corrupt: data bytes 8 to 12 belong to no tensor");
        assertRejected(raw("tail", "{" + a + "}", new byte[12]),
                "corrupt: data bytes 8 to 12 (the end of the file) belong to no tensor");
        assertRejected(raw("metadata", "{\"__metadata__\":{\"k\":1}}", new byte[0]),
                "corrupt header: __metadata__ value of \"k\" is not a string");
        assertRejected(raw("metadata-list", "{\"__metadata__\":[]}", new byte[0]), "__metadata__ is not an object");
        Path missing = dir.resolve("missing.safetensors");
        assertEquals(missing + ": no such file",
                assertThrows(IOException.class, () -> SafeTensors.read(missing)).getMessage());
    }

    @Test
    void zeroSizeTensorsSitBetweenOthersButNotInside() throws IOException {
        String a = "\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        SafeTensors st = SafeTensors.read(raw("zero", "{\"z\":{\"dtype\":\"F64\",\"shape\":[0],"
                + "\"data_offsets\":[8,8]}," + a + ",\"y\":{\"dtype\":\"F32\",\"shape\":[3,0],"
                + "\"data_offsets\":[0,0]}}", new byte[8]));
        assertArrayEquals(new double[0], st.doubles("z"));
        assertArrayEquals(new float[0], st.floats("y"));
        assertArrayEquals(new long[] {3, 0}, st.shape("y"));
        assertArrayEquals(new int[2], st.ints("a"));
        // As in the reference implementation: the tensors, sorted by offsets, must tile the data in sequence.
        assertRejected(raw("inside", "{\"z\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[4,4]}," + a + "}",
                new byte[8]), "corrupt: the data of tensors \"a\" and \"z\" overlap");
        assertEquals(Set.of(), SafeTensors.read(raw("nothing", "{}", new byte[0])).names());
    }

    @Test
    void wrongDtypeAndUnknownNamesSaySo() throws IOException {
        Path file = dir.resolve("t.safetensors");
        SafeTensors.writer().add("i", new long[] {1}, new int[] {1}).add("d", new long[] {1}, new double[] {1}).write(file);
        SafeTensors st = SafeTensors.read(file);
        assertEquals(file + ": tensor \"i\" is I32, floats() reads F32 only",
                assertThrows(IllegalArgumentException.class, () -> st.floats("i")).getMessage());
        assertEquals(file + ": tensor \"d\" is F64, floats() reads F32 only",
                assertThrows(IllegalArgumentException.class, () -> st.floats("d")).getMessage());
        assertEquals(file + ": tensor \"i\" is I32, doubles() reads F64 or F32",
                assertThrows(IllegalArgumentException.class, () -> st.doubles("i")).getMessage());
        assertEquals(file + ": tensor \"d\" is F64, ints() reads I32 only",
                assertThrows(IllegalArgumentException.class, () -> st.ints("d")).getMessage());
        assertEquals(file + ": tensor \"d\" is F64, longs() reads I64 or I32",
                assertThrows(IllegalArgumentException.class, () -> st.longs("d")).getMessage());
        assertEquals(file + ": no tensor \"x\"",
                assertThrows(IllegalArgumentException.class, () -> st.shape("x")).getMessage());
    }

    @Test
    void writerRejectsMisuse() throws IOException {
        SafeTensors.Writer w = SafeTensors.writer().add("a", new long[] {2}, new float[2]).metadata("k", "v");
        assertEquals("duplicate tensor name \"a\"",
                assertThrows(IllegalArgumentException.class, () -> w.add("a", new long[] {1}, new int[1])).getMessage());
        assertEquals("tensor \"b\": 3 elements do not match shape [2, 2]",
                assertThrows(IllegalArgumentException.class, () -> w.add("b", new long[] {2, 2}, new double[3]))
                        .getMessage());
        assertEquals("tensor \"b\": negative dimension in shape [-1]",
                assertThrows(IllegalArgumentException.class, () -> w.add("b", new long[] {-1}, new long[0]))
                        .getMessage());
        assertEquals("duplicate metadata key \"k\"",
                assertThrows(IllegalArgumentException.class, () -> w.metadata("k", "w")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", new long[0], new int[1]))
                .getMessage().contains("reserved"));
        SafeTensors.Writer lone = SafeTensors.writer().metadata("k", "\uD800");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> lone.write(dir.resolve("x.safetensors")))
                .getMessage().contains("lone surrogate"));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void writesAtomicallyAndReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old contents");
        SafeTensors.writer().add("w", new long[] {2}, new float[] {1, 2}).write(file);
        assertArrayEquals(new float[] {1, 2}, SafeTensors.read(file).floats("w"));
        SafeTensors.writer().add("w", new long[] {1}, new float[] {3}).write(file);
        assertArrayEquals(new float[] {3}, SafeTensors.read(file).floats("w"));
        assertEquals(List.of(file), list(dir), "no temporary file is left behind");

        Path nowhere = dir.resolve("missing-folder").resolve("m.safetensors");
        var e = assertThrows(IOException.class,
                () -> SafeTensors.writer().add("w", new long[] {1}, new float[] {3}).write(nowhere));
        assertTrue(e.getMessage().startsWith(nowhere + ": cannot write"), e.getMessage());
    }

    @Test
    void pythonReadsWhatWeWrite() throws IOException, InterruptedException {
        assumeTrue(Python.has("torch"), Python.EXECUTABLE + " with torch is not available");
        Path file = dir.resolve("py.safetensors");
        SafeTensors.writer()
                .metadata("format", "pt")
                .add("f", new long[] {2, 3}, new float[] {0.5f, -1, 2, 3, 4, 1e-3f})
                .add("i", new long[] {3}, new int[] {-7, 0, 7}) // 12 bytes: an 8-byte tensor after it would be unaligned
                .add("d", new long[] {2}, new double[] {Math.PI, -0.25})
                .add("l", new long[0], new long[] {1L << 40})
                .write(file);
        String script = """
                import json, struct, sys, torch
                raw = bytearray(open(sys.argv[1], 'rb').read())
                (n,) = struct.unpack('<Q', raw[:8])
                header = json.loads(raw[8:8 + n].decode('utf-8'))
                assert (8 + n) % 8 == 0, 'data not 8-byte aligned'
                dtypes = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64}
                out = {'__metadata__': header.pop('__metadata__')}
                for name, t in sorted(header.items()):
                    b, e = t['data_offsets']
                    dt = dtypes[t['dtype']]
                    assert b % torch.tensor([], dtype=dt).element_size() == 0, name + ' unaligned'
                    x = torch.frombuffer(raw, dtype=dt, count=(e - b) // torch.tensor([], dtype=dt).element_size(),
                                         offset=8 + n + b).reshape(t['shape'])
                    out[name] = [list(x.shape), x.flatten().tolist()]
                print(json.dumps(out, sort_keys=True))
                """;
        Python.Result run = Python.run(script, file.toString());
        assertEquals(0, run.exit(), run.output());
        assertEquals("{\"__metadata__\": {\"format\": \"pt\"}, \"d\": [[2], [3.141592653589793, -0.25]], "
                + "\"f\": [[2, 3], [0.5, -1.0, 2.0, 3.0, 4.0, 0.0010000000474974513]], "
                + "\"i\": [[3], [-7, 0, 7]], \"l\": [[], [1099511627776]]}", run.output());
    }

    /**
     * Sparse files that declare 2 GB and 50 GB tensors: read() checks the header and maps the data, so it costs no
     * memory (it used to allocate the whole data region first), and asking for a tensor too large for an array says so.
     */
    @Test
    void aSparseFileDeclaringHugeTensorsCostsNoMemoryToRead() throws IOException {
        for (long bytes : new long[] {2L << 30, 50_000_000_000L}) {
            Path file = dir.resolve("huge-" + bytes + ".safetensors");
            byte[] header = ("{\"encoder.0.weight\":{\"dtype\":\"F32\",\"shape\":[" + bytes / 4
                    + "],\"data_offsets\":[0," + bytes + "]}}").getBytes(StandardCharsets.UTF_8);
            try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
                f.write(header);
                f.setLength(8 + header.length + bytes); // sparse: a few kB on disk
            }
            long rss = residentBytes();
            SafeTensors st = SafeTensors.read(file);
            assertArrayEquals(new long[] {bytes / 4}, st.shape("encoder.0.weight"));
            assertTrue(residentBytes() - rss < 256 << 20, "read() took " + (residentBytes() - rss) / (1 << 20) + " MB");
            if (bytes / 4 > Integer.MAX_VALUE - 8) {
                var e = assertThrows(IllegalArgumentException.class, () -> st.floats("encoder.0.weight"));
                assertTrue(e.getMessage().contains("more than one Java array holds"), e.getMessage());
            }
        }
    }

    /** A header of 1.5 million (empty) tensors within the 100 MB cap: refused while parsing, in a short message. */
    @Test
    void aHeaderOfMillionsOfEntriesIsRefusedEarlyInFewWords() throws IOException {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 1_500_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"tensor.").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],"
                    + "\"data_offsets\":[0,0]}");
        }
        Path file = raw("many", json.append('}').toString(), new byte[0]);
        assertTrue(Files.size(file) < SafeTensors.MAX_HEADER_BYTES);
        var e = assertThrows(IOException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith(file + ": corrupt header: more than this reader's limit of 100000 tensors"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 400, e.getMessage());
    }

    /** Text from the file (a 100,000-character name, a long dtype) is cut in messages. */
    @Test
    void messagesQuoteFileTextShort() throws IOException {
        String name = "n".repeat(100_000);
        Path file = raw("long-name", "{\"" + name + "\":{\"dtype\":\"" + "F".repeat(50_000) + "\",\"shape\":[2],"
                + "\"data_offsets\":[0,8]}}", new byte[8]);
        var e = assertThrows(IOException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().contains("has an unknown dtype") && e.getMessage().length() < 500, e.getMessage());
        Path shape = raw("long-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(50_000) + "-1],"
                + "\"data_offsets\":[0,8]}}", new byte[8]);
        e = assertThrows(IOException.class, () -> SafeTensors.read(shape));
        assertTrue(e.getMessage().contains("has a negative dimension") && e.getMessage().length() < 500, e.getMessage());
    }

    /** This process's resident memory (Linux). */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    private static void assertRejected(Path file, String expected) {
        var e = assertThrows(IOException.class, () -> SafeTensors.read(file), file.toString());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + "\nshould contain\n" + expected);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private Path raw(String name, String json, byte[] data) throws IOException {
        return raw(name, json.getBytes(StandardCharsets.UTF_8), data);
    }

    /** A file with this header (its true length) and data. */
    private Path raw(String name, byte[] header, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header).put(data);
        return Files.write(dir.resolve(name + ".safetensors"), buf.array());
    }

    /** A file whose length prefix is the given value, whatever the header's true length. */
    private Path withLength(String name, long length, String json) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(length).put(header);
        return Files.write(dir.resolve(name + ".safetensors"), buf.array());
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
