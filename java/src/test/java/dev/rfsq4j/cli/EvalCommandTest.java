package dev.rfsq4j.cli;

import static dev.rfsq4j.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.cli.Cli.Result;
import dev.rfsq4j.eval.RandomBackbone;
import dev.rfsq4j.io.Json;
import dev.rfsq4j.io.SafeTensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rfsq4j eval} and {@code rfsq4j compare} through Main.run on tiny runs (16 px images, 2 steps): what
 * eval.json holds and how it adds up, the report's files, the table, and every bad input as one line.
 */
@ExtendWith(NoLeaks.class)
class EvalCommandTest {
    private static final int SIZE = 16;

    @TempDir
    Path dir;

    /** count images of w x h pixels with hashed colors in a new folder. */
    static Path images(Path folder, int count, int w, int h, int seed) throws Exception {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < w * h; p++) {
                int x = p % w, y = p / w;
                // smooth gradients plus a little hashed noise: something an autoencoder can learn a bit of
                int r = (x * 255 / w + i * 40) & 0xFF, g = (y * 255 / h + seed * 30) & 0xFF, b = (int) ((p * 2654435761L) >>> 28) & 0x3F;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
            ImageIO.write(img, "png", folder.resolve(String.format("img-%02d.png", i)).toFile());
        }
        return folder;
    }

    private Path train(String preset) throws Exception {
        Path data = images(dir.resolve("train"), 4, 24, SIZE, 1);
        Path run = dir.resolve("run-" + preset);
        Result r = run("train", "--preset", preset, "--data", data.toString(), "--out", run.toString(), "--steps", "2",
                "--batch", "2", "--image-size", Integer.toString(SIZE), "--device", "cpu", "--lr", "1e-3", "--warmup-steps", "1",
                "--log-every", "1");
        assertEquals(0, r.status(), r.err());
        return run;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path file) throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(file));
    }

    private static double number(Object v) {
        return ((Number) v).doubleValue();
    }

    @Test
    void evalWritesEveryFigureAndAReport() throws Exception {
        Path run = train("rfsq-4x1024-ln");
        Path val = images(dir.resolve("val"), 5, SIZE, 20, 2);
        images(dir.resolve("val/small"), 1, 12, 12, 3); // below the 16 px the run trained at: skipped, counted
        Files.writeString(val.resolve("broken.png"), "not a png");
        Result r = run("eval", "--run", run.toString(), "--data", val.toString(), "--device", "cpu", "--batch", "2",
                "--samples", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("5 images (2 skipped"), r.out());
        assertTrue(r.out().contains("PSNR, k=1..4 stages:"), r.out());

        Path out = run.resolve("eval");
        Map<String, Object> e = json(out.resolve("eval.json"));
        assertEquals("rfsq-4x1024-ln", e.get("preset"));
        assertEquals(2L, e.get("step"));
        assertEquals(5L, e.get("images"));
        assertEquals(2, ((List<?>) e.get("skipped")).size());
        assertTrue(e.get("lpips").toString().startsWith("unavailable"), e.get("lpips").toString());
        // bits: 4 stages of log2(1024) index bits, plus 2*C*K float32 statistics per image over (16/4)^2 positions
        Map<?, ?> bits = (Map<?, ?>) e.get("bits");
        assertEquals(40, number(bits.get("index_bits_per_position")), 1e-12);
        assertEquals(2 * 5 * 4 * 32, number(bits.get("side_info_bits_per_image")), 0);
        assertEquals(40 + 1280 / 16.0, number(bits.get("bits_per_position")), 1e-9);
        assertEquals((40 * 16 + 1280) / 256.0, number(bits.get("bits_per_pixel")), 1e-9);
        // per stage: every position of every image counted once; usage and perplexity from those counts
        List<?> stages = (List<?>) e.get("stages");
        assertEquals(4, stages.size());
        for (Object s : stages) {
            Map<?, ?> stage = (Map<?, ?>) s;
            List<?> counts = (List<?>) stage.get("counts");
            assertEquals(1024, counts.size());
            assertEquals(5 * 16, counts.stream().mapToLong(c -> ((Number) c).longValue()).sum());
            long used = counts.stream().filter(c -> ((Number) c).longValue() > 0).count();
            assertEquals(used / 1024.0, number(stage.get("usage")), 1e-12);
            double perplexity = number(stage.get("perplexity"));
            assertTrue(perplexity >= 1 && perplexity <= used + 1e-9, "perplexity " + perplexity + " of " + used + " codes");
            assertTrue(number(stage.get("mean_residual_norm")) > 0);
        }
        // progressive: k = 1..4, bits growing by 10 index bits and 320 side bits per stage; k = 4 is the full code
        List<?> progressive = (List<?>) e.get("progressive");
        assertEquals(4, progressive.size());
        for (int k = 1; k <= 4; k++) {
            Map<?, ?> p = (Map<?, ?>) progressive.get(k - 1);
            assertEquals(k * 10 + k * 320 / 16.0, number(((Map<?, ?>) p.get("bits")).get("bits_per_position")), 1e-9);
        }
        Map<?, ?> mean = (Map<?, ?>) e.get("mean");
        assertEquals(number(mean.get("psnr")), number(((Map<?, ?>) ((Map<?, ?>) progressive.get(3)).get("mean")).get("psnr")),
                1e-12);
        // per image: the mean is the mean of the images' scores
        List<?> perImage = (List<?>) e.get("per_image");
        assertEquals(5, perImage.size());
        double l1 = perImage.stream().mapToDouble(i -> number(((Map<?, ?>) i).get("l1"))).average().orElseThrow();
        assertEquals(l1, number(mean.get("l1")), 1e-12);
        assertEquals(4, ((List<?>) ((Map<?, ?>) perImage.get(0)).get("psnr_by_stages")).size());

        String html = Files.readString(out.resolve("report.html"));
        for (String figure : List.of("reconstructions", "progressive", "residuals", "usage", "training")) {
            assertTrue(html.contains("figures/" + figure + ".png"), figure);
            Path png = out.resolve("figures").resolve(figure + ".png");
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image.getWidth() > 100 && image.getHeight() > 50, png.toString());
        }
        BufferedImage grid = ImageIO.read(out.resolve("figures/reconstructions.png").toFile());
        assertEquals(3, (grid.getHeight() - 24 - 6) / (SIZE + 6), "three sample rows");
        assertEquals(5, (grid.getWidth() - 6) / (SIZE + 6), "original + k = 1..4");
    }

    /** Shards of rfsq4j prepare evaluate to the folder's numbers; an image whose header reads but whose data does not is left out. */
    @Test
    void shardsEvaluateLikeTheirFolderAndAnUndecodableImageIsLeftOut() throws Exception {
        Path run = train("rfsq-2x2048-ln");
        Path val = images(dir.resolve("val"), 4, SIZE, 20, 2);
        byte[] png = Files.readAllBytes(val.resolve("img-01.png"));
        Files.write(val.resolve("img-01b-cut.png"), Arrays.copyOf(png, png.length - 30)); // header intact, data cut short
        Result prepared = run("prepare", "--data", val.toString(), "--out", dir.resolve("shards").toString(), "--size",
                Integer.toString(SIZE));
        assertEquals(0, prepared.status(), prepared.err());

        Map<String, Object> folder = evalJson(run, val, dir.resolve("eval-folder"));
        Map<String, Object> shards = evalJson(run, dir.resolve("shards"), dir.resolve("eval-shards"));
        for (Map<String, Object> e : List.of(folder, shards)) {
            assertEquals(4L, e.get("images"));
            List<?> skipped = (List<?>) e.get("skipped");
            assertEquals(1, skipped.size(), skipped.toString());
            assertTrue(skipped.get(0).toString().contains("img-01b-cut.png"), skipped.toString());
        }
        List<?> a = (List<?>) folder.get("per_image"), b = (List<?>) shards.get("per_image");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Map<?, ?> x = (Map<?, ?>) a.get(i), y = (Map<?, ?>) b.get(i);
            assertEquals(Path.of(x.get("file").toString()).getFileName(), Path.of(y.get("file").toString()).getFileName());
            assertEquals(number(x.get("psnr")), number(y.get("psnr")), 0, "the same pixels give the same score");
        }
    }

    private static Map<String, Object> evalJson(Path run, Path data, Path out) throws Exception {
        Result r = run("eval", "--run", run.toString(), "--data", data.toString(), "--out", out.toString(), "--device", "cpu",
                "--batch", "3", "--samples", "2");
        assertEquals(0, r.status(), r.err());
        return json(out.resolve("eval.json"));
    }

    @Test
    void compareListsRunsBesideThePaper() throws Exception {
        Path val = images(dir.resolve("val"), 3, SIZE, SIZE, 2);
        List<Path> runs = new ArrayList<>();
        for (String preset : List.of("fsq-4096", "rfsq-2x2048-none", "lfq-4096", "vq-ema-4096")) {
            Path run = train(preset);
            assertEquals(0, run("eval", "--run", run.toString(), "--data", val.toString(), "--device", "cpu").status());
            runs.add(run);
        }
        Result r = run("compare", runs.get(0).toString(), runs.get(1).toString(), runs.get(2).toString(),
                runs.get(3).toString(), "--out", dir.resolve("cmp").toString());
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("| run | preset | steps | images | bits/position | L1 | LPIPS | PSNR (paper)"), lines[0]);
        assertTrue(lines[2].startsWith("| run-fsq-4096 | fsq-4096 | 2 | 3 | 12 |"), lines[2]);
        assertTrue(lines[3].startsWith("| run-rfsq-2x2048-none | rfsq-2x2048-none | 2 | 3 | 22 |"), lines[3]);
        assertTrue(lines[4].startsWith("| run-lfq-4096 | lfq-4096 | 2 | 3 | 12 |"), lines[4]);
        assertTrue(lines[5].startsWith("| run-vq-ema-4096 | vq-ema-4096 | 2 | 3 | 12 |"), lines[5]);
        // one stage each, usage of 4096 codes: at most 3 images x 16 positions
        assertTrue(lines[5].matches(".*\\| \\d+% \\|$"), lines[5]);
        assertTrue(r.out().contains("| *paper: RFSQ-4×1024-LN* | rfsq-4x1024-ln | | ImageNet val | 40 | 0.102 | 0.100 | 22.9 |"),
                r.out());
        String html = Files.readString(dir.resolve("cmp/compare.html"));
        assertTrue(html.contains("run-rfsq-2x2048-none") && html.contains("figures/quality-vs-bits.png"), html);
        assertTrue(Files.readString(dir.resolve("cmp/compare.md")).contains("| run-fsq-4096 |"));
        assertTrue(ImageIO.read(dir.resolve("cmp/figures/quality-vs-bits.png").toFile()).getWidth() > 100);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path val = images(dir.resolve("val"), 2, SIZE, SIZE, 2);
        Path run = train("fsq-4096");
        expect(1, "no such run folder", "eval", "--run", dir.resolve("nope").toString(), "--data", val.toString());
        Files.createDirectories(dir.resolve("empty-run"));
        expect(1, "holds no checkpoint", "eval", "--run", dir.resolve("empty-run").toString(), "--data", val.toString());
        Files.createDirectories(dir.resolve("no-images"));
        Files.writeString(dir.resolve("no-images/readme.txt"), "no pictures here");
        expect(1, "holds no .png, .jpg or .jpeg images", "eval", "--run", run.toString(), "--data",
                dir.resolve("no-images").toString());
        Path small = images(dir.resolve("small"), 2, 8, 8, 3);
        expect(1, "none of its 2 images can be evaluated", "eval", "--run", run.toString(), "--data", small.toString());
        expect(1, "was trained as preset fsq-4096, not rfsq-2x2048-ln", "eval", "--run", run.toString(), "--data",
                val.toString(), "--preset", "rfsq-2x2048-ln");
        expect(2, "give either --run RUN_DIR or --checkpoint DIR", "eval", "--data", val.toString());
        expect(1, "not a checkpoint folder", "eval", "--checkpoint", dir.toString(), "--data", val.toString());
        expect(1, "not evaluated yet", "compare", run.toString());
        expect(1, "no such run folder", "compare", dir.resolve("nope").toString());
        expect(2, "name at least one evaluated run folder", "compare");

        // A checkpoint from another preset's run, as a bare state_dict: the shapes do not fit.
        Path ckpt = run.resolve("checkpoints/step-00000002");
        SafeTensors original = SafeTensors.read(ckpt.resolve("model.safetensors"));
        SafeTensors.Writer bare = SafeTensors.writer();
        for (String name : original.names()) {
            bare.add(name, original.shape(name), original.floats(name));
        }
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        bare.write(foreign.resolve("model.safetensors"));
        expect(1, "name its preset with --preset", "eval", "--checkpoint", foreign.toString(), "--data", val.toString());
        expect(1, "does not fit preset rfsq-4x1024-ln", "eval", "--checkpoint", foreign.toString(), "--data", val.toString(),
                "--preset", "rfsq-4x1024-ln");
        // with the right preset the bare state_dict evaluates (at 128 px: it records no image size, so the 16 px
        // images are all too small, which is itself the counted-skip error)
        expect(1, "smaller than 128 px", "eval", "--checkpoint", foreign.toString(), "--data", val.toString(), "--preset",
                "fsq-4096");
    }

    @Test
    void lpipsIsScoredWithABackboneAndRefusedWithABadOne() throws Exception {
        Path run = train("fsq-4096");
        Path val = images(dir.resolve("val"), 3, SIZE, SIZE, 2);
        Path backbone = RandomBackbone.write(dir, "eval command");
        Result r = run("eval", "--run", run.toString(), "--data", val.toString(), "--device", "cpu", "--samples", "0",
                "--lpips-backbone", backbone.toString());
        assertEquals(0, r.status(), r.err());
        Map<String, Object> e = json(run.resolve("eval").resolve("eval.json"));
        assertTrue(e.get("lpips").toString().startsWith("LPIPS-VGG v0.1, standard"), e.get("lpips").toString());
        List<?> perImage = (List<?>) e.get("per_image");
        double mean = perImage.stream().mapToDouble(i -> number(((Map<?, ?>) i).get("lpips"))).average().orElseThrow();
        assertTrue(mean > 0, "lpips per image " + perImage);
        assertEquals(mean, number(((Map<?, ?>) e.get("mean")).get("lpips")), 1e-9);
        expect(1, "no such file", "eval", "--run", run.toString(), "--data", val.toString(), "--lpips-backbone",
                dir.resolve("vgg16-397923af.pth").toString());
        Path bad = Files.write(dir.resolve("bad.pth"), new byte[] {1, 2, 3});
        expect(1, "not a PyTorch checkpoint", "eval", "--run", run.toString(), "--data", val.toString(), "--lpips-backbone",
                bad.toString());
    }

    @Test
    void aShortRunIsToldAboutItsWarmup() throws Exception {
        Path data = images(dir.resolve("train"), 2, SIZE, SIZE, 1);
        Result r = run("train", "--preset", "fsq-4096", "--data", data.toString(), "--out", dir.resolve("r").toString(),
                "--steps", "2", "--batch", "2", "--image-size", Integer.toString(SIZE), "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("note: --steps 2 ends inside the 5000-step warm-up"), r.out());
        assertTrue(r.out().contains("--warmup-steps 1"), r.out());
        Result quiet = run("train", "--preset", "fsq-4096", "--data", data.toString(), "--out", dir.resolve("q").toString(),
                "--steps", "2", "--batch", "2", "--image-size", Integer.toString(SIZE), "--device", "cpu", "--warmup-steps", "1");
        assertFalse(quiet.out().contains("note:"), quiet.out());
    }

    private static void expect(int status, String message, String... args) {
        Result r = run(args);
        assertEquals(status, r.status(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}
