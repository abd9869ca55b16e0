package dev.rfsq4j.bench;

import dev.rfsq4j.data.Augment;
import dev.rfsq4j.data.DataOptions;
import dev.rfsq4j.data.ImageSource;
import dev.rfsq4j.data.Prepare;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * The data loader alone: batches of B random images (a fresh permutation per epoch, as training draws them)
 * assembled by {@link ImageSource#load} into one native buffer of float32 (B, 3, S, S), on the shared loader
 * pool (one thread per processor). Reports images/s of wall time and the process's CPU seconds. Usage:
 * {@code LoaderBench DATA SIZE BATCH WARMUP BATCHES [none|crop,flip]} where DATA is shards, an image folder, or
 * {@code synthetic:N}: N random 4:3 PNGs written to a temporary folder and prepared into shards first (for
 * machines without the shared data, such as the GPU round's).
 */
public final class LoaderBench {
    private LoaderBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: LoaderBench DATA SIZE BATCH WARMUP BATCHES [none|crop|flip|crop,flip]");
            System.exit(2);
        }
        int size = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]), batches = Integer.parseInt(args[4]);
        Augment augment = Augment.parse(args.length > 5 ? args[5] : "none", 1234);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Path path = args[0].startsWith("synthetic:") ? synthetic(Integer.parseInt(args[0].substring(10)), size)
                : Path.of(args[0]);
        try (ImageSource data = ImageSource.open(path, size, DataOptions.DEFAULT);
                Arena arena = Arena.ofShared()) {
            MemorySegment out = arena.allocate((long) batch * 3 * size * size * Float.BYTES, 64);
            SplittableRandom random = new SplittableRandom(1234);
            int[] order = permutation(data.count(), random);
            int at = 0;
            int[] indices = new int[batch];
            long start = 0, cpu = 0;
            for (int b = 0; b < warmup + batches; b++) {
                if (b == warmup) {
                    start = System.nanoTime();
                    cpu = os.getProcessCpuTime();
                }
                for (int i = 0; i < batch; i++) {
                    if (at == order.length) {
                        order = permutation(data.count(), random);
                        at = 0;
                    }
                    indices[i] = order[at++];
                }
                data.load(indices, out, augment, b);
            }
            double wall = (System.nanoTime() - start) / 1e9, cpuS = (os.getProcessCpuTime() - cpu) / 1e9;
            System.out.printf(Locale.ROOT, "%s%n  batch %d at %d px, augment %s, %d batches: %.0f images/s (%.2f ms/batch),"
                    + " %.2f CPU s for %.2f s wall on %d processors%n", data.describe(), batch, size, augment, batches,
                    batches * batch / wall, 1e3 * wall / batches, cpuS, wall, Runtime.getRuntime().availableProcessors());
        }
    }

    /** Shards of n random (size * 5/4) x size PNGs, in a temporary folder removed at exit. */
    private static Path synthetic(int n, int size) throws Exception {
        Path dir = Files.createTempDirectory("rfsq4j-loader-bench");
        Path images = Files.createDirectories(dir.resolve("images")), shards = dir.resolve("shards");
        SplittableRandom random = new SplittableRandom(1);
        BufferedImage image = new BufferedImage(size * 5 / 4, size, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            ImageIO.write(image, "png", images.resolve(String.format(Locale.ROOT, "%06d.png", i)).toFile());
        }
        Prepare.run(images, shards, size, Runtime.getRuntime().availableProcessors(), Prepare.defaultImagesPerShard(size),
                DataOptions.DEFAULT, new PrintStream(OutputStream.nullOutputStream()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (Exception e) {
                // best effort: a temporary folder
            }
        }));
        return shards;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
