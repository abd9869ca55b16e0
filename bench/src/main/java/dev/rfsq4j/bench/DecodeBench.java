package dev.rfsq4j.bench;

import dev.rfsq4j.data.DataOptions;
import dev.rfsq4j.data.ImageFolder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;

/**
 * JPEG decode + resize + center crop (what training and {@code rfsq4j prepare} do per image) on one thread, per
 * decoder: ImageIO, TurboJPEG, and TurboJPEG with DCT scaling. Reports images per second of the thread's CPU time
 * (images/s per core, steady under other load) and of wall time. Usage: {@code DecodeBench DIR SIZE PASSES
 * [imageio|turbojpeg|turbojpeg-dct ...]}; the first pass warms up and is not counted.
 */
public final class DecodeBench {
    private DecodeBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: DecodeBench DIR SIZE PASSES [imageio|turbojpeg|turbojpeg-dct ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int size = Integer.parseInt(args[1]), passes = Integer.parseInt(args[2]);
        String[] decoders = args.length > 3 ? java.util.Arrays.copyOfRange(args, 3, args.length)
                : new String[] {"imageio", "turbojpeg", "turbojpeg-dct"};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String name : decoders) {
            DataOptions options = switch (name) {
                case "imageio" -> new DataOptions(true, DataOptions.JpegDecoder.IMAGEIO, false);
                case "turbojpeg" -> new DataOptions(true, DataOptions.JpegDecoder.TURBOJPEG, false);
                case "turbojpeg-dct" -> new DataOptions(true, DataOptions.JpegDecoder.TURBOJPEG, true);
                default -> throw new IllegalArgumentException("unknown decoder " + name);
            };
            ImageFolder folder = ImageFolder.open(dir, size, options);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(3L * size * size);
                for (int i = 0; i < folder.count(); i++) { // warm-up pass
                    folder.decode(i, out, 0);
                }
                long cpu = threads.getCurrentThreadCpuTime(), wall = System.nanoTime();
                for (int p = 0; p < passes; p++) {
                    for (int i = 0; i < folder.count(); i++) {
                        folder.decode(i, out, 0);
                    }
                }
                double cpuS = (threads.getCurrentThreadCpuTime() - cpu) / 1e9, wallS = (System.nanoTime() - wall) / 1e9;
                long n = (long) passes * folder.count();
                System.out.printf(Locale.ROOT, "%-14s %d images x %d passes to %d px: %7.1f images/s per core (CPU %.2f s),"
                        + " %7.1f images/s wall%n", name, folder.count(), passes, size, n / cpuS, cpuS, n / wallS);
            }
        }
    }
}
