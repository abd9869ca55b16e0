package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.eval.ImageMetrics;
import dev.rfsq4j.eval.InputRange;
import dev.rfsq4j.eval.Lpips;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ImageNormalization;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Evaluation throughput: {@code ImageMetrics.perImage} (L1, both PSNRs, SSIM, MS-SSIM), LPIPS-VGG distances, and
 * LPIPS's forward + backward as a training step runs it, on random images already on the device. Real VGG16
 * weights cannot be shipped, so LPIPS runs with a random VGG16-shaped backbone: the cost is the same, the values
 * are meaningless. Usage: {@code EvalBench cpu|cuda IMAGE_SIZE REPEATS BATCH...}; prints the median of REPEATS
 * calls after one warm-up call, per batch size: wall time, and the process's CPU time (all threads), which on a
 * shared, loaded machine says more about the work than the wall time does.
 */
public final class EvalBench {
    private EvalBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: EvalBench cpu|cuda IMAGE_SIZE REPEATS BATCH...");
            System.exit(2);
        }
        Backend backend = Backend.parse(args[0]);
        int size = Integer.parseInt(args[1]), repeats = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory("rfsq4j-evalbench");
        Path backbone = randomBackbone(dir);
        InputRange range = InputRange.UNIT.ofNormalized(ImageNormalization.IMAGENET_MEAN, ImageNormalization.IMAGENET_STD);
        InputRange loss = InputRange.UNIT_UNSCALED.ofNormalized(ImageNormalization.IMAGENET_MEAN,
                ImageNormalization.IMAGENET_STD);
        try (Device device = Device.open(backend); Lpips lpips = Lpips.load(device, backbone)) {
            System.out.printf(Locale.ROOT, "EvalBench on %s, %dpx images, median of %d calls; LPIPS with a random"
                    + " VGG16-shaped backbone (same cost as the real one)%n", device, size, repeats);
            for (int a = 3; a < args.length; a++) {
                int b = Integer.parseInt(args[a]);
                try (Scope scope = Scope.open(device)) {
                    SplittableRandom random = new SplittableRandom(b);
                    float[] x = new float[b * 3 * size * size], y = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (random.nextGaussian());
                        y[i] = x[i] + (float) (0.2 * random.nextGaussian());
                    }
                    Tensor tx = scope.fromArray(x, b, 3, size, size), ty = scope.fromArray(y, b, 3, size, size);
                    Tensor d = scope.allocate(DType.F32, b), grad = scope.allocate(DType.F32, b, 3, size, size);
                    double[] metrics = median(repeats, () -> ImageMetrics.perImage(tx, ty));
                    double[] distance = median(repeats, () -> lpips.distance(ty, tx, range));
                    double[] step = median(repeats, () -> {
                        lpips.lossAndGradient(ty, tx, loss, 1.0, d, grad);
                        d.toFloatArray(); // waits for the device
                    });
                    System.out.printf(Locale.ROOT, "batch %3d: metrics %8.1f images/s (%7.1f ms, %7.1f ms CPU)"
                            + " | LPIPS distance %6.2f images/s (%8.1f ms, %8.1f ms CPU) | LPIPS forward+backward"
                            + " (training) %8.1f ms per batch (%8.1f ms CPU), %6.2f images/s%n", b, b / metrics[0],
                            1e3 * metrics[0], 1e3 * metrics[1], b / distance[0], 1e3 * distance[0], 1e3 * distance[1],
                            1e3 * step[0], 1e3 * step[1], b / step[0]);
                }
            }
        } finally {
            Files.deleteIfExists(backbone);
            Files.deleteIfExists(dir);
        }
    }

    /** Median wall seconds and median process CPU seconds of repeats calls of body, after one warm-up call. */
    private static double[] median(int repeats, Runnable body) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        body.run();
        double[] wall = new double[repeats], cpu = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime(), cpuStart = os.getProcessCpuTime();
            body.run();
            wall[i] = (System.nanoTime() - start) / 1e9;
            cpu[i] = (os.getProcessCpuTime() - cpuStart) / 1e9;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[repeats / 2], cpu[repeats / 2]};
    }

    /** VGG16's 13 convolutions with torchvision's names and He-normal random weights. */
    private static Path randomBackbone(Path dir) throws Exception {
        int[][] convs = {{0, 3, 64}, {2, 64, 64}, {5, 64, 128}, {7, 128, 128}, {10, 128, 256}, {12, 256, 256},
                {14, 256, 256}, {17, 256, 512}, {19, 512, 512}, {21, 512, 512}, {24, 512, 512}, {26, 512, 512},
                {28, 512, 512}};
        SplittableRandom random = new SplittableRandom(16);
        SafeTensors.Writer w = SafeTensors.writer();
        for (int[] c : convs) {
            float[] weight = new float[c[2] * c[1] * 9];
            double std = Math.sqrt(2.0 / (c[2] * 9));
            for (int i = 0; i < weight.length; i++) {
                weight[i] = (float) (std * random.nextGaussian());
            }
            w.add("features." + c[0] + ".weight", new long[] {c[2], c[1], 3, 3}, weight);
            w.add("features." + c[0] + ".bias", new long[] {c[2]}, new float[c[2]]);
        }
        Path file = dir.resolve("random-vgg16.safetensors");
        w.write(file);
        return file;
    }
}
