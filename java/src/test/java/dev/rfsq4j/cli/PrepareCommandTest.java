package dev.rfsq4j.cli;

import static dev.rfsq4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.cli.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code rfsq4j prepare}, then {@code rfsq4j train} on its shards, through Main.run. */
@ExtendWith(NoLeaks.class)
class PrepareCommandTest {
    @TempDir
    Path dir;

    private Path images() throws Exception {
        return Cli.hashedImages(dir.resolve("images"), 5, 24, 20, i -> i == 3);
    }

    @Test
    void prepareWritesShardsThatTrainReads() throws Exception {
        Path images = images(), shards = dir.resolve("shards");
        Result p = run("prepare", "--data", images.toString(), "--out", shards.toString(), "--size", "16",
                "--images-per-shard", "2", "--workers", "2");
        assertEquals(0, p.status(), p.err());
        assertTrue(p.out().contains("prepare 5/5 ["), p.out());
        assertTrue(p.out().strip().endsWith(shards + ": 5 images in 3 shards (0 kept from an earlier run), 0 skipped"), p.out());
        Result again = run("prepare", "--data", images.toString(), "--out", shards.toString(), "--size", "16",
                "--images-per-shard", "2");
        assertTrue(again.out().contains("(3 kept from an earlier run)"), again.out());

        Result t = run("train", "--preset", "fsq-4096", "--data", shards.toString(), "--out", dir.resolve("run").toString(),
                "--steps", "2", "--batch", "2", "--image-size", "16", "--device", "cpu", "--augment", "flip");
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().contains("data: shards " + shards + ": 5 images in 3 shards, 16 px"), t.out());
        assertTrue(t.out().contains("augmented: flip"), t.out());
        Result wrong = run("train", "--preset", "fsq-4096", "--data", shards.toString(), "--out",
                dir.resolve("run2").toString(), "--steps", "1", "--batch", "2", "--device", "cpu");
        assertEquals(1, wrong.status());
        assertTrue(wrong.err().contains("holds 16 px images; this needs 128 px"), wrong.err());
    }

    @Test
    void aBadImageIsReportedOrRefusedWithStrictData() throws Exception {
        Path images = images();
        byte[] png = Files.readAllBytes(images.resolve("1.png"));
        Files.write(images.resolve("1.png"), Arrays.copyOf(png, png.length / 2));
        Result lenient = run("prepare", "--data", images.toString(), "--out", dir.resolve("a").toString(), "--size", "16");
        assertEquals(0, lenient.status(), lenient.err());
        assertTrue(lenient.out().contains("5 images in 1 shards (0 kept from an earlier run), 1 skipped"), lenient.out());
        Result strict = run("prepare", "--data", images.toString(), "--out", dir.resolve("b").toString(), "--size", "16",
                "--strict-data");
        assertEquals(1, strict.status());
        assertTrue(strict.err().startsWith("rfsq4j: " + images.resolve("1.png") + ": truncated"), strict.err());
        Result train = run("train", "--preset", "fsq-4096", "--data", images.toString(), "--out", dir.resolve("run").toString(),
                "--steps", "1", "--batch", "4", "--image-size", "16", "--device", "cpu", "--strict-data");
        assertEquals(1, train.status());
        assertTrue(train.err().contains(images.resolve("1.png") + ": truncated"), train.err());
    }

    @Test
    void badFlagsAreUsageErrors() throws Exception {
        Path images = images();
        String out = dir.resolve("s").toString();
        expectUsage("missing option --out", "prepare", "--data", images.toString());
        expectUsage("--size: '0' is out of range: expected an integer from 1 to 32768", "prepare", "--data",
                images.toString(), "--out", out, "--size", "0");
        expectUsage("--workers: expected an integer from 1 to 1024, got 'x'", "prepare", "--data", images.toString(),
                "--out", out, "--workers", "x");
        expectUsage("--out is empty: give a path", "prepare", "--data", images.toString(), "--out", "");
        expectUsage("--jpeg-decoder: expected auto, turbojpeg or imageio, got 'fast'", "prepare", "--data", images.toString(),
                "--out", out, "--jpeg-decoder", "fast");
        expectUsage("a shard's pixels must stay under 2 GiB", "prepare", "--data", images.toString(), "--out", out,
                "--images-per-shard", "1000000");
        expectUsage("--augment: expected none, or crop and/or flip", "train", "--preset", "fsq-4096", "--data",
                images.toString(), "--out", out, "--augment", "rotate");
        Result help = run("prepare", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--jpeg-dct-scaling") && help.out().contains("--images-per-shard"), help.out());
        Result missing = run("prepare", "--data", dir.resolve("none").toString(), "--out", out);
        assertEquals(1, missing.status());
        assertEquals("rfsq4j: " + dir.resolve("none") + ": no such folder\n", missing.err());
    }

    private static void expectUsage(String message, String... args) {
        Result r = run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
