package dev.rfsq4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    /** np.save of np.arange(6, dtype='<f4').reshape(2, 3), numpy 2.4. */
    private static final String NUMPY_2X3_F4 = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c"
            + "20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020200a000000000000803f0000004000004040000080400000"
            + "a040";
    /** np.lib.format.write_array(f, np.arange(3, dtype='<f4'), version=(2, 0)). */
    private static final String NUMPY_V2_3_F4 = "934e554d50590200740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73"
            + "652c20277368617065273a2028332c292c207d20202020202020202020202020202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020200a000000000000803f00000040";

    @TempDir
    Path dir;

    @Test
    void writesExactlyWhatNumpyWrites() throws IOException {
        Path file = dir.resolve("a.npy");
        Npy.write(file, new long[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5});
        assertEquals(NUMPY_2X3_F4, HexFormat.of().formatHex(Files.readAllBytes(file)));
    }

    @Test
    void readsNumpyFilesOfVersionOneAndTwo() throws IOException {
        Path v1 = dir.resolve("v1.npy");
        Files.write(v1, HexFormat.of().parseHex(NUMPY_2X3_F4));
        Npy.Floats a = Npy.readFloats(v1);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, a.data());
        Path v2 = dir.resolve("v2.npy");
        Files.write(v2, HexFormat.of().parseHex(NUMPY_V2_3_F4));
        assertArrayEquals(new float[] {0, 1, 2}, Npy.readFloats(v2).data());
        assertEquals(DType.F32, Npy.header(v2).dtype());
    }

    @Test
    void roundTripsLargeArraysThroughTheStreamingBuffer() throws IOException {
        Random random = new Random(7);
        float[] f = new float[3 * 50_000 + 17];
        int[] i = new int[f.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = (float) random.nextGaussian();
            i[k] = random.nextInt();
        }
        f[5] = Float.NaN;
        Path ff = dir.resolve("f.npy"), fi = dir.resolve("i.npy");
        Npy.write(ff, new long[] {1, f.length}, f);
        Npy.write(fi, new long[] {f.length}, i);
        assertArrayEquals(f, Npy.readFloats(ff).data());
        Npy.Ints ints = Npy.readInts(fi);
        assertArrayEquals(i, ints.data());
        assertArrayEquals(new long[] {f.length}, ints.shape());
        Path scalar = dir.resolve("s.npy");
        Npy.write(scalar, new long[0], new float[] {2.5f});
        assertArrayEquals(new float[] {2.5f}, Npy.readFloats(scalar).data());
        assertEquals(0, Npy.readFloats(scalar).shape().length);
    }

    @Test
    void rejectsWrongDtypesFortranOrderAndDamagedFiles() throws IOException {
        assertRejected(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16),
                "unsupported dtype '<f8' (only little-endian float32 '<f4' and int32 '<i4')");
        assertRejected(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8), "unsupported dtype '>f4'");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16),
                "Fortran-ordered arrays are not supported");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20),
                "truncated: the header promises float32 (2,3) (24 data bytes), the file has 20");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12), "corrupt: 4 bytes follow");
        assertRejected(npy("{'descr': '<f4', 'shape': (2,), }", 8), "corrupt header: expected the keys");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8), "corrupt header");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8), "corrupt header");
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", 8), "corrupt header");
        assertRejected(npy("not a dict at all", 0), "corrupt header");

        byte[] good = HexFormat.of().parseHex(NUMPY_2X3_F4);
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertRejected(write("magic.npy", badMagic), "not a .npy file (bad magic string)");
        byte[] badVersion = good.clone();
        badVersion[6] = 9;
        assertRejected(write("version.npy", badVersion), "unsupported .npy format version 9.0");
        assertRejected(write("short.npy", java.util.Arrays.copyOf(good, 7)), "truncated: the file ends inside");
        assertRejected(write("cut-header.npy", java.util.Arrays.copyOf(good, 60)), "truncated: the header is 118 bytes");
        assertRejected(write("cut-data.npy", java.util.Arrays.copyOf(good, good.length - 3)), "truncated");
        assertRejected(write("empty.npy", new byte[0]), "truncated");
    }

    @Test
    void wrongElementTypeAndMissingFilesSaySo() throws IOException {
        Path ints = dir.resolve("ints.npy");
        Npy.write(ints, new long[] {2}, new int[] {1, 2});
        var e = assertThrows(IOException.class, () -> Npy.readFloats(ints));
        assertEquals(ints + ": holds int32 (2), expected float32", e.getMessage());
        Path missing = dir.resolve("missing.npy");
        e = assertThrows(IOException.class, () -> Npy.readFloats(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("x.npy"), new long[] {3}, new float[2]));
    }

    /** Sizes that overflow, folders and missing folders: an IOException naming the file, never "long overflow". */
    @Test
    void impossibleShapesFoldersAndMissingFoldersSaySo() throws IOException {
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", 0),
                "the shape (4294967296,4294967296,4294967296) holds more elements than one Java array");
        assertRejected(dir, "is a folder, not a file");
        // Found by the fuzzer: a key holding a line break broke the one-line message.
        assertRejected(npy("{'descr': '<f4', 'fortran_order': False, 'sh\nape': (2,), }", 8),
                "expected the keys descr, fortran_order and shape, got [descr, fortran_order, sh\\nape]");
        Path nowhere = dir.resolve("missing-folder").resolve("x.npy");
        var e = assertThrows(IOException.class, () -> Npy.write(nowhere, new long[] {1}, new float[1]));
        assertEquals(nowhere + ": cannot write: the folder " + nowhere.getParent() + " does not exist", e.getMessage());
    }

    /** A zero in the shape makes an empty array, however large the other dimensions. */
    @Test
    void aZeroDimensionIsAnEmptyArray() throws IOException {
        Path empty = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999999999, 0, 999999999999999999), }", 0);
        assertArrayEquals(new long[] {999999999999999999L, 0, 999999999999999999L}, Npy.readFloats(empty).shape());
    }

    /** Writing replaces the file only when the new one is complete, and leaves no temporary file. */
    @Test
    void writesReplaceAtomically() throws IOException {
        Path file = dir.resolve("a.npy");
        Npy.write(file, new long[] {2}, new float[] {1, 2});
        Npy.write(file, new long[] {1}, new int[] {3});
        assertArrayEquals(new int[] {3}, Npy.readInts(file).data());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList());
        }
    }

    private void assertRejected(Path file, String expected) {
        var e = assertThrows(IOException.class, () -> Npy.readFloats(file), file.toString());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " should contain " + expected);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private int files;

    /** A version 1.0 file with this header text (padded like NumPy) and dataBytes zero bytes of data. */
    private Path npy(String dict, int dataBytes) throws IOException {
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        ByteBuffer buf = ByteBuffer.allocate(total + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (total - 10));
        buf.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (buf.position() < total - 1) {
            buf.put((byte) ' ');
        }
        buf.put((byte) '\n');
        return write("case" + files++ + ".npy", buf.array());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
