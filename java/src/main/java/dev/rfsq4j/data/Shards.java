package dev.rfsq4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A data set that {@code rfsq4j prepare} wrote: {@value #MANIFEST} and its shards (layout in {@link ShardFormat}),
 * each memory-mapped read-only ({@code FileChannel.map} into a shared arena) for the life of this object. Opening
 * checks the manifest, and every shard's header, size and CRC against it; reading an image checks its pixels' CRC,
 * so a truncated or damaged shard is refused naming the shard, never read as pixels. Batches are assembled
 * straight from the mapped pixels: no decode, no per-image allocation.
 */
public final class Shards implements ImageSource {
    /** The file that marks a folder as shards (and a prepare as complete). */
    public static final String MANIFEST = "rfsq4j-shards.txt";

    private final Path dir;
    private final ShardManifest manifest;
    private final Arena arena;
    private final MemorySegment[] maps;
    private final ShardFormat.Header[] headers;
    /** The data-set index of each shard's first image, ascending. */
    private final int[] firsts;
    private final Batches batches;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Shards(Path dir, ShardManifest manifest, Arena arena, MemorySegment[] maps, ShardFormat.Header[] headers,
            boolean strict) {
        this.dir = dir;
        this.manifest = manifest;
        this.arena = arena;
        this.maps = maps;
        this.headers = headers;
        this.firsts = Arrays.stream(headers).mapToInt(h -> (int) h.first()).toArray();
        this.batches = new Batches(dir.toString(), manifest.images(), manifest.imageSize(), strict, this::fetch,
                this::damaged, 0);
    }

    /** Whether path is a folder holding {@value #MANIFEST}. */
    public static boolean isShards(Path path) {
        return Files.isRegularFile(path.resolve(MANIFEST));
    }

    /**
     * Opens the shards in dir, which must have been prepared at size S; checks the manifest and every shard's
     * header, size and checksum (not yet the pixels: each image's CRC is checked when it is read).
     */
    public static Shards open(Path dir, int size, DataOptions options) throws IOException {
        ShardManifest manifest = ShardManifest.read(dir.resolve(MANIFEST));
        if (manifest.imageSize() != size) {
            throw new IOException(dir + " holds " + manifest.imageSize() + " px images; this needs " + size + " px: prepare"
                    + " shards at that size (rfsq4j prepare --size " + size + "), or use --image-size "
                    + manifest.imageSize());
        }
        List<ShardManifest.Shard> list = manifest.shards();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment[] maps = new MemorySegment[list.size()];
            ShardFormat.Header[] headers = new ShardFormat.Header[list.size()];
            long first = 0;
            for (int s = 0; s < maps.length; s++) {
                ShardManifest.Shard shard = list.get(s);
                Path file = dir.resolve(shard.file());
                try (FileChannel ch = FileChannel.open(file)) {
                    maps[s] = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                    headers[s] = ShardFormat.read(maps[s]);
                } catch (NoSuchFileException e) {
                    throw new IOException(file + ": missing (re-run rfsq4j prepare)");
                } catch (IOException e) {
                    throw new IOException(file + ": " + e.getMessage() + " (re-run rfsq4j prepare)", e);
                }
                ShardFormat.Header h = headers[s];
                if (h.crc() != shard.crc() || h.count() != shard.count() || h.size() != size || h.first() != first) {
                    throw new IOException(file + ": does not belong to " + dir.resolve(MANIFEST) + " (its checksum, count,"
                            + " size or position differ: a shard of another prepare?) (re-run rfsq4j prepare)");
                }
                for (int i = 0; i < h.count(); i++) {
                    int label = ShardFormat.label(maps[s], h, i);
                    if (label >= manifest.classes().size()) {
                        throw new IOException(file + ": image " + i + " has label " + label + " of " + manifest.classes().size()
                                + " classes (re-run rfsq4j prepare)");
                    }
                    ShardFormat.name(maps[s], h, i); // a name that is not UTF-8 fails here rather than later
                }
                first += h.count();
            }
            return new Shards(dir, manifest, arena, maps, headers, options.strict());
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private int shardOf(int index) {
        int s = Arrays.binarySearch(firsts, index);
        return s >= 0 ? s : -s - 2;
    }

    private void fetch(int index, Batches.Cursor cursor) throws IOException {
        int s = shardOf(index), i = index - firsts[s];
        ShardFormat.Header h = headers[s];
        if (ShardFormat.status(maps[s], h, i) != ShardFormat.STATUS_OK) {
            throw new BadImageException(ShardFormat.note(maps[s], h, i) + " (skipped by rfsq4j prepare)");
        }
        cursor.segment = maps[s];
        cursor.offset = h.pixelOffset(i);
        cursor.checked = true;
        cursor.crc = ShardFormat.imageCrc(maps[s], h, i);
    }

    private IOException damaged(int index) {
        int s = shardOf(index);
        return new IOException(dir.resolve(manifest.shards().get(s).file()) + ": image " + (index - firsts[s]) + " ("
                + name(index) + ") fails its checksum: the shard is damaged (re-run rfsq4j prepare)");
    }

    @Override
    public int count() {
        return manifest.images();
    }

    @Override
    public int imageSize() {
        return manifest.imageSize();
    }

    @Override
    public String name(int index) {
        int s = shardOf(checkIndex(index));
        try {
            return ShardFormat.name(maps[s], headers[s], index - firsts[s]);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // checked when the shard was opened
        }
    }

    @Override
    public int label(int index) {
        int s = shardOf(checkIndex(index));
        return ShardFormat.label(maps[s], headers[s], index - firsts[s]);
    }

    @Override
    public List<String> classes() {
        return manifest.classes();
    }

    @Override
    public int[] load(int[] indices, MemorySegment out, Augment augment, long step) throws IOException {
        return batches.load(indices, out, augment, step);
    }

    @Override
    public List<String> skipped() {
        return batches.skipped();
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "shards %s: %d images%s in %d shards, %d px (JPEG: %s, at prepare)", dir, count(),
                classes().isEmpty() ? "" : " in " + classes().size() + " classes", maps.length, imageSize(),
                manifest.jpegDecoder());
    }

    /** Unmaps the shards; no load may run or follow. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= count()) {
            throw new IndexOutOfBoundsException("image index " + index + " out of [0, " + count() + ") in " + dir);
        }
        return index;
    }
}
