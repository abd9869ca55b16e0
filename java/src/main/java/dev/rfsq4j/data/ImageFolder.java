package dev.rfsq4j.data;

import dev.rfsq4j.io.Messages;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A folder of PNG and JPEG images, decoded into S x S RGB float planes as torchvision's
 * {@code Compose([Resize(S), CenterCrop(S), ToTensor()])} does on PIL images: the shorter side is resized to S and
 * the longer to {@code int(S * long / short)} with Pillow's antialiased bilinear filter, then the center S x S is
 * cut ({@code top = round((h - S) / 2)}, Python's half-to-even rounding), and samples are scaled to [0, 1].
 *
 * <p>Samples are used as stored, as Pillow does: embedded color profiles are ignored, grayscale is replicated to
 * R, G and B (not gamma-converted the way {@link BufferedImage#getRGB} converts it), palettes are looked up, alpha
 * is dropped. Unlike Pillow, 16-bit PNGs are scaled by 1/65535 (Pillow clips them). The resampling runs in float
 * and is not rounded to 8 bits between its passes, so results differ from Pillow's by at most about 1/255.
 * CMYK and YCCK JPEGs (a few in ImageNet) are converted to RGB as Pillow converts them.
 *
 * <p>Safe for concurrent {@link #load} calls. Decoding runs on a shared pool of daemon threads, one per processor.
 */
public final class ImageFolder {
    /** Pillow's decompression-bomb limit: larger images are surely a mistake or an attack. */
    private static final long MAX_PIXELS = 178_956_970L;
    private static final ExecutorService POOL = pool();

    private final Path dir;
    private final int size;
    private final List<Path> files;

    private ImageFolder(Path dir, int size, List<Path> files) {
        this.dir = dir;
        this.size = size;
        this.files = files;
    }

    /**
     * Lists *.png, *.jpg, *.jpeg (any case) under dir recursively (following links), sorted by relative path; fails
     * clearly if dir is missing, not a folder, or holds no images.
     */
    public static ImageFolder open(Path dir, int size) throws IOException {
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
        return new ImageFolder(dir, size, files);
    }

    public int count() {
        return files.size();
    }

    public int imageSize() {
        return size;
    }

    /** The image files, sorted by their path relative to the folder; unmodifiable. */
    public List<Path> files() {
        return files;
    }

    /**
     * Decodes images files()[indices[i]] into out (indices.length x 3 x S x S, CHW planes, RGB, values in [0,1]);
     * decodes in parallel (a bounded pool, not the common pool); a corrupt or unreadable image fails with an
     * IOException naming the file, and then the contents of out are unspecified.
     */
    public void load(int[] indices, float[] out) throws IOException {
        int image = 3 * size * size;
        if (out.length != (long) indices.length * image) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, " + indices.length + " images of 3 x "
                    + size + " x " + size + " need " + (long) indices.length * image);
        }
        for (int index : indices) {
            if (index < 0 || index >= files.size()) {
                throw new IndexOutOfBoundsException("image index " + index + " out of [0, " + files.size() + ") in " + dir);
            }
        }
        AtomicBoolean failed = new AtomicBoolean();
        List<Callable<Void>> tasks = new ArrayList<>(indices.length);
        for (int i = 0; i < indices.length; i++) {
            Path file = files.get(indices[i]);
            int offset = i * image;
            tasks.add(() -> {
                if (!failed.get()) { // after a failure the batch is lost: skip the rest
                    try {
                        decodeInto(file, size, out, offset);
                    } catch (IOException | RuntimeException e) {
                        failed.set(true);
                        throw e;
                    }
                }
                return null;
            });
        }
        List<Future<Void>> done;
        try {
            done = POOL.invokeAll(tasks); // waits for every task, so none writes into out after we return
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while decoding images from " + dir);
        }
        for (Future<Void> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw new IOException(io.getMessage(), io);
                }
                throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                throw new AssertionError("a finished future does not wait", e);
            }
        }
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg")) && Files.isRegularFile(p);
    }

    /**
     * Decodes one PNG or JPEG file's contents (encoded: the bytes of the file; name: what messages call it) and
     * resizes and crops it into out[offset ..] as three S x S planes, exactly as {@link #load} treats a folder's files.
     */
    public static void decodeImage(byte[] encoded, String name, int size, float[] out, int offset) throws IOException {
        checkPlanes(size, out, offset);
        resizeCrop(decode(encoded, name), name, size, out, offset);
    }

    /**
     * Resizes and crops an image into out[offset ..] as three S x S planes of RGB in [0, 1], exactly as {@link #load}
     * treats a decoded file (RGB, grayscale and palette images; alpha is dropped).
     *
     * @throws IllegalArgumentException for an image of another color model (CMYK, say)
     */
    public static void toPlanes(BufferedImage image, int size, float[] out, int offset) {
        checkPlanes(size, out, offset);
        try {
            resizeCrop(image, "image", size, out, offset);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static void checkPlanes(int size, float[] out, int offset) {
        if (size < 1 || offset < 0 || (long) offset + 3L * size * size > out.length) {
            throw new IllegalArgumentException("3 planes of " + size + " x " + size + " floats at " + offset
                    + " do not fit in " + out.length + " floats");
        }
    }

    /** Decodes, resizes and crops one image into out[offset ..] as three S x S planes. */
    private static void decodeInto(Path file, int size, float[] out, int offset) throws IOException {
        resizeCrop(decode(file.toFile(), file.toString()), file.toString(), size, out, offset);
    }

    private static void resizeCrop(BufferedImage image, String file, int size, float[] out, int offset) throws IOException {
        int w = image.getWidth(), h = image.getHeight();
        // torchvision's Resize(S): the shorter side becomes S, the longer int(S * long / short) (truncated).
        int nw = w <= h ? size : (int) ((double) ((long) size * w) / h);
        int nh = w <= h ? (int) ((double) ((long) size * h) / w) : size;
        Resize cols = Resize.axis(w, nw, (int) Math.rint((nw - size) / 2.0), size);
        Resize rows = Resize.axis(h, nh, (int) Math.rint((nh - size) / 2.0), size);
        int rowLo = rows.start()[0];
        int rowHi = rows.start()[size - 1] + rows.length()[size - 1];
        RowReader reader = rowReader(file, image);

        // Horizontal pass over the input rows the crop needs, then the vertical pass, like Pillow.
        float[][] wide = new float[3][w];
        float[][] narrow = new float[3][(rowHi - rowLo) * size];
        for (int y = rowLo; y < rowHi; y++) {
            reader.read(y, wide);
            for (int c = 0; c < 3; c++) {
                filter(cols, wide[c], 0, narrow[c], (y - rowLo) * size);
            }
        }
        float[] column = new float[rowHi - rowLo];
        float[] result = new float[size];
        for (int c = 0; c < 3; c++) {
            int plane = offset + c * size * size;
            for (int x = 0; x < size; x++) {
                for (int y = 0; y < column.length; y++) {
                    column[y] = narrow[c][y * size + x];
                }
                filter(rows, column, -rowLo, result, 0);
                for (int y = 0; y < size; y++) {
                    out[plane + y * size + x] = Math.clamp(result[y], 0f, 1f); // float rounding may leave [0, 1]
                }
            }
        }
    }

    /** dst[dstAt + i] = the weighted sum of src[srcAt + start[i] ...] for every output i. */
    private static void filter(Resize r, float[] src, int srcAt, float[] dst, int dstAt) {
        for (int i = 0; i < r.start().length; i++) {
            int base = srcAt + r.start()[i];
            int wi = i * r.stride();
            float sum = 0;
            for (int k = 0; k < r.length()[i]; k++) {
                sum += src[base + k] * r.weights()[wi + k];
            }
            dst[dstAt + i] = sum;
        }
    }

    /** source: a File, or a byte[] of a file's contents (read from memory, no cache file); file: what messages call it. */
    private static BufferedImage decode(Object source, String file) throws IOException {
        try (ImageInputStream in = source instanceof byte[] bytes
                ? new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))
                : ImageIO.createImageInputStream(source)) {
            if (in == null) {
                throw new IOException(file + ": cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file + ": not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new IOException(file + ": " + reader.getWidth(0) + " x " + reader.getHeight(0)
                            + " pixels is more than the limit of " + MAX_PIXELS);
                }
                if (isCmykJpeg(reader)) {
                    return cmykToRgb(file, reader);
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file + ": ")) {
                throw e;
            }
            throw new IOException(file + ": cannot decode: " + e.getMessage(), e);
        } catch (RuntimeException e) { // ImageIO's decoders throw these on some damaged files
            throw new IOException(file + ": cannot decode: " + e, e);
        }
    }

    /** A four-component JPEG (CMYK, or YCCK): ImageIO decodes its samples but has no color conversion for it. */
    private static boolean isCmykJpeg(ImageReader reader) throws IOException {
        return reader.getFormatName().equalsIgnoreCase("jpeg") && reader.getRawImageType(0) == null
                && reader.readRaster(0, null).getNumBands() == 4;
    }

    /**
     * CMYK as Pillow's convert("RGB") turns it into RGB (what torchvision sees): R = (255 - C)(255 - K) / 255 with
     * Pillow's rounding, the same for G (M) and B (Y). With an Adobe marker the file stores 255 - ink (transform 0)
     * or YCbCr of 255 - ink for C, M, Y (transform 2, YCCK, decoded as libjpeg does); without one, the inks.
     */
    private static BufferedImage cmykToRgb(String file, ImageReader reader) throws IOException {
        Raster raw = reader.readRaster(0, null);
        int transform = adobeTransform(reader);
        int w = raw.getWidth(), h = raw.getHeight();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4];
        int[] white = new int[4]; // 255 - ink per channel
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raw.getPixel(raw.getMinX() + x, raw.getMinY() + y, px);
                for (int c = 0; c < 4; c++) {
                    white[c] = transform < 0 ? 255 - px[c] : px[c];
                }
                if (transform == 2) {
                    yccToStored(px, white);
                }
                int nk = white[3];
                int r = nk - muldiv255(255 - white[0], nk), g = nk - muldiv255(255 - white[1], nk);
                int b = nk - muldiv255(255 - white[2], nk);
                rgb.setRGB(x, y, clip8(r) << 16 | clip8(g) << 8 | clip8(b));
            }
        }
        return rgb;
    }

    /** libjpeg's YCCK to CMYK (jdcolor.c): stored C, M, Y = 255 - the RGB of the YCbCr; K passes through. */
    private static void yccToStored(int[] ycck, int[] out) {
        double y = ycck[0], cb = ycck[1] - 128, cr = ycck[2] - 128;
        out[0] = 255 - clip8((int) Math.round(y + 1.402 * cr));
        out[1] = 255 - clip8((int) Math.round(y - 0.344136 * cb - 0.714136 * cr));
        out[2] = 255 - clip8((int) Math.round(y + 1.772 * cb));
    }

    /** The Adobe APP14 marker's transform (0: CMYK, 2: YCCK), -1 without the marker. */
    private static int adobeTransform(ImageReader reader) throws IOException {
        IIOMetadata meta = reader.getImageMetadata(0);
        if (meta == null || !Arrays.asList(meta.getMetadataFormatNames()).contains("javax_imageio_jpeg_image_1.0")) {
            return -1;
        }
        NodeList adobe = ((Element) meta.getAsTree("javax_imageio_jpeg_image_1.0")).getElementsByTagName("app14Adobe");
        if (adobe.getLength() == 0) {
            return -1;
        }
        String t = ((Element) adobe.item(0)).getAttribute("transform");
        return t.isEmpty() ? 0 : Integer.parseInt(t);
    }

    /** Pillow's MULDIV255: a * b / 255 rounded, in integers. */
    private static int muldiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Fills r, g, b rows with samples scaled to [0, 1]. */
    @FunctionalInterface
    private interface RowReader {
        void read(int y, float[][] rgb);
    }

    private static RowReader rowReader(String file, BufferedImage image) throws IOException {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int bands = raster.getNumBands();
        int[] samples = new int[w * bands];
        if (cm instanceof IndexColorModel palette) {
            float[][] lut = new float[3][1 << raster.getSampleModel().getSampleSize(0)];
            for (int i = 0; i < Math.min(palette.getMapSize(), lut[0].length); i++) { // missing entries stay black
                lut[0][i] = palette.getRed(i) / 255f;
                lut[1][i] = palette.getGreen(i) / 255f;
                lut[2][i] = palette.getBlue(i) / 255f;
            }
            return (y, rgb) -> {
                raster.getPixels(0, y, w, 1, samples);
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        rgb[c][x] = lut[c][samples[x]];
                    }
                }
            };
        }
        int colors = cm.getNumColorComponents();
        int type = cm.getColorSpace().getType();
        boolean gray = type == ColorSpace.TYPE_GRAY && colors == 1;
        if (!gray && !(type == ColorSpace.TYPE_RGB && colors == 3)) {
            throw new IOException(file + ": unsupported color model (" + colors + " color components of color space type "
                    + type + "); only RGB, grayscale and palette images are supported");
        }
        float[] scale = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = (1 << raster.getSampleModel().getSampleSize(gray ? 0 : c)) - 1;
        }
        return (y, rgb) -> {
            raster.getPixels(0, y, w, 1, samples);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[c][x] = samples[x * bands + (gray ? 0 : c)] / scale[c];
                }
            }
        };
    }

    private static ExecutorService pool() {
        int threads = Runtime.getRuntime().availableProcessors();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(task, "rfsq4j-image-decoder");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true); // idle threads end, so the pool costs nothing between epochs
        return pool;
    }
}
