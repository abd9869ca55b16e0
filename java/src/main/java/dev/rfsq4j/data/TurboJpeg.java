package dev.rfsq4j.data;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * libjpeg-turbo's TurboJPEG API (turbojpeg.h, version 2.x as Debian's {@code libturbojpeg0} ships it) through FFM:
 * the decompression calls rfsq4j needs. A decompressor handle is not thread-safe, so handles are pooled (as many
 * as decodes ever ran at once, kept for the process's life) and each decode borrows one. Loaded once;
 * {@link #absence()} says why not when the library is absent.
 */
final class TurboJpeg {
    // turbojpeg.h: pixel formats, colorspaces, flags, error codes.
    static final int PF_RGB = 0;
    static final int PF_GRAY = 6;
    static final int PF_CMYK = 11;
    static final int CS_GRAY = 2;
    static final int CS_CMYK = 3;
    static final int CS_YCCK = 4;
    /** Refuse progressive JPEGs with an unreasonable number of scans (a known denial-of-service). */
    static final int FLAG_LIMITSCANS = 32768;
    static final int ERR_WARNING = 0;

    private static final String[] NAMES = {"libturbojpeg.so.0", "libturbojpeg.so"};
    private static final Optional<TurboJpeg> INSTANCE;
    private static final String ABSENT;

    static {
        TurboJpeg found = null;
        String why = null;
        for (String name : NAMES) {
            try {
                found = new TurboJpeg(SymbolLookup.libraryLookup(name, Arena.global()));
                break;
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) { // not on the library path
                why = why != null ? why : NAMES[0] + " not found";
            }
        }
        INSTANCE = Optional.ofNullable(found);
        ABSENT = found == null ? why : null;
    }

    /** Header fields of a JPEG as libjpeg reads them. */
    record Header(int width, int height, int subsampling, int colorspace) {}

    private final MethodHandle init;
    private final MethodHandle header;
    private final MethodHandle decompress;
    private final MethodHandle errorString;
    private final MethodHandle errorCode;
    private final ConcurrentLinkedQueue<MemorySegment> handles = new ConcurrentLinkedQueue<>();

    private TurboJpeg(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        init = linker.downcallHandle(find(lib, "tjInitDecompress"), FunctionDescriptor.of(ADDRESS));
        // int tjDecompressHeader3(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, int *width,
        //                         int *height, int *jpegSubsamp, int *jpegColorspace)
        header = linker.downcallHandle(find(lib, "tjDecompressHeader3"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        // int tjDecompress2(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf,
        //                   int width, int pitch, int height, int pixelFormat, int flags)
        decompress = linker.downcallHandle(find(lib, "tjDecompress2"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        errorString = linker.downcallHandle(find(lib, "tjGetErrorStr2"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        errorCode = linker.downcallHandle(find(lib, "tjGetErrorCode"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalArgumentException("libturbojpeg has no " + name));
    }

    /** The library, or empty when it cannot be loaded ({@link #absence()} says why). */
    static Optional<TurboJpeg> load() {
        return INSTANCE;
    }

    /** Why the library is not loaded, or null when it is. */
    static String absence() {
        return ABSENT;
    }

    /** A decompressor for one decode at a time; give it back with {@link #release}. */
    MemorySegment borrow() {
        MemorySegment h = handles.poll();
        if (h != null) {
            return h;
        }
        try {
            h = (MemorySegment) init.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("tjInitDecompress failed: " + t, t);
        }
        if (h.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("tjInitDecompress failed (out of memory?)");
        }
        return h;
    }

    void release(MemorySegment handle) {
        handles.add(handle);
    }

    /** The JPEG's size, subsampling and colorspace; a libjpeg error becomes a {@link BadImageException}. */
    Header header(MemorySegment handle, MemorySegment jpeg, long size, MemorySegment fourInts) throws BadImageException {
        int status;
        try {
            status = (int) header.invokeExact(handle, jpeg, size, fourInts, fourInts.asSlice(4), fourInts.asSlice(8),
                    fourInts.asSlice(12));
        } catch (Throwable t) {
            throw new IllegalStateException("tjDecompressHeader3: " + t, t);
        }
        if (status != 0) {
            throw new BadImageException(message(handle));
        }
        return new Header(fourInts.get(JAVA_INT, 0), fourInts.get(JAVA_INT, 4), fourInts.get(JAVA_INT, 8),
                fourInts.get(JAVA_INT, 12));
    }

    /**
     * Decodes into dst (height rows of pitch bytes), scaled by the largest of libjpeg's factors that fits width x
     * height. Returns null on success, or libjpeg's warning when the image decoded but libjpeg complained (callers
     * judge it); an error throws {@link BadImageException}.
     */
    String decompress(MemorySegment handle, MemorySegment jpeg, long size, MemorySegment dst, int width, int pitch,
            int height, int pixelFormat) throws BadImageException {
        int status;
        try {
            status = (int) decompress.invokeExact(handle, jpeg, size, dst, width, pitch, height, pixelFormat,
                    FLAG_LIMITSCANS);
        } catch (Throwable t) {
            throw new IllegalStateException("tjDecompress2: " + t, t);
        }
        if (status == 0) {
            return null;
        }
        String message = message(handle);
        if (code(handle) == ERR_WARNING) {
            return message;
        }
        throw new BadImageException(message);
    }

    private String message(MemorySegment handle) {
        try {
            MemorySegment s = (MemorySegment) errorString.invokeExact(handle);
            return s.equals(MemorySegment.NULL) ? "unknown libjpeg error" : s.reinterpret(512).getString(0);
        } catch (Throwable t) {
            return "unknown libjpeg error (" + t + ")";
        }
    }

    private int code(MemorySegment handle) {
        try {
            return (int) errorCode.invokeExact(handle);
        } catch (Throwable t) {
            return 1;
        }
    }

    @Override
    public String toString() {
        return "TurboJPEG (libturbojpeg.so.0)";
    }
}
