package dev.rfsq4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Python;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.Npy;
import dev.rfsq4j.nn.ImageNormalization;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * L1, both PSNRs, SSIM and MS-SSIM against scikit-image (and MS-SSIM against a numpy version of its published
 * definition, bench/pytorch/metrics_reference.py) on real photos and distorted copies, to 1e-4.
 */
@ExtendWith(NoLeaks.class)
class ImageMetricsTest {
    static final Path SCRIPT = Python.ORACLES.resolve("metrics_reference.py");
    static final Path SHARED = Path.of("..", "..", "shared", "data");
    static final double TOL = 1e-4;

    @TempDir
    Path tmp;

    static Stream<Arguments> photoSets() throws Exception {
        List<Arguments> sets = new ArrayList<>();
        for (Backend backend : List.of(Backend.CPU, Backend.CUDA)) {
            sets.add(Arguments.of(backend, "imagenet-sample-128 val, 8 photos"));
            sets.add(Arguments.of(backend, "lpips examples, 64 px"));
        }
        return sets.stream();
    }

    private static List<String> photos(String set) throws Exception {
        if (set.startsWith("imagenet")) {
            Path val = SHARED.resolve("imagenet-sample-128").resolve("val");
            assumeTrue(Files.isDirectory(val), val + " is absent (../shared not mounted): skipped");
            try (Stream<Path> files = Files.list(val)) {
                return files.map(Path::toString).sorted().limit(8).toList();
            }
        }
        Path dir = SHARED.resolve("lpips-examples");
        assumeTrue(Files.isDirectory(dir), dir + " is absent (../shared not mounted): skipped");
        String ref = dir.resolve("ex_ref.png").toString(), p0 = dir.resolve("ex_p0.png").toString(),
                p1 = dir.resolve("ex_p1.png").toString();
        // The two real distortions of LPIPS's triplet, then synthetic ones of its photos.
        return List.of(ref + ":" + p0, ref + ":" + p1, p0, p1, ref);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("photoSets")
    void agreeWithScikitImage(Backend backend, String set) throws Exception {
        assumeTrue(Python.has("skimage", "numpy", "PIL"), Python.EXECUTABLE + " lacks scikit-image, numpy or Pillow "
                + "(apt-get install python3-skimage, or RFSQ_PYTHON): metrics not checked against scikit-image");
        List<String> args = new ArrayList<>(List.of(tmp.toString()));
        args.addAll(photos(set));
        try (Device device = Backends.open(backend)) {
            Python.Result r = Python.run(Files.readString(SCRIPT), args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.output());
            List<ImageScores> got = scores(device, tmp.resolve("x.npy"), tmp.resolve("xhat.npy"));
            List<String> expected = Files.readAllLines(tmp.resolve("expected.txt"));
            assertEquals(expected.size(), got.size());
            double[] worst = new double[5];
            String[] names = {"l1", "psnr (8-bit, skimage)", "psnr (paper)", "ssim (skimage)", "ms-ssim"};
            for (int i = 0; i < got.size(); i++) {
                String[] e = expected.get(i).trim().split(" ");
                ImageScores s = got.get(i);
                double[] values = {s.l1(), s.psnr(), s.psnrPaper(), s.ssim(), s.msSsim()};
                for (int k = 0; k < 5; k++) {
                    double want = Double.parseDouble(e[k]);
                    close(set + " pair " + i + " on " + backend + " " + names[k], want, values[k]);
                    worst[k] = Double.isInfinite(want) ? worst[k] : Math.max(worst[k], Math.abs(want - values[k]));
                }
            }
            System.out.printf("ImageMetricsTest %s on %s: largest |difference| l1 %.1e, psnr %.1e, psnr (paper) %.1e,"
                    + " ssim %.1e, ms-ssim %.1e%n", set, backend, worst[0], worst[1], worst[2], worst[3], worst[4]);
        }
    }

    private static List<ImageScores> scores(Device device, Path x, Path xhat) throws Exception {
        Npy.Floats a = Npy.readFloats(x), b = Npy.readFloats(xhat);
        try (Scope scope = Scope.openPoisoned(device)) {
            return ImageMetrics.perImage(scope.fromArray(a.data(), a.shape()), scope.fromArray(b.data(), b.shape()));
        }
    }

    private static void close(String what, double expected, double got) {
        if (Double.isInfinite(expected)) {
            assertEquals(expected, got, what);
        } else {
            assertTrue(Math.abs(expected - got) <= TOL, what + ": expected " + expected + ", got " + got);
        }
    }

    @Test
    void toRgb8GivesTheEightBitValuesOfAPhoto() throws Exception {
        Path dir = SHARED.resolve("lpips-examples");
        assumeTrue(Files.isDirectory(dir), dir + " is absent (../shared not mounted): skipped");
        BufferedImage img = ImageIO.read(dir.resolve("ex_ref.png").toFile());
        int h = img.getHeight(), w = img.getWidth();
        float[] x = new float[3 * h * w];
        int[] expected = new int[x.length];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < h * w; p++) {
                int v = img.getRGB(p % w, p / w) >> (16 - 8 * c) & 0xFF;
                expected[c * h * w + p] = v;
                x[c * h * w + p] = (float) ((v / 255f - ImageNormalization.IMAGENET_MEAN[c])
                        / ImageNormalization.IMAGENET_STD[c]);
            }
        }
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            assertArrayEquals(expected, ImageMetrics.toRgb8(scope.fromArray(x, 1, 3, h, w)), "a photo survives the round trip");
        }
    }

    @Test
    void msSsimScalesFitTheWindow() {
        assertEquals(4, ImageMetrics.msSsimScales(128, 128)); // 128, 64, 32, 16 px; 8 px would not hold 11x11
        assertEquals(3, ImageMetrics.msSsimScales(64, 64));
        assertEquals(5, ImageMetrics.msSsimScales(176, 300));
        assertEquals(1, ImageMetrics.msSsimScales(11, 21));
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void identicalImagesScorePerfectly(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            float[] x = Seeds.gaussian(Seeds.random("identical"), 2 * 3 * 32 * 40, 1.0);
            Tensor a = scope.fromArray(x, 2, 3, 32, 40), b = scope.fromArray(x, 2, 3, 32, 40);
            for (ImageScores s : ImageMetrics.perImage(a, b)) {
                assertEquals(0, s.l1());
                assertEquals(Double.POSITIVE_INFINITY, s.psnr());
                assertEquals(Double.POSITIVE_INFINITY, s.psnrPaper());
                assertEquals(1, s.ssim(), 1e-6);
                assertEquals(1, s.msSsim(), 1e-6);
            }
        }
    }

    @Test
    void badInputFailsClearly() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            SplittableRandom random = Seeds.random("bad metrics input");
            Tensor x = scope.fromArray(Seeds.gaussian(random, 3 * 16 * 16, 1), 1, 3, 16, 16);
            Tensor other = scope.fromArray(Seeds.gaussian(random, 3 * 16 * 15, 1), 1, 3, 16, 15);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageMetrics.perImage(x, other)).getMessage()
                    .contains("reconstructions must be float32 (1,3,16,16)"));
            // Below SSIM's 11x11 window: L1 and PSNR as always, SSIM and MS-SSIM undefined (NaN).
            Tensor small = scope.fromArray(Seeds.gaussian(random, 3 * 10 * 12, 1), 1, 3, 10, 12);
            Tensor smallHat = scope.fromArray(Seeds.gaussian(random, 3 * 10 * 12, 1), 1, 3, 10, 12);
            ImageScores s = ImageMetrics.perImage(small, smallHat).get(0);
            assertTrue(s.l1() > 0 && Double.isFinite(s.psnr()) && Double.isNaN(s.ssim()) && Double.isNaN(s.msSsim()),
                    s.toString());
            Tensor gray = scope.fromArray(new float[16 * 16], 1, 1, 16, 16);
            assertThrows(IllegalArgumentException.class, () -> ImageMetrics.perImage(gray, gray));
            float[] nan = Seeds.gaussian(random, 3 * 16 * 16, 1);
            nan[77] = Float.NaN;
            Tensor bad = scope.fromArray(nan, 1, 3, 16, 16);
            RfsqException e = assertThrows(RfsqException.class, () -> ImageMetrics.perImage(x, bad));
            assertTrue(e.getMessage().contains("rfsq_image_errors") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }
}
