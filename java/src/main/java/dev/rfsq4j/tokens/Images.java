package dev.rfsq4j.tokens;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Decoded images: B RGB images of H x W pixels as float planes (B,3,H,W) in [0, 1] (the decoder's output with the
 * input normalization undone, clamped). Immutable.
 */
public record Images(int batch, int height, int width, float[] pixels) {
    public Images {
        if (batch < 1 || height < 1 || width < 1 || pixels.length != 3L * batch * height * width) {
            throw new IllegalArgumentException("images (" + batch + ",3," + height + "," + width + ") need "
                    + 3L * batch * height * width + " floats, got " + pixels.length);
        }
        pixels = pixels.clone();
    }

    @Override
    public float[] pixels() {
        return pixels.clone();
    }

    /** Sample of image b, channel c (0 R, 1 G, 2 B), row y, column x, in [0, 1]. */
    public float pixel(int b, int c, int y, int x) {
        Objects.checkIndex(b, batch);
        Objects.checkIndex(c, 3);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return pixels[((b * 3 + c) * height + y) * width + x];
    }

    /** Image b as 8-bit RGB (each sample rounded to the nearest of 0..255). */
    public BufferedImage image(int b) {
        Objects.checkIndex(b, batch);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width, base = b * 3 * plane;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = to8(pixels[base + i]) << 16 | to8(pixels[base + plane + i]) << 8 | to8(pixels[base + 2 * plane + i]);
        }
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }

    /** Image b as a PNG file's bytes. */
    public byte[] png(int b) {
        var bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image(b), "png", bytes)) {
                throw new IllegalStateException("this JDK has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static int to8(float v) {
        return Math.round(Math.clamp(v, 0f, 1f) * 255f);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Images i && batch == i.batch && height == i.height && width == i.width
                && java.util.Arrays.equals(pixels, i.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batch, height, width, java.util.Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "Images[" + batch + " x " + width + "x" + height + " RGB]";
    }
}
