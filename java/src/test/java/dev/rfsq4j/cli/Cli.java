package dev.rfsq4j.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;

/** The command line run in-process ({@link Main#run}) with its output kept, and the inputs the CLI tests share. */
final class Cli {
    private Cli() {}

    /** A finished command: exit status, stdout and stderr. */
    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    /** count images of width x height with hashed colors in folder (created), named i.png, or i.jpg where jpeg(i). */
    static Path hashedImages(Path folder, int count, int width, int height, IntPredicate jpeg) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < width * height; p++) {
                img.setRGB(p % width, p / width, (int) ((p * 2654435761L + i * 40503L) & 0xFFFFFF));
            }
            boolean j = jpeg.test(i);
            ImageIO.write(img, j ? "jpeg" : "png", folder.resolve(i + (j ? ".jpg" : ".png")).toFile());
        }
        return folder;
    }
}
