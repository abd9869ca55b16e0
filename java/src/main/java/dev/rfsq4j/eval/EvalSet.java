package dev.rfsq4j.eval;

import dev.rfsq4j.data.DataOptions;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.data.ImageSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The images an evaluation runs on: a folder of images or the shards {@code rfsq4j prepare} made from one (see
 * {@link ImageSource}). In a folder, an image whose shorter side is below the model's image size is left out
 * (training upsamples such images; an evaluation would score the blur), and so is one whose header does not read;
 * shards hold images already resized, so every one is kept. An image that fails to decode when its batch is loaded
 * is left out too (its slot is dropped, not filled by another image). Every image left out is listed with why.
 */
public final class EvalSet implements AutoCloseable {
    /** An image left out, and why. */
    public record Skipped(Path file, String reason) {}

    private final Path dir;
    private final ImageSource source;
    private final int[] kept;
    private final List<Skipped> skipped;

    private EvalSet(Path dir, ImageSource source, int[] kept, List<Skipped> skipped) {
        this.dir = dir;
        this.source = source;
        this.kept = kept;
        this.skipped = skipped;
    }

    /** Opens data; fails with one line when it is missing, holds no images, or none of them is usable. */
    public static EvalSet open(Path data, int imageSize) throws IOException {
        ImageSource source = ImageSource.open(data, imageSize, DataOptions.DEFAULT);
        try {
            List<Integer> kept = new ArrayList<>();
            List<Skipped> skipped = new ArrayList<>();
            for (int i = 0; i < source.count(); i++) {
                if (!(source instanceof ImageFolder)) {
                    kept.add(i);
                    continue;
                }
                Path file = data.resolve(source.name(i));
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
                throw new IOException(data + ": none of its " + source.count() + " images can be evaluated (" + skipped.size()
                        + " skipped, e.g. " + skipped.get(0).file().getFileName() + ": " + skipped.get(0).reason() + ")");
            }
            return new EvalSet(data, source, kept.stream().mapToInt(Integer::intValue).toArray(), skipped);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** The folder (or shards) evaluated. */
    public Path dir() {
        return dir;
    }

    /** Images to evaluate (those left out when a batch was loaded are counted in {@link #skipped()} instead). */
    public int count() {
        return kept.length;
    }

    /** The file of the i-th evaluated image. */
    public Path file(int i) {
        return dir.resolve(source.name(kept[i]));
    }

    /** Images left out so far, and why. */
    public List<Skipped> skipped() {
        return List.copyOf(skipped);
    }

    /**
     * Loads images first .. first + n - 1 of the set (CHW floats in [0, 1], one after another, into pixels) and returns
     * the positions in the set of those that decoded, in order; an image that did not is left out of pixels (the rows
     * after it move up) and added to {@link #skipped()}.
     */
    public int[] load(int first, int n, float[] pixels) throws IOException {
        int[] indices = Arrays.copyOfRange(kept, first, first + n);
        int[] used = source.load(indices, pixels);
        int image = pixels.length / n;
        int rows = 0;
        int[] loaded = new int[n];
        for (int i = 0; i < n; i++) {
            if (used[i] != indices[i]) {
                skipped.add(new Skipped(file(first + i), "could not be decoded (" + reasonFor(indices[i]) + ")"));
                continue;
            }
            if (rows != i) {
                System.arraycopy(pixels, i * image, pixels, rows * image, image);
            }
            loaded[rows++] = first + i;
        }
        return Arrays.copyOf(loaded, rows);
    }

    private String reasonFor(int index) {
        String name = source.name(index);
        return source.skipped().stream().filter(m -> m.contains(name)).findFirst().orElse("see the log");
    }

    @Override
    public void close() {
        source.close();
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
