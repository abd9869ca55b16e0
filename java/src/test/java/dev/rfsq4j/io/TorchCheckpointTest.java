package dev.rfsq4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.Python;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The restricted pickle reader and the .pth formats: files torch.save writes (zip and legacy) read to the same
 * values PyTorch holds; hostile pickles are refused before anything is called; damaged files fail in one line.
 */
class TorchCheckpointTest {
    static final Path LPIPS_VGG = Path.of("..", "..", "shared", "weights", "lpips-v0.1", "vgg.pth");

    @TempDir
    Path tmp;

    // ---- hostile pickles ------------------------------------------------------------------------------------

    /** Protocol-2 pickle bytes from a readable spec: text, with \\xNN escapes. */
    private static byte[] pickle(String spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 2});
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '\\' && spec.charAt(i + 1) == 'x') {
                out.write(Integer.parseInt(spec.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static IOException refused(byte[] pickle) {
        return assertThrows(IOException.class,
                () -> TorchPickle.load("test.pkl", new ByteArrayInputStream(pickle), pickle.length));
    }

    @Test
    void globalsOutsideTheAllowListAreRefusedBeforeAnyCall() {
        // os.system("echo pwned"), builtins.eval("1"), __builtin__.exec, subprocess.Popen, torch.load itself
        for (String global : List.of("os\nsystem", "builtins\neval", "__builtin__\nexec", "subprocess\nPopen",
                "posix\nsystem", "torch\nload", "torch._utils\n_rebuild_device_tensor_from_numpy", "collections\ndeque")) {
            byte[] p = pickle("c" + global + "\nX\\x0a\\x00\\x00\\x00echo pwned\\x85R.");
            IOException e = refused(p);
            String name = global.replace('\n', '.');
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains(name), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void stackGlobalIsCheckedToo() {
        IOException e = refused(pickle("\\x8c\\x02os\\x8c\\x06system\\x93X\\x02\\x00\\x00\\x00ls\\x85R."));
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
    }

    @Test
    void aStackGlobalsNameIsQuotedIntoOneLine() {
        // STACK_GLOBAL takes its names from strings, which may hold newlines; the message must stay one line.
        IOException e = refused(pickle("\\x8c\\x03o\ns\\x8c\\x06system\\x93."));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("\"o\\ns.system\""), e.getMessage());
    }

    @Test
    void reduceOfAnAllowedNonCallableIsRefused() {
        // torch.FloatStorage may be named (in a persistent id) but never called.
        IOException e = refused(pickle("ctorch\nFloatStorage\n)R."));
        assertTrue(e.getMessage().contains("REDUCE") && e.getMessage().contains("torch.FloatStorage"), e.getMessage());
        // Nor may a value that is not a global at all.
        e = refused(pickle("X\\x02\\x00\\x00\\x00ls)R."));
        assertTrue(e.getMessage().contains("REDUCE"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"(ios\nsystem\nX\\x02\\x00\\x00\\x00lso.", // INST
            "(cos\nsystem\nX\\x02\\x00\\x00\\x00lso.", // OBJ (the global itself is refused first)
            "\\x81.", // NEWOBJ
            "\\x82\\x01.", // EXT1
            "P0\n.", // PERSID (text)
            "\\x8f."}) // EMPTY_SET
    void opcodesThatBuildArbitraryObjectsAreRefused(String spec) {
        IOException e = refused(pickle(spec));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void persistentIdsOtherThanStoragesAreRefused() {
        IOException e = refused(pickle("X\\x06\\x00\\x00\\x00moduleQ."));
        assertTrue(e.getMessage().contains("persistent id"), e.getMessage());
        e = refused(pickle("(X\\x06\\x00\\x00\\x00modulecos\nsystem\nX\\x01\\x00\\x00\\x000X\\x03\\x00\\x00\\x00cpuK\\x01tQ."));
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
    }

    @Test
    void malformedPicklesFailInOneLine() {
        for (String spec : List.of("", "N", "0.", "h\\x05.", "(t", "X\\xff\\xff\\xff\\x7fab.", "NN.", "a.", "\\x8a\\x09ab.")) {
            IOException e = refused(pickle(spec));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().startsWith("test.pkl: "), e.getMessage());
        }
    }

    @Test
    void hostilePickleInsideAZipCheckpointIsRefused() throws IOException {
        Path file = tmp.resolve("evil.pth");
        TorchZips.write(file, "evil/data.pkl", pickle("cos\nsystem\nX\\x02\\x00\\x00\\x00ls\\x85R."));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().startsWith(file + ": \"evil/data.pkl\": refused") && e.getMessage().contains("os.system"),
                e.getMessage());
    }

    @Test
    void compressedEntriesAreRefused() throws IOException {
        // torch.save stores entries uncompressed; a deflated one could inflate far beyond the file (a zip bomb).
        Path file = tmp.resolve("deflated.pth");
        TorchZips.write(file, "archive/data.pkl", pickle("}."), ZipEntry.DEFLATED);
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("\"archive/data.pkl\" is compressed"), e.getMessage());
        Path stored = tmp.resolve("stored.pth");
        TorchZips.write(stored, "archive/data.pkl", pickle("}."));
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(stored)) {
            assertTrue(ckpt.names().isEmpty());
        }
    }

    // ---- damaged files --------------------------------------------------------------------------------------

    @Test
    void missingEmptyAndForeignFilesFailInOneLine() throws IOException {
        Path missing = tmp.resolve("nope.pth");
        assertEquals(missing + ": no such file",
                assertThrows(IOException.class, () -> TorchCheckpoint.open(missing)).getMessage());
        Path empty = Files.write(tmp.resolve("empty.pth"), new byte[0]);
        assertTrue(assertThrows(IOException.class, () -> TorchCheckpoint.open(empty)).getMessage()
                .contains("not a PyTorch checkpoint"));
        Path text = Files.writeString(tmp.resolve("text.pth"), "<html>404 not found</html>");
        assertTrue(assertThrows(IOException.class, () -> TorchCheckpoint.open(text)).getMessage()
                .contains("not a PyTorch checkpoint"));
        Path zip = tmp.resolve("other.zip");
        TorchZips.write(zip, "readme.txt", "hello".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(IOException.class, () -> TorchCheckpoint.open(zip)).getMessage()
                .contains("without <name>/data.pkl"));
        Path badZip = Files.write(tmp.resolve("bad.pth"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(badZip));
        assertTrue(e.getMessage().startsWith(badZip.toString()), e.getMessage());
    }

    @Test
    void theLpipsLinearWeightsReadAsLegacyCheckpoint() throws IOException {
        assumeTrue(Files.isRegularFile(LPIPS_VGG), LPIPS_VGG + " is absent (../shared not mounted): skipped");
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(LPIPS_VGG)) {
            assertEquals("legacy", ckpt.format());
            assertEquals(List.of("lin0.model.1.weight", "lin1.model.1.weight", "lin2.model.1.weight",
                    "lin3.model.1.weight", "lin4.model.1.weight"), List.copyOf(ckpt.names()));
            long[] channels = {64, 128, 256, 512, 512};
            for (int i = 0; i < 5; i++) {
                String name = "lin" + i + ".model.1.weight";
                assertArrayEquals(new long[] {1, channels[i], 1, 1}, ckpt.shape(name));
                assertEquals("F32", ckpt.dtype(name));
                float[] w = ckpt.floats(name);
                // LPIPS clamps its linear weights at 0 during training: non-negative, and not all zero.
                assertTrue(Arrays.stream(toDoubles(w)).allMatch(v -> v >= 0) && Arrays.stream(toDoubles(w)).sum() > 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 1000, 5000, 7000})
    void truncatedLegacyFilesFailInOneLine(int keep) throws IOException {
        assumeTrue(Files.isRegularFile(LPIPS_VGG), LPIPS_VGG + " is absent (../shared not mounted): skipped");
        byte[] all = Files.readAllBytes(LPIPS_VGG);
        Path cut = Files.write(tmp.resolve("cut.pth"), Arrays.copyOf(all, keep));
        IOException e = assertThrows(IOException.class, () -> {
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(cut)) {
                for (String name : ckpt.names()) {
                    ckpt.floats(name);
                }
            }
        });
        assertTrue(e.getMessage().startsWith(cut.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void damagedCopiesFailCleanlyOrReadNeverAnythingElse() throws IOException {
        assumeTrue(Files.isRegularFile(LPIPS_VGG), LPIPS_VGG + " is absent (../shared not mounted): skipped");
        byte[] original = Files.readAllBytes(LPIPS_VGG);
        java.util.SplittableRandom random = new java.util.SplittableRandom(77);
        Path file = tmp.resolve("damaged.pth");
        int failed = 0;
        for (int round = 0; round < 400; round++) {
            byte[] b = original.clone();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                // Mostly inside the pickles (the first ~1.4 KB), where the parser's checks matter.
                b[random.nextInt(random.nextBoolean() ? 1400 : b.length)] = (byte) random.nextInt(256);
            }
            Files.write(file, b);
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
                for (String name : ckpt.names()) {
                    ckpt.floats(name);
                }
            } catch (IOException | IllegalArgumentException e) {
                failed++;
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
        }
        assertTrue(failed > 100, "most damaged copies are refused: " + failed + " of 400");
    }

    // ---- files torch.save wrote -----------------------------------------------------------------------------

    /** Writes both formats with tensors that exercise offsets, strides, shared storages and dtypes, plus .npy copies. */
    private static final String SAVE = """
            import sys, collections, torch, numpy as np
            out = sys.argv[1]
            g = torch.Generator().manual_seed(7)
            base = torch.randn(6, 5, generator=g)
            sd = collections.OrderedDict()
            sd['conv.weight'] = torch.randn(4, 3, 3, 3, generator=g)
            sd['transposed'] = base.t()                       # strides (1, 5)
            sd['row_slice'] = base[2:4]                       # offset 10 into base's storage
            sd['column'] = base[:, 1]                         # stride 5
            sd['double'] = torch.randn(7, generator=g, dtype=torch.float64)
            sd['half'] = torch.randn(3, 2, generator=g).half()
            sd['bf16'] = torch.randn(5, generator=g).bfloat16()
            sd['scalar'] = torch.tensor(2.5)
            sd['steps'] = torch.tensor([3, 4], dtype=torch.int64)
            sd['param'] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
            for name, t in sd.items():
                if t.is_floating_point():
                    np.save(f'{out}/{name}.npy', t.detach().float().contiguous().numpy())
            torch.save(sd, f'{out}/zip.pth')
            torch.save(sd, f'{out}/legacy.pth', _use_new_zipfile_serialization=False)
            print(torch.__version__)
            """;

    @TempDir
    static Path saved;
    private static Python.Result save;

    /** Runs {@link #SAVE} once for both formats. */
    private static synchronized Python.Result saved() throws Exception {
        if (save == null) {
            assumeTrue(Python.has("torch", "numpy"), Python.EXECUTABLE + " with torch and numpy is not available "
                    + "(apt-get install python3-torch, or RFSQ_PYTHON): torch.save files not checked");
            save = Python.run(SAVE, saved.toString());
        }
        return save;
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "legacy"})
    void readsWhatTorchSaveWrites(String format) throws Exception {
        Python.Result r = saved();
        assertEquals(0, r.exit(), r.output());
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(saved.resolve(format + ".pth"))) {
            assertEquals(format, ckpt.format());
            assertEquals(List.of("conv.weight", "transposed", "row_slice", "column", "double", "half", "bf16", "scalar",
                    "steps", "param"), List.copyOf(ckpt.names()));
            assertEquals("I64", ckpt.dtype("steps"));
            assertEquals("F16", ckpt.dtype("half"));
            assertArrayEquals(new long[0], ckpt.shape("scalar"));
            assertArrayEquals(new long[] {5, 6}, ckpt.shape("transposed"));
            for (String name : ckpt.names()) {
                if (name.equals("steps")) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ckpt.floats(name));
                    assertTrue(e.getMessage().contains("I64"), e.getMessage());
                    continue;
                }
                Npy.Floats expected = Npy.readFloats(saved.resolve(name + ".npy"));
                assertArrayEquals(expected.data(), ckpt.floats(name), 0f, name + " (" + format + ", torch " + r.output() + ")");
            }
            assertThrows(IllegalArgumentException.class, () -> ckpt.floats("absent"));
        }
    }
    private static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
