package dev.rfsq4j.cli;

import static dev.rfsq4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.cli.Cli.Result;
import dev.rfsq4j.eval.RandomBackbone;
import dev.rfsq4j.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code rfsq4j train} through Main.run: a short run per quantizer kind, and the usage errors. */
@ExtendWith(NoLeaks.class)
class TrainCommandTest {
    @TempDir
    Path dir;

    private List<String> train(String preset, String... extra) throws Exception {
        Path images = Cli.hashedImages(dir.resolve("images"), 4, 24, 16, i -> false);
        List<String> args = new ArrayList<>(List.of("train", "--preset", preset, "--data", images.toString(), "--out",
                dir.resolve("run-" + preset).toString(), "--steps", "2", "--batch", "2", "--image-size", "16", "--device",
                "cpu", "--log-every", "1"));
        for (int i = 0; i < extra.length; i++) { // an extra flag replaces a default one above
            int at = args.indexOf(extra[i]);
            if (at >= 0 && i + 1 < extra.length && !extra[i + 1].startsWith("--") && !extra[i].equals("--resume")) {
                args.set(at + 1, extra[++i]);
            } else {
                args.add(extra[i]);
            }
        }
        return args;
    }

    @Test
    void everyQuantizerKindTrainsAndCheckpoints() throws Exception {
        for (String preset : List.of("rfsq-4x1024-scale", "lfq-4096", "vq-ema-4096")) {
            Result r = run(train(preset, "--lr", "1e-3", "--warmup-steps", "0"));
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("step 2/2"), r.out());
            Path ckpt = dir.resolve("run-" + preset).resolve("checkpoints").resolve("step-00000002");
            SafeTensors model = SafeTensors.read(ckpt.resolve("model.safetensors"));
            assertTrue(model.contains("encoder.0.weight") && model.contains("decoder.4.bias"), model.names().toString());
            assertEquals(preset.startsWith("vq"), model.contains("quantizer.embed.weight"), preset);
            assertEquals(preset.startsWith("rfsq"), model.contains("quantizer.theta"), preset);
            assertEquals(2, Files.readAllLines(dir.resolve("run-" + preset).resolve("metrics.jsonl")).size());
        }
    }

    @Test
    void badFlagsAreUsageErrorsThatNameTheProblem() throws Exception {
        expectUsage(train("rfsq-9x9"), "unknown preset 'rfsq-9x9'; presets: rfsq-2x2048-none");
        expectUsage(train("lfq-4096", "--levels", "8,8"), "--levels does not apply to this preset's quantizer");
        expectUsage(train("fsq-4096", "--vq-decay", "0.9"), "--vq-decay does not apply to this preset's quantizer");
        expectUsage(train("fsq-4096", "--optimizer", "sgd"), "--optimizer: expected adam or adamw, got 'sgd'");
        expectUsage(train("fsq-4096", "--resume=yes"), "--resume takes no value");
        expectUsage(train("fsq-4096", "--seed", "x"), "--seed: expected an integer from -9223372036854775808 to"
                + " 9223372036854775807, got 'x'");
        expectUsage(train("fsq-4096", "--steps", "99999999999999999999"), "--steps: '99999999999999999999' is out of"
                + " range: expected an integer from 1 to 2147483647");
        expectUsage(train("fsq-4096", "--lr", "NaN"), "--lr: expected a finite number, got 'NaN'");
        expectUsage(train("fsq-4096", "--lr", "fast"), "--lr: expected a number, got 'fast'");
        List<String> odd = train("fsq-4096");
        odd.set(odd.indexOf("--image-size") + 1, "18");
        expectUsage(odd, "the image size a multiple of 4, got batch 2, steps 2, image size 18");
        List<String> big = train("fsq-4096");
        big.set(big.indexOf("--batch") + 1, "8");
        Result r = run(big);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("a batch of 8 needs at least 8 images, the data has 4"), r.err());
        expectUsage(train("fsq-4096", "--lpips-weight", "0.5"), "--lpips-weight needs --lpips-backbone FILE");
        expectUsage(train("fsq-4096", "--lpips-backbone", "x.pth", "--lpips-weight", "-1"),
                "the LPIPS weight must be finite and >= 0, got -1.0");
    }

    @Test
    void lpipsBackboneFilesAreCheckedBeforeTraining() throws Exception {
        Result r = run(train("fsq-4096", "--lpips-backbone", dir.resolve("vgg16-397923af.pth").toString()));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("vgg16-397923af.pth: no such file") && r.err().lines().count() == 1, r.err());
        Path bad = Files.write(dir.resolve("bad.pth"), new byte[] {1, 2, 3});
        r = run(train("fsq-4096", "--lpips-backbone", bad.toString()));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("not a PyTorch checkpoint") && r.err().lines().count() == 1, r.err());
        r = run(train("fsq-4096", "--lpips-backbone", RandomBackbone.write(dir, "train command").toString()));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("loss: L1 + 1.0 x LPIPS-VGG v0.1"), r.out());
    }

    @Test
    void theRunFolderMustBeAFolder() throws Exception {
        List<String> empty = train("fsq-4096");
        empty.set(empty.indexOf("--out") + 1, "");
        expectUsage(empty, "--out is empty: give a path");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        List<String> notAFolder = train("fsq-4096");
        notAFolder.set(notAFolder.indexOf("--out") + 1, file.toString());
        expectUsage(notAFolder, "--out " + file + " is a file; the run needs a folder");
        assertEquals("x", Files.readString(file));
    }

    /** --lr 1e30 is a divergence, said as such, with status 1 and one line. */
    @Test
    void aDivergingRunSaysSo() throws Exception {
        Result r = run(train("fsq-4096", "--lr", "1e30", "--warmup-steps", "0", "--steps", "4", "--log-every", "10"));
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("rfsq4j: training diverged at step ") && r.err().contains("lower --lr"), r.err());
    }

    /**
     * kill -9 at random moments of a run that checkpoints every step (so most kills land inside a checkpoint
     * write), three times, each resumed with --resume: the run then finishes exactly as an uninterrupted one (every
     * weight, moment and metrics line), with no temporary file or folder left behind.
     */
    @Test
    void killedRunsResumeExactlyAndLeaveNothingBehind() throws Exception {
        List<String> straight = train("fsq-4096", "--steps", "12", "--checkpoint-every", "1", "--lr", "2e-3",
                "--warmup-steps", "2");
        // In memory where /dev/shm exists: a checkpoint a step, each flushed to disk, is slow on a shared disk.
        Path runs = Files.isDirectory(Path.of("/dev/shm")) ? Files.createTempDirectory(Path.of("/dev/shm"), "rfsq4j-kill-")
                : dir;
        Path reference = runs.resolve("reference");
        straight.set(straight.indexOf("--out") + 1, reference.toString());
        assertEquals(0, run(straight).status());

        List<String> killed = new ArrayList<>(straight);
        Path run = runs.resolve("killed");
        killed.set(killed.indexOf("--out") + 1, run.toString());
        java.util.SplittableRandom random = new java.util.SplittableRandom(13);
        for (int kill = 0; kill < 3; kill++) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName()));
            command.addAll(killed);
            if (kill > 0) {
                command.add("--resume");
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            int before = checkpointsWritten(run);
            while (checkpointsWritten(run) < before + 2 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(100));
            assertTrue(p.isAlive(), "run " + kill + " ended before it was killed (exit " + (p.isAlive() ? "" : p.exitValue())
                    + ")");
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            p.waitFor();
        }
        List<String> resume = new ArrayList<>(killed);
        resume.add("--resume");
        Result last = run(resume);
        assertEquals(0, last.status(), last.err());

        assertEquals(Files.readAllLines(reference.resolve("metrics.jsonl")).stream().map(TrainCommandTest::withoutTiming)
                .toList(), Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(TrainCommandTest::withoutTiming)
                .toList(), "metrics.jsonl: every line, once, whole");
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            SafeTensors a = SafeTensors.read(reference.resolve("checkpoints/step-00000012").resolve(file));
            SafeTensors b = SafeTensors.read(run.resolve("checkpoints/step-00000012").resolve(file));
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                assertTrue(java.util.Arrays.equals(a.floats(name), b.floats(name)), file + " " + name);
            }
        }
        try (var all = Files.walk(run)) {
            List<Path> leftovers = all.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), leftovers, "nothing temporary left behind");
        } finally {
            if (runs != dir) {
                try (var all = Files.walk(runs)) {
                    for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /** Checkpoint steps written so far (the newest folder's step), 0 when none. */
    private static int checkpointsWritten(Path run) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (var s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d{8}"))
                    .mapToInt(n -> Integer.parseInt(n.substring(5))).max().orElse(0);
        }
    }

    /** A metrics line without its throughput and its wait for data, the fields that depend on timing. */
    private static String withoutTiming(String line) {
        return line.replaceAll("\"(images_per_s|data_wait_ms)\":[^,}]*", "");
    }

    private static void expectUsage(List<String> args, String message) {
        Result r = run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
