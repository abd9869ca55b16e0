package dev.rfsq4j.data;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one PNG or JPEG file into the S x S x 3 uint8 crop that training uses (see {@link ResizeCrop}), after
 * {@link ImageHeader} has checked the whole file and {@link DecodeBudget} has admitted its size. JPEGs go through
 * TurboJPEG when it is loaded, else ImageIO; PNGs through ImageIO. Both JPEG decoders run libjpeg's accurate
 * integer IDCT with fancy chroma upsampling, as Pillow's libjpeg-turbo does, so a JPEG decodes to the same pixels as
 * in Pillow (TurboJPEG: bit for bit; ImageIO's older libjpeg: within a level or two on a few pixels). With DCT
 * scaling on (opt-in), TurboJPEG decodes a JPEG whose shorter side is at least 2 x {@value #DCT_GAP} x S at 1/2,
 * 1/4 or 1/8 size ({@link #dctDenominator}) and resizes from there to the size computed from the full image: what
 * Pillow's {@code draft()} + resize give, bit for bit, but not its full decode + resize: on the 400 ImageNet
 * originals at 32 px, mean 1.25 and worst 62 levels of 255 apart (sharp edges).
 *
 * <p>Samples are used as stored, as Pillow's {@code convert("RGB")} uses them: color profiles are ignored, gray is
 * replicated, palettes are looked up, alpha is dropped; 16-bit samples keep their high byte (Pillow does so for
 * RGB; it clips 16-bit gray to 255, which rfsq4j does not copy); CMYK and YCCK JPEGs are converted as Pillow
 * converts them (Adobe's inverted inks, always). Safe for concurrent use: each thread keeps its own buffers.
 */
final class ImageDecoder {
    /**
     * DCT-domain downscaling by 1/2, 1/4 or 1/8 only while the scaled image keeps at least this many times the
     * target size on its shorter side; the resize filter then does the rest, as Pillow's {@code reducing_gap}.
     */
    static final int DCT_GAP = 2;
    /** Thread buffers larger than this are not kept between images. */
    private static final long KEEP_BYTES = 16L << 20;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final TurboJpeg turbo;
    private final boolean dctScaling;
    private final String notice;

    private ImageDecoder(TurboJpeg turbo, boolean dctScaling, String notice) {
        this.turbo = turbo;
        this.dctScaling = turbo != null && dctScaling;
        this.notice = notice;
    }

    /**
     * The decoder the options name; TURBOJPEG fails clearly when the library is absent, AUTO falls back to ImageIO
     * with a {@link #notice()}. DCT scaling needs TurboJPEG (ImageIO decodes at full size).
     */
    static ImageDecoder of(DataOptions options) {
        boolean dct = options.dctScaling();
        return switch (options.jpeg()) {
            case IMAGEIO -> new ImageDecoder(null, false, null);
            case TURBOJPEG -> new ImageDecoder(TurboJpeg.load().orElseThrow(() -> new IllegalStateException(
                    "TurboJPEG is not available (" + TurboJpeg.absence() + "): install libturbojpeg0, or use the imageio"
                            + " decoder")), dct, null);
            case AUTO -> TurboJpeg.load().map(t -> new ImageDecoder(t, dct, null)).orElseGet(() -> new ImageDecoder(null,
                    false, "JPEGs decode with ImageIO, about half TurboJPEG's speed (" + TurboJpeg.absence()
                            + ": apt-get install libturbojpeg0)"));
        };
    }

    /** "TurboJPEG", "TurboJPEG with DCT scaling" or "ImageIO": how JPEGs decode (two equal names, equal pixels). */
    String jpegDecoder() {
        return turbo == null ? "ImageIO" : dctScaling ? "TurboJPEG with DCT scaling" : "TurboJPEG";
    }

    /** A one-line notice when AUTO fell back to ImageIO, else null. */
    String notice() {
        return notice;
    }

    /**
     * Decodes file and writes its S x S x 3 uint8 crop to dst[offset ..]. A bad image throws
     * {@link BadImageException} naming the file; running out of memory is a plain IOException (not the image's fault).
     */
    void decode(Path file, int size, MemorySegment dst, long offset) throws IOException {
        Scratch s = SCRATCH.get();
        byte[] data;
        int bytes;
        long held = 0;
        try (FileChannel channel = FileChannel.open(file)) {
            long length = channel.size();
            if (length > DecodeBudget.PER_IMAGE_BYTES) {
                throw new BadImageException(file + ": the file is " + (length >> 20) + " MiB, over the "
                        + (DecodeBudget.PER_IMAGE_BYTES >> 20) + " MiB limit of one image");
            }
            bytes = (int) length;
            held = DecodeBudget.reserve(bytes);
            data = s.file(bytes);
            ByteBuffer buffer = ByteBuffer.wrap(data, 0, bytes);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until full or end of file
            }
            if (buffer.hasRemaining()) {
                throw new BadImageException(file + ": the file shrank while it was read");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + file);
        } catch (BadImageException e) {
            throw e;
        } catch (IOException e) {
            throw new BadImageException(file + ": cannot read: " + reason(e), e);
        } finally {
            if (held > 0) {
                DecodeBudget.release(held);
            }
        }
        decode(data, bytes, file.toString(), size, dst, offset);
    }

    /**
     * Decodes a file's contents held in data[0, bytes) (name: what messages call it) and writes its S x S x 3 uint8
     * crop to dst[offset ..]; fails as {@link #decode(Path, int, MemorySegment, long)} does.
     */
    void decode(byte[] data, int bytes, String name, int size, MemorySegment dst, long offset) throws IOException {
        Scratch s = SCRATCH.get();
        long held = 0;
        try (Arena large = Arena.ofConfined()) { // buffers too large to keep, freed when the decode ends
            ImageHeader header = header(name, data, bytes);
            held = DecodeBudget.reserve(bytes + estimate(header, size));
            if (header.format() == ImageHeader.Format.JPEG && turbo != null) {
                MemorySegment jpeg = s.jpeg(bytes, large);
                MemorySegment.copy(data, 0, jpeg, JAVA_BYTE, 0, bytes);
                turbo(name, header, jpeg, size, s, large, dst, offset);
            } else {
                imageIo(name, header, data, bytes, size, s, dst, offset);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while decoding " + name);
        } catch (OutOfMemoryError e) { // not the image's fault, and not reproducible: never a skip
            throw new IOException(name + ": out of memory while decoding (" + e.getMessage() + "): give the JVM more heap"
                    + " (-Xmx) or decode with fewer threads", e);
        } finally {
            if (held > 0) {
                DecodeBudget.release(held);
            }
        }
    }

    /**
     * An image already decoded (RGB, gray or palette; alpha dropped, as Pillow's convert("RGB")), resized and cropped
     * to S x S x 3 uint8 at dst[offset ..].
     *
     * @throws IllegalArgumentException for another color model (CMYK, say)
     */
    static void crop(BufferedImage image, int size, MemorySegment dst, long offset) {
        try {
            SCRATCH.get().resize.apply(eightBit("image", image.getRaster(), image.getColorModel()), size, dst, offset);
        } catch (BadImageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ImageHeader header(String file, byte[] data, int bytes) throws BadImageException {
        ImageHeader h;
        try {
            h = ImageHeader.read(data, bytes);
        } catch (BadImageException e) {
            throw new BadImageException(file + ": " + e.getMessage());
        }
        if (h.decodedBytes() > DecodeBudget.PER_IMAGE_BYTES) {
            throw new BadImageException(String.format("%s: %d x %d pixels, %d channels of %d bits: %d MiB decoded, over the"
                    + " %d MiB limit of one image", file, h.width(), h.height(), h.channels(), h.bitsPerSample(),
                    h.decodedBytes() >> 20, DecodeBudget.PER_IMAGE_BYTES >> 20));
        }
        return h;
    }

    /** What decoding allocates besides the file: pixels as decoded, an 8-bit RGB copy, libjpeg's coefficients. */
    private long estimate(ImageHeader h, int size) {
        long pixels = (long) h.width() * h.height();
        if (h.format() == ImageHeader.Format.JPEG) {
            int d = dctScaling ? dctDenominator(h.width(), h.height(), size) : 1;
            long coefficients = h.progressive() ? pixels * h.channels() * 2 : 0; // kept whole for a progressive image
            return ceilDiv(h.width(), d) * ceilDiv(h.height(), d) * Math.max(h.channels(), 3) * (turbo != null ? 1 : 2)
                    + coefficients;
        }
        return h.decodedBytes() + pixels * 3;
    }

    /**
     * The DCT scaling denominator (1, 2, 4 or 8): the largest whose scaled shorter side keeps at least DCT_GAP times
     * the target size.
     */
    static int dctDenominator(int width, int height, int size) {
        long shorter = Math.min(width, height);
        for (int d = 8; d > 1; d /= 2) {
            if (ceilDiv(shorter, d) >= (long) DCT_GAP * size) {
                return d;
            }
        }
        return 1;
    }

    private void turbo(String file, ImageHeader h, MemorySegment data, int size, Scratch s, Arena large, MemorySegment dst,
            long offset) throws BadImageException {
        MemorySegment handle = turbo.borrow();
        try {
            TurboJpeg.Header t = turbo.header(handle, data, data.byteSize(), s.ints);
            if (t.width() != h.width() || t.height() != h.height()) {
                throw new BadImageException("libjpeg reads " + t.width() + " x " + t.height() + ", the frame header says "
                        + h.width() + " x " + h.height());
            }
            int d = dctScaling ? dctDenominator(h.width(), h.height(), size) : 1;
            int w = (int) ceilDiv(h.width(), d), ht = (int) ceilDiv(h.height(), d);
            boolean gray = t.colorspace() == TurboJpeg.CS_GRAY;
            boolean cmyk = t.colorspace() == TurboJpeg.CS_CMYK || t.colorspace() == TurboJpeg.CS_YCCK;
            int channels = gray ? 1 : cmyk ? 4 : 3;
            MemorySegment pixels = s.pixels((long) w * ht * channels, large);
            String warning = turbo.decompress(handle, data, data.byteSize(), pixels, w, w * channels, ht,
                    gray ? TurboJpeg.PF_GRAY : cmyk ? TurboJpeg.PF_CMYK : TurboJpeg.PF_RGB);
            if (warning != null && damaging(warning)) {
                throw new BadImageException("corrupt: " + warning);
            }
            if (cmyk) {
                cmykToRgb(pixels, (long) w * ht);
            }
            s.resize.apply(new ResizeCrop.Pixels(pixels, w, ht, gray ? 1 : 3, h.width(), h.height()), size, dst, offset);
        } catch (BadImageException e) {
            throw new BadImageException(file + ": " + e.getMessage(), e);
        } finally {
            turbo.release(handle);
        }
    }

    /**
     * Whether a libjpeg warning means pixels were lost or made up (libjpeg pads missing data with gray and goes
     * on; Pillow refuses a file cut short). Extraneous bytes between segments, unknown Adobe or JFIF versions and a
     * bad ICC marker (profiles are not used) leave the pixels intact.
     */
    static boolean damaging(String warning) {
        if (warning.contains("extraneous bytes before marker") || warning.contains("bad ICC marker")) {
            return false;
        }
        return warning.startsWith("Corrupt JPEG data") || warning.startsWith("Premature end of JPEG file")
                || warning.startsWith("Invalid SOS parameters");
    }

    /**
     * CMYK as Pillow's convert("RGB") turns it into RGB: Pillow reads JPEG CMYK as Adobe's inverted inks, so with
     * the stored values s (after libjpeg's YCCK to CMYK), R = s_K - s_K (255 - s_C) / 255 with Pillow's rounding,
     * the same for G (M) and B (Y). In place: RGB pixel i is written over the start of CMYK pixel i.
     */
    static void cmykToRgb(MemorySegment px, long count) {
        for (long i = 0; i < count; i++) {
            int c = px.get(JAVA_BYTE, 4 * i) & 0xFF, m = px.get(JAVA_BYTE, 4 * i + 1) & 0xFF;
            int y = px.get(JAVA_BYTE, 4 * i + 2) & 0xFF, k = px.get(JAVA_BYTE, 4 * i + 3) & 0xFF;
            px.set(JAVA_BYTE, 3 * i, (byte) (k - muldiv255(255 - c, k)));
            px.set(JAVA_BYTE, 3 * i + 1, (byte) (k - muldiv255(255 - m, k)));
            px.set(JAVA_BYTE, 3 * i + 2, (byte) (k - muldiv255(255 - y, k)));
        }
    }

    /** Pillow's MULDIV255: a * b / 255 rounded, in integers. */
    private static int muldiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static void imageIo(String file, ImageHeader h, byte[] data, int length, int size, Scratch s, MemorySegment dst,
            long offset) throws IOException {
        byte[] bytes = h.format() == ImageHeader.Format.JPEG
                ? withoutIccProfile(data, length) // else ImageIO converts the colors to sRGB, which Pillow does not
                : Arrays.copyOf(data, length);
        List<String> warnings = new ArrayList<>();
        ResizeCrop.Pixels pixels;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException(file + ": ImageIO has no reader for it");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                boolean cmyk = h.format() == ImageHeader.Format.JPEG && h.channels() == 4;
                if (cmyk) {
                    pixels = imageIoCmyk(reader.readRaster(0, null), h);
                } else {
                    BufferedImage image = reader.read(0);
                    pixels = eightBit(file, image.getRaster(), image.getColorModel());
                }
            } finally {
                reader.dispose();
            }
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // ImageIO's decoders throw both on damaged files
            throw new BadImageException(file + ": corrupt: " + reason(e), e);
        }
        for (String w : warnings) {
            if (damaging(w)) {
                throw new BadImageException(file + ": corrupt: " + w);
            }
        }
        s.resize.apply(pixels, size, dst, offset);
    }

    /**
     * The JPEG without its ICC profile (APP2 "ICC_PROFILE" segments before the first scan). The header check has
     * walked these segments already, so they are well formed.
     */
    static byte[] withoutIccProfile(byte[] jpeg, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        out.write(jpeg, 0, 2);
        int at = 2;
        while (at + 4 <= length) {
            int start = at;
            while (at < length && (jpeg[at] & 0xFF) != 0xFF) { // extraneous bytes, kept as they are
                at++;
            }
            while (at < length && (jpeg[at] & 0xFF) == 0xFF) {
                at++;
            }
            if (at + 2 >= length) {
                break;
            }
            int marker = jpeg[at] & 0xFF;
            int segment = (jpeg[at + 1] & 0xFF) << 8 | (jpeg[at + 2] & 0xFF);
            int end = Math.min(length, at + 1 + segment);
            if (marker == 0xDA || segment < 2) {
                at = start;
                break;
            }
            boolean icc = marker == 0xE2 && segment >= 14
                    && new String(jpeg, at + 3, 12, StandardCharsets.ISO_8859_1).equals("ICC_PROFILE\0");
            if (!icc) {
                out.write(jpeg, start, end - start);
            }
            at = end;
        }
        out.write(jpeg, at, length - at);
        return out.toByteArray();
    }

    /** ImageIO decodes a CMYK or YCCK JPEG's samples but not their colors: convert as libjpeg and Pillow do. */
    private static ResizeCrop.Pixels imageIoCmyk(Raster raw, ImageHeader h) {
        int w = raw.getWidth(), ht = raw.getHeight();
        byte[] out = new byte[w * ht * 4];
        int[] px = new int[4];
        for (int y = 0, at = 0; y < ht; y++) {
            for (int x = 0; x < w; x++, at += 4) {
                raw.getPixel(raw.getMinX() + x, raw.getMinY() + y, px);
                if (h.adobeTransform() == 2) { // libjpeg's YCCK to CMYK (jdcolor.c): C, M, Y = 255 - RGB of the YCbCr
                    double yy = px[0], cb = px[1] - 128, cr = px[2] - 128;
                    px[0] = 255 - clip8((int) Math.round(yy + 1.402 * cr));
                    px[1] = 255 - clip8((int) Math.round(yy - 0.344136 * cb - 0.714136 * cr));
                    px[2] = 255 - clip8((int) Math.round(yy + 1.772 * cb));
                }
                for (int c = 0; c < 4; c++) {
                    out[at + c] = (byte) px[c];
                }
            }
        }
        MemorySegment seg = MemorySegment.ofArray(out);
        cmykToRgb(seg, (long) w * ht);
        return new ResizeCrop.Pixels(seg, w, ht, 3, w, ht);
    }

    /** An ImageIO raster as 8-bit gray or RGB rows (palettes looked up, alpha dropped, high bytes of 16 bits). */
    private static ResizeCrop.Pixels eightBit(String file, Raster raster, ColorModel cm) throws BadImageException {
        int w = raster.getWidth(), ht = raster.getHeight(), bands = raster.getNumBands();
        int[] samples = new int[w * bands];
        if (cm instanceof IndexColorModel palette) {
            byte[] out = new byte[w * ht * 3];
            int entries = palette.getMapSize();
            for (int y = 0, at = 0; y < ht; y++) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, samples);
                for (int x = 0; x < w; x++) {
                    int i = samples[x];
                    int rgb = i < entries ? palette.getRGB(i) : 0; // a missing entry is black, as in Pillow
                    out[at++] = (byte) (rgb >> 16);
                    out[at++] = (byte) (rgb >> 8);
                    out[at++] = (byte) rgb;
                }
            }
            return new ResizeCrop.Pixels(MemorySegment.ofArray(out), w, ht, 3, w, ht);
        }
        int colors = cm.getNumColorComponents();
        if (colors != 1 && colors != 3) {
            throw new BadImageException(file + ": unsupported: " + colors + " color components; only RGB, gray and palette"
                    + " images are");
        }
        int bits = raster.getSampleModel().getSampleSize(0);
        byte[] out = new byte[w * ht * colors];
        if (raster.getDataBuffer() instanceof DataBufferByte bytes && bytes.getNumBanks() == 1
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel model && bits == 8
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            // The common case (JPEGs, 8-bit PNGs): read the bytes where they are, in the band order of the colors.
            byte[] data = bytes.getData();
            int[] offsets = model.getBandOffsets();
            int step = model.getPixelStride(), line = model.getScanlineStride();
            for (int y = 0, at = 0; y < ht; y++) {
                for (int x = 0, p = y * line; x < w; x++, p += step) {
                    for (int c = 0; c < colors; c++) {
                        out[at++] = data[p + offsets[c]];
                    }
                }
            }
            return new ResizeCrop.Pixels(MemorySegment.ofArray(out), w, ht, colors, w, ht);
        }
        for (int y = 0, at = 0; y < ht; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, samples);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < colors; c++) {
                    out[at++] = (byte) to8(samples[x * bands + c], bits);
                }
            }
        }
        return new ResizeCrop.Pixels(MemorySegment.ofArray(out), w, ht, colors, w, ht);
    }

    /** A sample of the given depth as 8 bits: 16 keeps its high byte, 1, 2 and 4 are scaled as Pillow scales them. */
    private static int to8(int v, int bits) {
        return switch (bits) {
            case 8 -> v;
            case 16 -> v >>> 8;
            default -> v * 255 / ((1 << bits) - 1);
        };
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
    }

    /**
     * One thread's buffers, kept between images: the file, the decoded pixels, the resizer's rows. A request larger
     * than {@link #KEEP_BYTES} comes from the caller's arena instead, freed when that image is done.
     */
    private static final class Scratch {
        final ResizeCrop resize = new ResizeCrop();
        final MemorySegment ints = Arena.ofAuto().allocate(16, 4);
        private byte[] file = new byte[0];
        private MemorySegment jpeg = MemorySegment.NULL;
        private MemorySegment pixels = MemorySegment.NULL;

        /** A buffer of at least bytes (only this image's are meaningful). */
        byte[] file(int bytes) {
            if (bytes > KEEP_BYTES) {
                return new byte[bytes];
            }
            if (file.length < bytes) {
                file = new byte[Math.max(bytes, (int) Math.min(KEEP_BYTES, file.length * 3L / 2))];
            }
            return file;
        }

        /** The file again, in native memory for TurboJPEG. */
        MemorySegment jpeg(long bytes, Arena large) {
            if (bytes > KEEP_BYTES) {
                return large.allocate(bytes, 64);
            }
            jpeg = fit(jpeg, bytes);
            return jpeg.asSlice(0, bytes);
        }

        MemorySegment pixels(long bytes, Arena large) {
            if (bytes > KEEP_BYTES) {
                return large.allocate(bytes, 64);
            }
            pixels = fit(pixels, bytes);
            return pixels.asSlice(0, bytes);
        }

        private static MemorySegment fit(MemorySegment s, long bytes) {
            return s.byteSize() >= bytes ? s
                    : Arena.ofAuto().allocate(Math.max(Math.max(bytes, 1), Math.min(KEEP_BYTES, s.byteSize() * 3 / 2)), 64);
        }
    }
}
