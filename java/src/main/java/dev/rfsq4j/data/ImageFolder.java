package dev.rfsq4j.data;

import dev.rfsq4j.io.Messages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A folder of PNG and JPEG images (searched recursively), each decoded on demand as {@link ImageSource} describes:
 * torchvision's {@code Resize(S)} + {@code CenterCrop(S)} + {@code ToTensor()} on the image as Pillow's
 * {@code convert("RGB")} gives it, bit for bit where both decode the JPEG alike (see {@link ImageDecoder},
 * {@link ResizeCrop}). Images in class folders ({@code <class>/<...>/<file>}, ImageNet's layout) are labeled by
 * their class folder; a folder with images at its top level is flat (labels -1).
 */
public final class ImageFolder implements ImageSource {
    private final Path dir;
    private final int size;
    private final List<Path> files;
    private final List<String> classes;
    private final int[] labels;
    private final ImageDecoder decoder;
    private final Batches batches;

    private ImageFolder(Path dir, int size, List<Path> files, List<String> classes, int[] labels, ImageDecoder decoder,
            boolean strict) {
        this.dir = dir;
        this.size = size;
        this.files = files;
        this.classes = classes;
        this.labels = labels;
        this.decoder = decoder;
        this.batches = new Batches(dir.toString(), files.size(), size, strict, (index, cursor) -> {
            decoder.decode(files.get(index), size, cursor.scratch, 0);
            cursor.segment = cursor.scratch;
            cursor.offset = 0;
            cursor.checked = false;
        }, null, 1);
    }

    /** {@link #open(Path, int, DataOptions)} with {@link DataOptions#DEFAULT}. */
    public static ImageFolder open(Path dir, int size) throws IOException {
        return open(dir, size, DataOptions.DEFAULT);
    }

    /**
     * Lists *.png, *.jpg, *.jpeg (any case) under dir recursively (following links), sorted by relative path; fails
     * clearly if dir is missing, not a folder, or holds no images.
     */
    public static ImageFolder open(Path dir, int size, DataOptions options) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + size);
        }
        if (!Files.exists(dir)) {
            throw new IOException(dir + ": no such folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            files = walk.filter(ImageFolder::isImage).map(dir::relativize).sorted().map(dir::resolve).toList();
        } catch (UncheckedIOException | IOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            String where = cause instanceof FileSystemException f && f.getFile() != null && !f.getFile().equals(dir.toString())
                    ? " " + f.getFile() : "";
            throw new IOException(dir + ": cannot list" + where + ": " + Messages.reason(cause), cause);
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": holds no .png, .jpg or .jpeg images");
        }
        boolean flat = files.stream().anyMatch(f -> dir.relativize(f).getNameCount() < 2);
        List<String> classes = flat ? List.of()
                : List.copyOf(new TreeSet<>(files.stream().map(f -> dir.relativize(f).getName(0).toString()).toList()));
        Map<String, Integer> classIndex = new HashMap<>();
        for (String c : classes) {
            classIndex.put(c, classIndex.size());
        }
        int[] labels = new int[files.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = flat ? -1 : classIndex.get(dir.relativize(files.get(i)).getName(0).toString());
        }
        return new ImageFolder(dir, size, files, classes, labels, ImageDecoder.of(options), options.strict());
    }

    @Override
    public int count() {
        return files.size();
    }

    @Override
    public int imageSize() {
        return size;
    }

    /** The image files, sorted by their path relative to the folder; unmodifiable. */
    public List<Path> files() {
        return files;
    }

    @Override
    public String name(int index) {
        Path relative = dir.relativize(files.get(index));
        List<String> parts = new ArrayList<>();
        relative.forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public int[] load(int[] indices, MemorySegment out, Augment augment, long step) throws IOException {
        return batches.load(indices, out, augment, step);
    }

    /**
     * Decodes image index into dst[offset, offset + S * S * 3) as 8-bit RGB, row-major (HWC): what shards store.
     * A bad image throws {@link BadImageException} naming the file, strict or not.
     */
    public void decode(int index, MemorySegment dst, long offset) throws IOException {
        decoder.decode(files.get(index), size, dst, offset);
    }

    /**
     * Decodes one PNG or JPEG file's contents (encoded: the bytes of the file; name: what messages call it) and writes
     * it into out[offset ..] as three S x S planes in [0, 1], exactly as {@link #load} treats a folder's files (with
     * {@link DataOptions#DEFAULT}'s decoder). A bad image throws {@link BadImageException} naming it.
     */
    public static void decodeImage(byte[] encoded, String name, int size, float[] out, int offset) throws IOException {
        checkPlanes(size, out, offset);
        MemorySegment hwc = MemorySegment.ofArray(new byte[3 * size * size]);
        Defaults.DECODER.decode(encoded, encoded.length, name, size, hwc, 0);
        Batches.planes(hwc, size, out, offset);
    }

    /**
     * Resizes and crops an image into out[offset ..] as three S x S planes of RGB in [0, 1], exactly as {@link #load}
     * treats a decoded file (RGB, grayscale and palette images; alpha is dropped).
     *
     * @throws IllegalArgumentException for an image of another color model (CMYK, say)
     */
    public static void toPlanes(BufferedImage image, int size, float[] out, int offset) {
        checkPlanes(size, out, offset);
        MemorySegment hwc = MemorySegment.ofArray(new byte[3 * size * size]);
        ImageDecoder.crop(image, size, hwc, 0);
        Batches.planes(hwc, size, out, offset);
    }

    private static void checkPlanes(int size, float[] out, int offset) {
        if (size < 1 || offset < 0 || (long) offset + 3L * size * size > out.length) {
            throw new IllegalArgumentException("3 planes of " + size + " x " + size + " floats at " + offset
                    + " do not fit in " + out.length + " floats");
        }
    }

    /** The decoder of {@link #decodeImage}, made on first use. */
    private static final class Defaults {
        static final ImageDecoder DECODER = ImageDecoder.of(DataOptions.DEFAULT);
    }

    @Override
    public List<String> skipped() {
        return batches.skipped();
    }

    /** "TurboJPEG" or "ImageIO". */
    public String jpegDecoder() {
        return decoder.jpegDecoder();
    }

    /** A one-line notice when the fastest JPEG decoder is not available (ImageIO is used instead), else null. */
    public String decoderNotice() {
        return decoder.notice();
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "folder %s: %d images%s, decoded to %d px (JPEG: %s)", dir, files.size(),
                classes.isEmpty() ? "" : " in " + classes.size() + " classes", size, decoder.jpegDecoder());
    }

    /** Nothing to release: a folder holds no open files. */
    @Override
    public void close() {}

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) && Files.isRegularFile(p);
    }
}
