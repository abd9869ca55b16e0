package dev.rfsq4j.eval;

import dev.rfsq4j.data.ImageFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The images an evaluation runs on: every image of a folder whose header reads and whose shorter side is at least
 * the model's image size (training upsamples smaller ones; an evaluation would score the blur); the others are
 * counted and named as skipped.
 */
public record EvalSet(Path dir, ImageFolder folder, int[] kept, List<Skipped> skipped) {
    /** An image left out, and why. */
    public record Skipped(Path file, String reason) {}

    /** Opens dir; fails with one line when it is missing, holds no images, or none of them is usable. */
    public static EvalSet open(Path dir, int imageSize) throws IOException {
        ImageFolder folder = ImageFolder.open(dir, imageSize);
        List<Integer> kept = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < folder.count(); i++) {
            Path file = folder.files().get(i);
            try {
                int[] size = dimensions(file);
                if (Math.min(size[0], size[1]) < imageSize) {
                    skipped.add(new Skipped(file, size[0] + "x" + size[1] + " is smaller than " + imageSize + " px"));
                } else {
                    kept.add(i);
                }
            } catch (IOException e) {
                skipped.add(new Skipped(file, "unreadable (" + e.getMessage() + ")"));
            }
        }
        if (kept.isEmpty()) {
            throw new IOException(dir + ": none of its " + folder.count() + " images can be evaluated (" + skipped.size()
                    + " skipped, e.g. " + skipped.get(0).file().getFileName() + ": " + skipped.get(0).reason() + ")");
        }
        return new EvalSet(dir, folder, kept.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(skipped));
    }

    public int count() {
        return kept.length;
    }

    /** The file of the i-th evaluated image. */
    public Path file(int i) {
        return folder.files().get(kept[i]);
    }

    /** Width and height from the image's header, without decoding it. */
    private static int[] dimensions(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException("not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (RuntimeException e) { // ImageIO's readers throw these on some damaged headers
            throw new IOException(e.toString(), e);
        }
    }
}
