package dev.rfsq4j.data;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * Batch assembly shared by folders and shards: images fetched as 8-bit S x S x 3 (decoded, or found in a shard),
 * skipped ones replaced by the next usable image, augmented, and written as float32 CHW / 255, in parallel on a
 * shared pool of daemon threads (one per processor). Per thread, one set of row buffers for the whole run.
 */
final class Batches {
    /** Where one image's 8-bit pixels are: set by {@link Fetcher#fetch}. */
    static final class Cursor {
        MemorySegment segment;
        long offset;
        /** Whether the pixels must have CRC32C crc (stored pixels), checked once they are copied out. */
        boolean checked;
        int crc;
        /** This thread's S x S x 3 buffer for images that are decoded rather than found. */
        final MemorySegment scratch;

        Cursor(int size) {
            scratch = MemorySegment.ofArray(new byte[3 * size * size]);
        }
    }

    /** How a source finds image index: sets cursor to its pixels, or throws BadImageException (skippable). */
    @FunctionalInterface
    interface Fetcher {
        void fetch(int index, Cursor cursor) throws IOException;
    }

    /** The error for stored pixels of image index that fail their CRC (not skippable: the storage is damaged). */
    @FunctionalInterface
    interface Damage {
        IOException of(int index);
    }

    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    private static final ExecutorService POOL = pool();
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < UNIT.length; i++) {
            UNIT[i] = i / 255f; // as torchvision's ToTensor: float(v) / 255
        }
    }

    private final String what;
    private final int count;
    private final int size;
    private final boolean strict;
    private final Fetcher fetcher;
    private final Damage damage;
    private final int imagesPerTask;
    private final ThreadLocal<Converter> converters;
    /** Skipped images by index, with the reason: a property of the file, so found once. */
    private final Map<Integer, String> bad = new ConcurrentSkipListMap<>();

    /**
     * damage: the error for a fetch whose pixels fail their CRC (null when the fetcher never asks for a check);
     * imagesPerTask: images one pool task assembles, 0 to split a batch evenly over the pool's threads.
     */
    Batches(String what, int count, int size, boolean strict, Fetcher fetcher, Damage damage, int imagesPerTask) {
        this.what = what;
        this.count = count;
        this.size = size;
        this.strict = strict;
        this.fetcher = fetcher;
        this.damage = damage;
        this.imagesPerTask = imagesPerTask;
        this.converters = ThreadLocal.withInitial(() -> new Converter(size));
    }

    int[] load(int[] indices, MemorySegment out, Augment augment, long step) throws IOException {
        long image = 3L * size * size;
        if (!out.isNative() || out.byteSize() != indices.length * image * Float.BYTES) {
            throw new IllegalArgumentException("out must be a native segment of " + indices.length * image * Float.BYTES
                    + " bytes (" + indices.length + " images of 3 x " + size + " x " + size + " floats), got "
                    + (out.isNative() ? out.byteSize() + " bytes" : "a heap segment"));
        }
        for (int index : indices) {
            if (index < 0 || index >= count) {
                throw new IndexOutOfBoundsException("image index " + index + " out of [0, " + count + ") in " + what);
            }
        }
        int[] used = indices.clone();
        AtomicBoolean failed = new AtomicBoolean();
        List<Callable<Void>> tasks = new ArrayList<>();
        int per = imagesPerTask > 0 ? imagesPerTask : Math.ceilDiv(indices.length, THREADS);
        for (int from = 0; from < indices.length; from += per) {
            int lo = from, hi = Math.min(indices.length, from + per);
            tasks.add(() -> {
                Converter c = converters.get();
                for (int i = lo; i < hi && !failed.get(); i++) { // after a failure the batch is lost: skip the rest
                    try {
                        used[i] = fetchUsable(indices[i], c.cursor);
                        if (!c.copy(c.cursor)) {
                            throw damage.of(used[i]);
                        }
                        c.write(out, i * image * Float.BYTES, augment.draw(step, i, size), augment.crop());
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
            throw new InterruptedIOException("interrupted while loading images from " + what);
        }
        for (Future<Void> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BadImageException bad) {
                    throw new BadImageException(bad.getMessage(), bad);
                }
                if (e.getCause() instanceof IOException io) {
                    throw new IOException(io.getMessage(), io);
                }
                throw new IllegalStateException("loading images from " + what + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                throw new AssertionError("a finished future does not wait", e);
            }
        }
        return used;
    }

    /** Why each image skipped so far was (messages that name the file), by index. */
    List<String> skipped() {
        return List.copyOf(bad.values());
    }

    /** An S x S x 3 uint8 image (HWC) as three S x S float planes in [0, 1] at out[offset ..]. */
    static void planes(MemorySegment hwc, int size, float[] out, int offset) {
        int plane = size * size;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[offset + c * plane + p] = UNIT[hwc.get(JAVA_BYTE, 3L * p + c) & 0xFF];
            }
        }
    }

    /** Fetches index, or the next usable image after it (wrapping) when it is bad and the data is not strict. */
    private int fetchUsable(int index, Cursor cursor) throws IOException {
        for (int tries = 0, i = index; tries < count; tries++, i = (i + 1) % count) {
            if (bad.containsKey(i)) {
                continue;
            }
            try {
                fetcher.fetch(i, cursor);
                return i;
            } catch (BadImageException e) {
                if (strict) {
                    throw new BadImageException(e.getMessage() + " (strict data: remove or repair the file, or run without"
                            + " --strict-data to skip such images)", e);
                }
                bad.put(i, e.getMessage());
            }
        }
        throw new IOException(what + ": no image can be decoded (" + bad.size() + " skipped; the first: "
                + bad.values().iterator().next() + ")");
    }

    /** One thread's buffers: the cursor, an 8-bit image, float planes. */
    private static final class Converter {
        final Cursor cursor;
        final int size;
        final byte[] pixels;
        final float[] planes;
        final int[] columns;
        final CRC32C crc = new CRC32C();

        Converter(int size) {
            this.size = size;
            this.cursor = new Cursor(size);
            this.pixels = new byte[3 * size * size];
            this.planes = new float[3 * size * size];
            this.columns = new int[size];
        }

        /** Copies the cursor's image into this thread's pixels; false if they fail the CRC the cursor expects. */
        boolean copy(Cursor src) {
            MemorySegment.copy(src.segment, JAVA_BYTE, src.offset, pixels, 0, pixels.length);
            if (!src.checked) {
                return true;
            }
            crc.reset();
            crc.update(pixels, 0, pixels.length);
            return (int) crc.getValue() == src.crc;
        }

        /** Writes the copied image to out[at ..] as CHW floats, cropped and flipped as draw says. */
        void write(MemorySegment out, long at, int draw, boolean crop) {
            int s = size, plane = s * s;
            boolean flip = draw < 0;
            if (!crop && !flip) {
                for (int p = 0, q = 0; p < plane; p++, q += 3) {
                    planes[p] = UNIT[pixels[q] & 0xFF];
                    planes[p + plane] = UNIT[pixels[q + 1] & 0xFF];
                    planes[p + 2 * plane] = UNIT[pixels[q + 2] & 0xFF];
                }
            } else {
                int pad = Augment.padding(s), dx = (draw & 0xFFFF) - pad, dy = (draw >>> 16 & 0x7FFF) - pad;
                for (int x = 0; x < s; x++) {
                    columns[x] = reflect((flip ? s - 1 - x : x) + dx, s) * 3;
                }
                for (int y = 0; y < s; y++) {
                    int row = reflect(y + dy, s) * s * 3, p = y * s;
                    for (int x = 0; x < s; x++, p++) {
                        int q = row + columns[x];
                        planes[p] = UNIT[pixels[q] & 0xFF];
                        planes[p + plane] = UNIT[pixels[q + 1] & 0xFF];
                        planes[p + 2 * plane] = UNIT[pixels[q + 2] & 0xFF];
                    }
                }
            }
            MemorySegment.copy(planes, 0, out, JAVA_FLOAT, at, planes.length);
        }

        /** Reflection padding without repeating the edge, as torchvision's padding_mode="reflect". */
        private static int reflect(int i, int s) {
            return i < 0 ? -i : i >= s ? 2 * (s - 1) - i : i;
        }
    }

    private static ExecutorService pool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread t = new Thread(task, "rfsq4j-image-loader");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true); // idle threads end, so the pool costs nothing between epochs
        return pool;
    }
}
