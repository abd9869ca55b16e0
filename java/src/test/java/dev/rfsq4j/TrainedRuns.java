package dev.rfsq4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.cli.Main;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Checkpoints written by {@code rfsq4j train} (through Main.run) on small generated images, for tests. */
public final class TrainedRuns {
    public static final int IMAGE_SIZE = 16;

    private TrainedRuns() {}

    /** A smooth random RGB image (gradients plus noise), so that trained and untrained models see structure. */
    public static BufferedImage image(SplittableRandom random, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double[] a = {random.nextDouble(), random.nextDouble(), random.nextDouble()};
        double[] f = {random.nextDouble(0.05, 0.5), random.nextDouble(0.05, 0.5), random.nextDouble(0.05, 0.5)};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    double v = 0.5 + 0.35 * Math.sin(f[c] * (x + 2 * y) + 6 * a[c]) + 0.1 * random.nextDouble(-1, 1);
                    rgb = rgb << 8 | (int) Math.round(255 * Math.clamp(v, 0, 1));
                }
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    public static byte[] png(BufferedImage image) {
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Trains preset for `steps` updates on 4 generated 20x16 images (once per folder and arguments); the run folder. */
    public static Path train(Path dir, String preset, int steps, String... extra) throws IOException {
        Path images = dir.resolve("images");
        if (!Files.isDirectory(images)) {
            Files.createDirectories(images);
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 4; i++) {
                ImageIO.write(image(random, 20, 16), "png", images.resolve(i + ".png").toFile());
            }
        }
        Path run = dir.resolve("run-" + preset + "-" + steps + String.join("", extra).replace("-", ""));
        if (Files.isDirectory(run.resolve("checkpoints"))) {
            return run; // trained by an earlier test of this folder, with the same arguments
        }
        List<String> args = new ArrayList<>(List.of("train", "--preset", preset, "--data", images.toString(), "--out",
                run.toString(), "--steps", Integer.toString(steps), "--batch", "2", "--image-size",
                Integer.toString(IMAGE_SIZE), "--device", "cpu", "--log-every", "1", "--lr", "1e-3", "--warmup-steps", "0"));
        args.addAll(List.of(extra));
        var err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, "rfsq4j train " + args + ": " + err.toString(StandardCharsets.UTF_8));
        return run;
    }
}
