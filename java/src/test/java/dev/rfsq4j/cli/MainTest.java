package dev.rfsq4j.cli;

import static dev.rfsq4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.SmallDisk;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.cli.Cli.Result;
import dev.rfsq4j.io.Npy;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process through {@link Main#run} on real .npy files. */
@ExtendWith(NoLeaks.class)
class MainTest {
    private static final long[] SHAPE = {2, 4, 6, 5};

    @TempDir
    Path dir;

    private float[] latent() {
        return Seeds.gaussian(Seeds.random("cli"), (int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3]), 1.0);
    }

    private String[] quantize(String strategy, String mode, String... extra) {
        List<String> args = new ArrayList<>(List.of("quantize", "--levels", "8,8,8,4", "--stages", "2",
                "--strategy", strategy, "--stats-mode", mode,
                "--input", dir.resolve("z.npy").toString(), "--codes", dir.resolve("codes.npy").toString(),
                "--indices", dir.resolve("idx.npy").toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--device")) {
            args.addAll(List.of("--device", "cpu"));
        }
        return args.toArray(String[]::new);
    }

    @Test
    void quantizeRoundTripsThroughNpyFiles() throws IOException {
        float[] z = latent();
        Npy.write(dir.resolve("z.npy"), SHAPE, z);
        for (Strategy strategy : Strategy.values()) {
            for (StatsMode mode : StatsMode.values()) {
                boolean stats = strategy == Strategy.LAYERNORM && mode == StatsMode.PARITY;
                String[] args = stats ? quantize(strategy.label(), mode.label(), "--stats", dir.resolve("s.npy").toString())
                        : quantize(strategy.label(), mode.label());
                Result r = run(args);
                assertEquals(0, r.status(), strategy + "/" + mode + ": " + r.err());
                assertEquals("", r.err());
                assertEquals(1, r.out().lines().count(), r.out());
                assertTrue(r.out().startsWith("cpu  z (2,4,6,5)  rfsq 2x[8,8,8,4] " + strategy.label() + "/"
                        + mode.label() + "  22 bits/position"), r.out());
                assertTrue(r.out().contains("mean ||r_k||") && r.out().strip().endsWith("ms"), r.out());

                Npy.Floats codes = Npy.readFloats(dir.resolve("codes.npy"));
                Npy.Ints idx = Npy.readInts(dir.resolve("idx.npy"));
                assertArrayEquals(SHAPE, codes.shape());
                assertArrayEquals(new long[] {2, 6, 5, 2}, idx.shape());
                try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
                    Rfsq rfsq = Rfsq.builder(Levels.of(8, 8, 8, 4)).stages(2).strategy(strategy).statsMode(mode)
                            .build(scope);
                    Rfsq.Output expected = rfsq.quantize(scope.fromArray(z, SHAPE));
                    assertArrayEquals(expected.zhat().toFloatArray(), codes.data(), "codes.npy");
                    assertArrayEquals(expected.indices().toIntArray(), idx.data(), "idx.npy");
                    Tensor statsIn = null;
                    if (stats) {
                        Npy.Floats s = Npy.readFloats(dir.resolve("s.npy"));
                        assertArrayEquals(new long[] {2, 2, 4, 2}, s.shape());
                        assertArrayEquals(expected.stats().toFloatArray(), s.data(), "stats.npy");
                        statsIn = scope.fromArray(s.data(), s.shape());
                    }
                    float[] decoded = rfsq.decode(scope.fromArray(idx.data(), idx.shape()), statsIn).toFloatArray();
                    assertArrayEquals(codes.data(), decoded, 1e-5f, "decode of the written files gives the codes");
                }
            }
        }
    }

    @Test
    void badInputFailsWithOneLine() throws IOException {
        Npy.write(dir.resolve("z.npy"), new long[] {2, 5, 6, 5}, new float[2 * 5 * 6 * 5]);
        assertError(run(quantize("none", "parity")), 1, "rfsq4j: " + dir.resolve("z.npy")
                + ": expected float32 (B,4,H,W) for levels [8,8,8,4] with every dimension > 0, got float32 (2,5,6,5)");

        Npy.write(dir.resolve("z.npy"), SHAPE, new int[2 * 4 * 6 * 5]);
        assertError(run(quantize("none", "parity")), 1, "holds int32 (2,4,6,5), expected float32");

        float[] z = latent();
        z[17] = Float.NaN;
        Npy.write(dir.resolve("z.npy"), SHAPE, z);
        for (String strategy : new String[] {"none", "scale", "layernorm"}) {
            String[] args = strategy.equals("layernorm") ? quantize(strategy, "parity", "--stats",
                    dir.resolve("s.npy").toString()) : quantize(strategy, "parity");
            assertError(run(args), 1, "rfsq_rfsq_forward");
        }

        Files.write(dir.resolve("z.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M'});
        assertError(run(quantize("none", "parity")), 1, "truncated");
        Files.delete(dir.resolve("z.npy"));
        assertError(run(quantize("none", "parity")), 1, "z.npy: no such file");
        assertFalse(Files.exists(dir.resolve("codes.npy")), "nothing written on failure");
    }

    @Test
    void badFlagsAreUsageErrors() throws IOException {
        Npy.write(dir.resolve("z.npy"), SHAPE, latent());
        assertError(run(quantize("lfq", "parity")), 2, "--strategy: unknown strategy 'lfq'");
        assertError(run(quantize("none", "sometimes")), 2, "--stats-mode: unknown stats mode 'sometimes'");
        assertError(run(quantize("none", "parity", "--frobnicate", "1")), 2, "unknown option --frobnicate");
        assertError(run(quantize("none", "parity", "--stats", "s.npy")), 2,
                "--stats applies to --strategy layernorm with --stats-mode parity only");
        assertError(run("quantize", "--levels", "8,1,8"), 2, "--levels: every level must be >= 2");
        assertError(run("quantize", "--levels", "8,8,8,4", "--stages", "0"), 2, "--stages: stages must be 1..16");
        assertError(run("quantize", "--levels", "8,8,8,4", "--stages", "2", "--strategy", "none"), 2,
                "missing option --input");
        assertError(run("quantize", "--levels"), 2, "option --levels needs a value");
        assertError(run(quantize("none", "parity", "--device", "tpu")), 2, "--device: unknown device 'tpu'");
    }

    @Test
    void helpAndUnknownCommands() {
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("quantize") && help.out().contains("demo"), help.out());
        Result sub = run("quantize", "--help");
        assertEquals(0, sub.status());
        assertTrue(sub.out().startsWith("usage: rfsq4j quantize"), sub.out());
        Result unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("rfsq4j: unknown command 'frobnicate'\nusage: rfsq4j"), unknown.err());
        assertEquals(2, run().status());
    }

    @Test
    void quantizerOnlyDemoPrintsATableForEveryStrategy() {
        Result r = run("demo", "--quantizer-only", "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("rfsq4j demo: RFSQ 4x[4,4,4,4,4] (40 bits/position) on cpu"), r.out());
        for (String strategy : new String[] {"none", "scale", "layernorm"}) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(strategy + " ") && l.endsWith("images/s")), r.out());
        }
        String again = run("demo", "--quantizer-only", "--device", "cpu").out();
        assertEquals(withoutThroughput(r.out()), withoutThroughput(again), "the demo is deterministic but for timing");
        assertError(run("demo", "--quantizer-only", "--steps", "3"), 2, "--steps does not apply to --quantizer-only");
        assertError(run("demo", "--seed", "3"), 2, "--seed applies to --quantizer-only");
    }

    /** Outputs appear all together or not at all; a bad output path fails before any work, naming the flag or file. */
    @Test
    void quantizeOutputsAreAllOrNothing() throws Exception {
        Npy.write(dir.resolve("z.npy"), SHAPE, latent());
        String z = dir.resolve("z.npy").toString(), codes = dir.resolve("codes.npy").toString();
        assertError(run(withOption(quantize("none", "parity"), "--indices", codes)), 2,
                "--codes and --indices name the same file " + codes);
        assertError(run(withOption(quantize("none", "parity"), "--codes", z)), 2, "--input and --codes name the same file");
        assertError(run(withOption(quantize("none", "parity"), "--codes", dir.resolve("./z.npy").toString())), 2,
                "name the same file");
        assertFalse(Files.exists(dir.resolve("codes.npy")) || Files.exists(dir.resolve("idx.npy")), "nothing written");
        assertArrayEquals(latent(), Npy.readFloats(dir.resolve("z.npy")).data(), "the input is untouched");

        Path missing = dir.resolve("no-such-folder").resolve("idx.npy");
        assertError(run(withOption(quantize("none", "parity"), "--indices", missing.toString())), 1,
                missing + ": cannot write: the folder " + missing.getParent() + " does not exist");
        assertError(run(withOption(quantize("none", "parity"), "--indices", dir.toString())), 1,
                dir + ": is a folder; name a file to write");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("z.npy"), files.map(p -> p.getFileName().toString()).toList(), "no output, no temporary file");
        }
    }

    /** A disk that fills up while the outputs are written: an error naming the file, old outputs kept, no leftovers. */
    @Test
    void aFullDiskLeavesThePreviousOutputsAndNoTemporaryFiles() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 128)) {
            Path z = disk.path().resolve("z.npy"), codes = disk.path().resolve("codes.npy"), idx = disk.path().resolve("idx.npy");
            long[] shape = {1, 4, 40, 40}; // 25.6 kB of codes, 12.8 kB of indices
            Npy.write(z, shape, Seeds.gaussian(Seeds.random("disk"), 6400, 1.0));
            String[] args = {"quantize", "--levels", "8,8,8,4", "--stages", "2", "--strategy", "none", "--input", z.toString(),
                    "--codes", codes.toString(), "--indices", idx.toString(), "--device", "cpu"};
            Result first = run(args);
            assertEquals(0, first.status(), first.err());
            byte[] oldCodes = Files.readAllBytes(codes), oldIdx = Files.readAllBytes(idx);
            disk.fill(32 * 1024); // room for new codes but not new indices as well
            Result r = run(args);
            assertError(r, 1, ": cannot write: No space left on device (no output was changed)");
            assertTrue(r.err().startsWith("rfsq4j: " + codes) || r.err().startsWith("rfsq4j: " + idx), r.err());
            assertArrayEquals(oldCodes, Files.readAllBytes(codes));
            assertArrayEquals(oldIdx, Files.readAllBytes(idx));
            try (var files = Files.list(disk.path())) {
                assertEquals(List.of("codes.npy", "filler", "idx.npy", "z.npy"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            Files.delete(disk.path().resolve("filler"));
        }
    }

    /** Running out of Java heap ends as one line with a hint and status 1, not a stack trace. */
    @Test
    void outOfMemoryIsOneLine() throws Exception {
        long max = Runtime.getRuntime().maxMemory();
        long side = (long) Math.ceil(Math.sqrt(max / 16.0 * 1.1)); // 4 channels of float32: more than the heap
        assumeTrue(4 * side * side <= Integer.MAX_VALUE - 8, "the test JVM's heap (" + max / (1 << 20) + " MB) holds"
                + " any one array: out-of-memory case skipped");
        Path big = dir.resolve("big.npy");
        byte[] header = headerOf(new long[] {1, 4, side, side});
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.write(header);
            f.setLength(header.length + 16 * side * side); // sparse: no disk used
        }
        Result r = run(withOption(quantize("none", "parity"), "--input", big.toString()));
        assertError(r, 1, "out of memory: Java heap space");
        assertTrue(r.err().contains("RFSQ4J_JAVA_OPTS=-Xmx"), r.err());
    }

    /** Numbers, paths and folders in flags: each message names the flag and what was wrong. */
    @Test
    void flagValuesAreCheckedWithMessagesThatSayWhat() throws Exception {
        Npy.write(dir.resolve("z.npy"), SHAPE, latent());
        assertError(run(withOption(quantize("none", "parity"), "--input", "")), 2, "--input is empty: give a path");
        assertError(run(withOption(quantize("none", "parity"), "--input", dir.toString())), 1,
                dir + ": is a folder, not a file");
        assertError(run("demo", "--quantizer-only", "--seed", "99999999999999999999999"), 2,
                "--seed: '99999999999999999999999' is out of range: expected an integer from -9223372036854775808");
        assertError(run("demo", "--quantizer-only", "--seed", "x".repeat(5000)), 2, "--seed: expected an integer");
        assertTrue(run("demo", "--quantizer-only", "--seed", "x".repeat(5000)).err().length() < 300, "a long value is cut");
    }

    private String[] withOption(String[] args, String option, String value) {
        List<String> list = new ArrayList<>(List.of(args));
        list.set(list.indexOf(option) + 1, value);
        return list.toArray(String[]::new);
    }

    /** NumPy's .npy header (format 1.0, 128 bytes) of a float32 array of rank 4. */
    private static byte[] headerOf(long[] shape) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape[0] + ", " + shape[1] + ", "
                + shape[2] + ", " + shape[3] + "), }";
        byte[] text = (dict + " ".repeat(118 - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[128];
        byte[] prefix = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
        System.arraycopy(prefix, 0, out, 0, 10);
        System.arraycopy(text, 0, out, 10, 118);
        return out;
    }

    private static String withoutThroughput(String text) {
        return text.replaceAll("[\\d,.]+ images/s", "");
    }

    private static void assertError(Result r, int status, String expected) {
        assertEquals(status, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("rfsq4j: "), r.err());
        assertTrue(r.err().contains(expected), r.err() + " should contain " + expected);
    }
}
