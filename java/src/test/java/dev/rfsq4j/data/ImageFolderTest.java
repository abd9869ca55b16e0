package dev.rfsq4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.Python;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImageFolderTest {
    @TempDir
    Path dir;

    @Test
    void anImageOfTheTargetSizeComesBackExactly() throws IOException {
        Random random = new Random(1);
        BufferedImage image = rgb(8, 8, (x, y) -> random.nextInt(1 << 24));
        write(image, "png", "a.png");
        float[] out = load(ImageFolder.open(dir, 8), 0);
        assertArrayEquals(planes(image), out);
    }

    @Test
    void grayscalePaletteAndAlphaBecomeRgb() throws IOException {
        BufferedImage gray = new BufferedImage(6, 6, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage gray16 = new BufferedImage(6, 6, BufferedImage.TYPE_USHORT_GRAY);
        BufferedImage rgba = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
        BufferedImage palette = new BufferedImage(6, 6, BufferedImage.TYPE_BYTE_INDEXED);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                gray.getRaster().setSample(x, y, 0, 7 * (x + 6 * y));
                gray16.getRaster().setSample(x, y, 0, 1800 * (x + 6 * y));
                rgba.setRGB(x, y, (40 * x) << 24 | (10 * x) << 16 | (20 * y) << 8 | (x * y));
                palette.setRGB(x, y, (51 * x) << 16 | (51 * y) << 8 | 102);
            }
        }
        write(gray, "png", "1-gray.png");
        write(gray16, "png", "2-gray16.png");
        write(rgba, "png", "3-rgba.png");
        write(palette, "png", "4-palette.png");
        ImageFolder folder = ImageFolder.open(dir, 6);
        float[] g = load(folder, 0), g16 = load(folder, 1), a = load(folder, 2), p = load(folder, 3);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                int at = y * 6 + x;
                for (int c = 0; c < 3; c++) {
                    // The stored sample in every channel: no gamma conversion as BufferedImage.getRGB would do.
                    assertEquals(7 * (x + 6 * y) / 255f, g[c * 36 + at]);
                    assertEquals((1800 * (x + 6 * y) >> 8) / 255f, g16[c * 36 + at]); // the high byte
                }
                // Alpha dropped, colors not premultiplied.
                assertEquals(10 * x / 255f, a[at]);
                assertEquals(20 * y / 255f, a[36 + at]);
                assertEquals(x * y / 255f, a[72 + at]);
                int rgb = palette.getRGB(x, y);
                assertEquals((rgb >> 16 & 0xFF) / 255f, p[at]);
                assertEquals((rgb >> 8 & 0xFF) / 255f, p[36 + at]);
                assertEquals((rgb & 0xFF) / 255f, p[72 + at]);
            }
        }
    }

    @Test
    void cropsTheCenterRoundingHalfToEvenLikeTorchvision() throws IOException {
        // The short side is already S, so only the crop acts: left = round(2.5) = 2, top = round(3.5) = 4.
        BufferedImage wide = rgb(9, 4, (x, y) -> (20 * x) << 16 | (40 * y) << 8 | 7);
        BufferedImage tall = rgb(4, 11, (x, y) -> (20 * x) << 16 | (20 * y) << 8 | 9);
        write(wide, "png", "wide.png");
        write(tall, "png", "tall.png");
        ImageFolder folder = ImageFolder.open(dir, 4);
        assertArrayEquals(planes(wide.getSubimage(2, 0, 4, 4)), load(folder, folder.files().indexOf(dir.resolve("wide.png"))));
        assertArrayEquals(planes(tall.getSubimage(0, 4, 4, 4)), load(folder, folder.files().indexOf(dir.resolve("tall.png"))));
    }

    @Test
    void downscalingAConstantImageKeepsItConstant() throws IOException {
        write(rgb(50, 37, (x, y) -> 51 << 16 | 128 << 8 | 204), "png", "c.png");
        float[] out = load(ImageFolder.open(dir, 16), 0);
        for (int i = 0; i < out.length; i++) {
            assertEquals(new float[] {0.2f, 128 / 255f, 0.8f}[i / 256], out[i], 1e-6f, "at " + i);
        }
    }

    @Test
    void downscalingAveragesFineStripes() throws IOException {
        // One-pixel stripes reduced 3x. Plain bilinear samples single pixels here (0 or 1 alternately); the
        // antialiasing triangle spans five pixels, weights 1/9 * (1, 2, 3, 2, 1), so outputs alternate 5/9 and 4/9
        // of 255, rounded to 8 bits as Pillow rounds: 142 and 113.
        // (At exactly 2x plain bilinear would also average each pixel pair, so 2x cannot tell them apart.)
        write(rgb(48, 48, (x, y) -> x % 2 == 1 ? 0xFFFFFF : 0), "png", "columns.png");
        write(rgb(48, 48, (x, y) -> y % 2 == 1 ? 0xFFFFFF : 0), "png", "rows.png");
        ImageFolder folder = ImageFolder.open(dir, 16);
        float[] columns = load(folder, 0), rows = load(folder, 1);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 16; y++) {
                for (int x = 1; x < 15; x++) { // the edges see a truncated filter
                    assertEquals(x % 2 == 0 ? 142 / 255f : 113 / 255f, columns[c * 256 + y * 16 + x]);
                    assertEquals(x % 2 == 0 ? 142 / 255f : 113 / 255f, rows[c * 256 + x * 16 + y]);
                }
            }
        }
    }

    @Test
    void matchesPillowAsTorchvisionUsesItBitForBit() throws IOException, InterruptedException {
        assumeTrue(Pillow.available(), Python.EXECUTABLE + " with Pillow is not available");
        Random random = new Random(5);
        // Noise is the worst case for rounding; odd sizes, upscaling, one axis unchanged, and a gray PNG.
        write(rgb(37, 23, (x, y) -> random.nextInt(1 << 24)), "png", "down.png");
        write(rgb(5, 7, (x, y) -> random.nextInt(1 << 24)), "png", "up.png");
        write(rgb(300, 211, (x, y) -> (x * 255 / 299) << 16 | (y * 255 / 210) << 8 | (x * y) % 256), "png", "big.png");
        write(rgb(16, 53, (x, y) -> random.nextInt(1 << 24)), "png", "tall.png");
        BufferedImage gray = new BufferedImage(41, 29, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < 41 * 29; p++) {
            gray.getRaster().setSample(p % 41, p / 41, 0, random.nextInt(256));
        }
        write(gray, "png", "gray.png");
        String pillow = Pillow.version();
        for (int s : new int[] {12, 16}) {
            ImageFolder folder = ImageFolder.open(dir, s);
            List<byte[]> expected = Pillow.crops(folder.files(), s);
            for (int i = 0; i < folder.count(); i++) {
                float[] ours = load(folder, i);
                for (int k = 0; k < 3 * s * s; k++) {
                    int c = k % 3, pixel = k / 3;
                    int at = k, size = s, image = i;
                    assertEquals((expected.get(i)[k] & 0xFF) / 255f, ours[c * s * s + pixel],
                            () -> folder.name(image) + " at " + size + " px, byte " + at + " (Pillow " + pillow + ")");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"TURBOJPEG", "IMAGEIO"})
    void cmykJpegsComeOutAsPillowConvertsThem(DataOptions.JpegDecoder decoder) throws IOException, InterruptedException {
        assumeTrue(decoder != DataOptions.JpegDecoder.TURBOJPEG || TurboJpeg.load().isPresent(),
                "libturbojpeg.so.0 is not installed");
        assumeTrue(Python.has("PIL", "numpy"), Python.EXECUTABLE + " with PIL and numpy is not available");
        // Pillow writes CMYK JPEGs as Adobe's software does (inverted inks, APP14 marker), like ImageNet's few.
        Python.Result run = Python.run("""
                import sys
                import numpy as np
                from PIL import Image
                ink = (np.random.RandomState(3).rand(16, 16, 4) * 255).astype('uint8')
                Image.fromarray(ink, 'CMYK').save(sys.argv[1], quality=95)
                """, dir.resolve("cmyk.jpg").toString());
        assertEquals(0, run.exit(), run.output());
        ImageFolder folder = ImageFolder.open(dir, 16, new DataOptions(true, decoder, false));
        byte[] expected = Pillow.crops(folder.files(), 16).getFirst();
        float[] ours = load(folder, 0);
        for (int k = 0; k < expected.length; k++) {
            assertEquals((expected[k] & 0xFF) / 255f, ours[k % 3 * 256 + k / 3], "byte " + k);
        }
    }

    @Test
    void jpegFilesAreFoundInSubfoldersInAnyCaseAndSorted() throws IOException {
        Files.createDirectories(dir.resolve("b/c"));
        BufferedImage constant = rgb(10, 10, (x, y) -> 200 << 16 | 100 << 8 | 50);
        write(constant, "jpeg", "b/c/z.JPG");
        write(constant, "jpeg", "b/a.jpeg");
        write(constant, "png", "a.Png");
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        ImageFolder folder = ImageFolder.open(dir, 10);
        assertEquals(List.of(dir.resolve("a.Png"), dir.resolve("b/a.jpeg"), dir.resolve("b/c/z.JPG")), folder.files());
        assertEquals(3, folder.count());
        assertEquals(10, folder.imageSize());
        float[] out = new float[3 * 3 * 100];
        folder.load(new int[] {2, 1, 0}, out);
        for (int i = 0; i < out.length; i++) {
            assertEquals(new float[] {200 / 255f, 100 / 255f, 50 / 255f}[i / 100 % 3], out[i], 3 / 255f, "at " + i);
        }
    }

    @Test
    void concurrentLoadsAgreeWithSequentialOnes() throws Exception {
        Random random = new Random(9);
        for (int i = 0; i < 6; i++) {
            int w = 20 + random.nextInt(30), h = 20 + random.nextInt(30);
            write(rgb(w, h, (x, y) -> random.nextInt(1 << 24)), "png", "img" + i + ".png");
        }
        ImageFolder folder = ImageFolder.open(dir, 16);
        float[][] expected = new float[6][];
        for (int i = 0; i < 6; i++) {
            expected[i] = load(folder, i);
        }
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int[] indices = {t % 6, (t + 3) % 6, (t * 5) % 6, t % 6};
                futures.add(callers.submit(() -> {
                    float[] out = new float[indices.length * 3 * 256];
                    folder.load(indices, out);
                    for (int i = 0; i < indices.length; i++) {
                        assertArrayEquals(expected[indices[i]], Arrays.copyOfRange(out, i * 768, (i + 1) * 768));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void damagedImagesAreSkippedAndReportedOrRefusedWhenStrict() throws IOException {
        write(rgb(8, 8, (x, y) -> 0x123456), "png", "a-good.png");
        byte[] noise = new byte[500];
        new Random(2).nextBytes(noise);
        Path bad = Files.write(dir.resolve("b-noise.png"), noise);
        byte[] png = Files.readAllBytes(dir.resolve("a-good.png"));
        Path cut = Files.write(dir.resolve("c-cut.png"), Arrays.copyOf(png, png.length / 2));
        write(rgb(8, 8, (x, y) -> 0x654321), "png", "d-good.png");
        ImageFolder strict = ImageFolder.open(dir, 8, new DataOptions(true, DataOptions.JpegDecoder.AUTO, false));
        float[] out = new float[2 * 3 * 64];
        var e = assertThrows(BadImageException.class, () -> strict.load(new int[] {0, 1}, out));
        assertTrue(e.getMessage().startsWith(bad + ": not a PNG or JPEG image"), e.getMessage());
        e = assertThrows(BadImageException.class, () -> strict.load(new int[] {2, 0}, out));
        assertTrue(e.getMessage().startsWith(cut + ": truncated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> strict.load(new int[] {0}, out));
        assertThrows(IndexOutOfBoundsException.class, () -> strict.load(new int[] {0, 4}, out));

        // Lenient (the default): a bad image's slot holds the next usable image, and it is listed once.
        ImageFolder lenient = ImageFolder.open(dir, 8);
        int[] used = lenient.load(new int[] {1, 2}, out);
        assertArrayEquals(new int[] {3, 3}, used);
        float[] good = load(lenient, 3);
        assertArrayEquals(good, Arrays.copyOfRange(out, 0, 192));
        assertArrayEquals(good, Arrays.copyOfRange(out, 192, 384));
        lenient.load(new int[] {2, 1}, out);
        assertEquals(2, lenient.skipped().size(), lenient.skipped().toString());
        assertTrue(lenient.skipped().get(0).startsWith(bad + ": "), lenient.skipped().toString());
        assertTrue(lenient.skipped().get(1).startsWith(cut + ": truncated"), lenient.skipped().toString());
    }

    @ParameterizedTest
    @EnumSource(names = {"TURBOJPEG", "IMAGEIO"})
    void truncatedOrCorruptJpegsAreNeverPadded(DataOptions.JpegDecoder decoder) throws IOException {
        assumeTrue(decoder != DataOptions.JpegDecoder.TURBOJPEG || TurboJpeg.load().isPresent(),
                "libturbojpeg.so.0 is not installed");
        Random random = new Random(7);
        write(rgb(64, 48, (x, y) -> random.nextInt(1 << 24)), "jpeg", "a.jpg");
        byte[] jpeg = Files.readAllBytes(dir.resolve("a.jpg"));
        // Cut short: libjpeg pads the missing rows with gray and only warns; Pillow refuses such a file.
        Path cut = Files.write(dir.resolve("b-cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        // Image data cut short but the end marker there: libjpeg warns that it made up the rest (Pillow does not
        // see the warning and pads silently).
        byte[] ended = Arrays.copyOf(jpeg, jpeg.length * 2 / 3 + 2);
        ended[ended.length - 2] = (byte) 0xFF;
        ended[ended.length - 1] = (byte) 0xD9;
        Path corrupt = Files.write(dir.resolve("c-ended.jpg"), ended);
        ImageFolder folder = ImageFolder.open(dir, 16, new DataOptions(true, decoder, false));
        load(folder, 0);
        var e = assertThrows(BadImageException.class, () -> load(folder, 1));
        assertTrue(e.getMessage().startsWith(cut + ": truncated"), e.getMessage());
        e = assertThrows(BadImageException.class, () -> load(folder, 2));
        assertTrue(e.getMessage().startsWith(corrupt + ": corrupt"), e.getMessage());
    }

    @Test
    void classFoldersBecomeLabelsAndFlatFoldersHaveNone() throws IOException {
        BufferedImage one = rgb(4, 4, (x, y) -> 0x808080);
        Path imagenet = Files.createDirectories(dir.resolve("train"));
        for (String file : List.of("n02/b.JPEG", "n01/x.JPEG", "n01/sub/a.png", "n03/c.jpg")) {
            Files.createDirectories(imagenet.resolve(file).getParent());
            assertTrue(ImageIO.write(one, file.endsWith("png") ? "png" : "jpeg", imagenet.resolve(file).toFile()));
        }
        ImageFolder classes = ImageFolder.open(imagenet, 4);
        assertEquals(List.of("n01", "n02", "n03"), classes.classes());
        assertEquals(List.of("n01/sub/a.png", "n01/x.JPEG", "n02/b.JPEG", "n03/c.jpg"),
                java.util.stream.IntStream.range(0, 4).mapToObj(classes::name).toList());
        assertArrayEquals(new int[] {0, 0, 1, 2}, java.util.stream.IntStream.range(0, 4).map(classes::label).toArray());
        assertTrue(classes.describe().contains("4 images in 3 classes"), classes.describe());
        write(one, "png", "train/loose.png"); // an image at the top level makes the folder flat
        ImageFolder flat = ImageFolder.open(imagenet, 4);
        assertEquals(List.of(), flat.classes());
        assertEquals(-1, flat.label(0));
    }

    @Test
    void missingEmptyOrPlainFilesAreNotImageFolders() throws IOException {
        Path missing = dir.resolve("missing");
        assertEquals(missing + ": no such folder",
                assertThrows(IOException.class, () -> ImageFolder.open(missing, 8)).getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        assertEquals(empty + ": holds no .png, .jpg or .jpeg images",
                assertThrows(IOException.class, () -> ImageFolder.open(empty, 8)).getMessage());
        Path file = Files.writeString(dir.resolve("file.png"), "x");
        assertEquals(file + ": not a folder", assertThrows(IOException.class, () -> ImageFolder.open(file, 8)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageFolder.open(dir, 0));
        // A folder that cannot be listed says which entry and why (the JDK's message is only the path).
        Path looped = Files.createDirectory(dir.resolve("looped"));
        Files.createSymbolicLink(looped.resolve("again"), looped);
        assertEquals(looped + ": cannot list " + looped.resolve("again") + ": a loop of symbolic links",
                assertThrows(IOException.class, () -> ImageFolder.open(looped, 8)).getMessage());
    }

    @Test
    void loadsRealImagenetSamples() throws IOException, InterruptedException {
        Path train = SharedData.path("imagenet-sample-128/train");
        assumeTrue(Files.isDirectory(train), train + " is not available");
        ImageFolder folder = ImageFolder.open(train, 128);
        assertTrue(folder.count() >= 4, folder.count() + " images");
        int[] indices = {0, 1, 2, folder.count() - 1};
        float[] out = new float[indices.length * 3 * 128 * 128];
        folder.load(indices, out);
        int image = 3 * 128 * 128;
        for (int i = 0; i < indices.length; i++) {
            float[] one = Arrays.copyOfRange(out, i * image, (i + 1) * image);
            double mean = 0, square = 0;
            for (float v : one) {
                assertTrue(v >= 0 && v <= 1, "value " + v);
                mean += v;
                square += v * v;
            }
            mean /= image;
            double std = Math.sqrt(square / image - mean * mean);
            assertTrue(mean > 0.02 && mean < 0.98 && std > 0.02, folder.files().get(indices[i]) + ": mean " + mean
                    + ", std " + std + " is not a photo");
        }
        // Identity path: a 128 x 128 JPEG comes back exactly as Pillow decodes it.
        if (Python.has("PIL")) {
            Python.Result run = Python.run("import sys, json\nfrom PIL import Image\n"
                    + "print(json.dumps(list(Image.open(sys.argv[1]).convert('RGB').tobytes())))",
                    folder.files().get(0).toString());
            assertEquals(0, run.exit(), run.output());
            int[] hwc = Arrays.stream(run.output().replaceAll("[\\[\\] ]", "").split(",")).mapToInt(Integer::parseInt)
                    .toArray();
            for (int k = 0; k < hwc.length; k++) {
                assertEquals(hwc[k] / 255f, out[k % 3 * 128 * 128 + k / 3], "byte " + k);
            }
        }
    }

    private static float[] load(ImageFolder folder, int index) throws IOException {
        int s = folder.imageSize();
        float[] out = new float[3 * s * s];
        folder.load(new int[] {index}, out);
        return out;
    }

    private static BufferedImage rgb(int w, int h, IntBinaryOperator pixel) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, pixel.applyAsInt(x, y));
            }
        }
        return image;
    }

    /** The image's RGB as CHW planes in [0, 1]. */
    private static float[] planes(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        float[] out = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    out[c * w * h + y * w + x] = (rgb >> (16 - 8 * c) & 0xFF) / 255f;
                }
            }
        }
        return out;
    }

    private void write(BufferedImage image, String format, String name) throws IOException {
        assertTrue(ImageIO.write(image, format, dir.resolve(name).toFile()), "no ImageIO writer for " + format);
    }
}
