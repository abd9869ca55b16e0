package dev.rfsq4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JPEG decoders on ImageNet's originals (../shared/data/imagenet-sample-full: 400 photos as published, ~500 x
 * 375, 9 grayscale) against Pillow's decode + torchvision's resize and crop, computed by Pillow.
 */
class JpegDecodeTest {
    private static ImageFolder originals(int size, DataOptions options) throws IOException {
        Path full = SharedData.path("imagenet-sample-full");
        assumeTrue(Files.isDirectory(full), full + " is not available");
        return ImageFolder.open(full, size, options);
    }

    private static byte[] crop(ImageFolder folder, int index, int size) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(3L * size * size);
            folder.decode(index, out, 0);
            return out.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Test
    void turboJpegDecodesEveryOriginalBitForBitAsPillow() throws Exception {
        assumeTrue(TurboJpeg.load().isPresent(), "libturbojpeg.so.0 is not installed (apt-get install libturbojpeg0)");
        assumeTrue(Pillow.available(), "Python with Pillow is not available");
        ImageFolder folder = originals(128, new DataOptions(true, DataOptions.JpegDecoder.TURBOJPEG, false));
        List<byte[]> expected = Pillow.crops(folder.files(), 128);
        String pillow = Pillow.version();
        int gray = 0;
        for (int i = 0; i < folder.count(); i++) {
            byte[] ours = crop(folder, i, 128);
            int image = i;
            assertArrayEquals(expected.get(i), ours, () -> folder.name(image) + " differs from Pillow " + pillow);
            gray += isGray(ours) ? 1 : 0;
        }
        assertTrue(gray >= 9, gray + " grayscale images among the originals (9 expected)");
    }

    @Test
    void imageIoDecodesTheOriginalsAsPillowToo() throws Exception {
        assumeTrue(Pillow.available(), "Python with Pillow is not available");
        ImageFolder folder = originals(128, new DataOptions(true, DataOptions.JpegDecoder.IMAGEIO, false));
        List<Path> some = folder.files().subList(0, 100);
        List<byte[]> expected = Pillow.crops(some, 128);
        int worst = 0;
        long total = 0, exact = 0;
        for (int i = 0; i < some.size(); i++) {
            byte[] ours = crop(folder, i, 128);
            int w = 0;
            for (int k = 0; k < ours.length; k++) {
                int d = Math.abs((ours[k] & 0xFF) - (expected.get(i)[k] & 0xFF));
                w = Math.max(w, d);
                total += d;
            }
            worst = Math.max(worst, w);
            exact += w == 0 ? 1 : 0;
        }
        double mean = total / (100.0 * 128 * 128 * 3);
        System.out.printf("ImageIO vs Pillow on 100 originals: %d exact, worst %d/255, mean %.5f/255%n", exact, worst, mean);
        // The same IDCT and upsampling (libjpeg 6b in the JDK, libjpeg-turbo in Pillow) once the ICC profile is out of
        // ImageIO's way; 6b lacks turbo's fancy upsampling of 4:4:0 chroma, so such files may differ slightly.
        assertTrue(exact >= 95, exact + " of 100 identical to Pillow");
        assertTrue(mean <= 0.05, "ImageIO's mean difference to Pillow: " + mean + "/255");
    }

    @Test
    void dctScalingMatchesPillowsDraftAndStaysNearItsFullDecode() throws Exception {
        assumeTrue(TurboJpeg.load().isPresent(), "libturbojpeg.so.0 is not installed (apt-get install libturbojpeg0)");
        assumeTrue(Pillow.available(), "Python with Pillow is not available");
        // At 32 px nearly every original is over 2 x 2 x 32 on its shorter side: decoded at 1/2, 1/4 or 1/8.
        int size = 32;
        ImageFolder folder = originals(size, new DataOptions(true, DataOptions.JpegDecoder.TURBOJPEG, true));
        List<Path> files = folder.files().subList(0, 100);
        int[] dct = new int[files.size()];
        int scaled = 0;
        for (int i = 0; i < dct.length; i++) {
            try (var in = javax.imageio.ImageIO.createImageInputStream(files.get(i).toFile())) {
                var reader = javax.imageio.ImageIO.getImageReaders(in).next();
                reader.setInput(in);
                dct[i] = ImageDecoder.dctDenominator(reader.getWidth(0), reader.getHeight(0), size);
                reader.dispose();
            }
            scaled += dct[i] > 1 ? 1 : 0;
        }
        assertTrue(scaled > files.size() / 2, scaled + " of " + files.size() + " images DCT-scaled");
        List<byte[]> draft = Pillow.crops(files, size, dct);
        List<byte[]> full = Pillow.crops(files, size);
        int worst = 0;
        long total = 0;
        for (int i = 0; i < files.size(); i++) {
            byte[] ours = crop(folder, i, size);
            int image = i;
            assertArrayEquals(draft.get(i), ours, () -> folder.name(image) + " (1/" + dct[image] + ") differs from Pillow's"
                    + " draft decode");
            for (int k = 0; k < ours.length; k++) {
                int d = Math.abs((ours[k] & 0xFF) - (full.get(i)[k] & 0xFF));
                worst = Math.max(worst, d);
                total += d;
            }
        }
        double mean = total / ((double) files.size() * size * size * 3);
        System.out.printf("DCT scaling vs Pillow's full decode at %d px, %d of %d images scaled: worst %d/255, mean %.3f/255%n",
                size, scaled, files.size(), worst, mean);
        // Measured on all 400 originals: mean 1.25/255, worst 62/255 (sharp edges): an approximation, hence opt-in.
        assertTrue(mean < 1.5, "mean difference " + mean + "/255");
        assertTrue(worst < 80, "worst difference " + worst + "/255");
    }

    private static boolean isGray(byte[] rgb) {
        for (int k = 0; k < rgb.length; k += 3) {
            if (rgb[k] != rgb[k + 1] || rgb[k] != rgb[k + 2]) {
                return false;
            }
        }
        return true;
    }
}
