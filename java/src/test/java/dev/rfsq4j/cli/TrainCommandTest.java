package dev.rfsq4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.eval.RandomBackbone;
import dev.rfsq4j.io.SafeTensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code rfsq4j train} through Main.run: a short run per quantizer kind, and the usage errors. */
@ExtendWith(NoLeaks.class)
class TrainCommandTest {
    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {}

    private static Result run(List<String> args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private List<String> train(String preset, String... extra) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 4; i++) {
            BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 24 * 16; p++) {
                img.setRGB(p % 24, p / 24, (int) ((p * 2654435761L + i * 40503L) & 0xFFFFFF)); // hashed colors
            }
            ImageIO.write(img, "png", images.resolve(i + ".png").toFile());
        }
        List<String> args = new ArrayList<>(List.of("train", "--preset", preset, "--data", images.toString(), "--out",
                dir.resolve("run-" + preset).toString(), "--steps", "2", "--batch", "2", "--image-size", "16", "--device",
                "cpu", "--log-every", "1"));
        args.addAll(List.of(extra));
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
        expectUsage(train("fsq-4096", "--seed", "x"), "--seed: For input string: \"x\"");
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

    private static void expectUsage(List<String> args, String message) {
        Result r = run(args);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
