package dev.rfsq4j.data;

import dev.rfsq4j.internal.ProgressLine;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * {@code rfsq4j prepare}: decodes a folder of images once, exactly as training decodes it ({@link ImageFolder}),
 * into shards ({@link ShardFormat}) and a manifest ({@link ShardManifest}) that {@link Shards} reads.
 *
 * <p>Each shard is written under a temporary name, flushed and renamed into place; the manifest last. A run that
 * stops (Ctrl-C, a crash, a full disk) leaves complete shards behind: the next run over the same folder reuses
 * every shard whose inputs (names, sizes and modification times of its images, the size, the decoder) are
 * unchanged and whose checksums verify, and writes the rest. Images that cannot be decoded are skipped (stored as
 * skipped, with the reason, so that the shards stay index-for-index the folder) unless the options are strict.
 */
public final class Prepare {
    /** What a run did. */
    public record Result(int images, int skipped, int shards, int reused) {}

    /** Shards of at most this many bytes of pixels by default. */
    static final long SHARD_BYTES = 256L << 20;
    private static final Pattern OWN = Pattern.compile("(shard-[0-9]{5,9}\\.rfsq|" + Pattern.quote(Shards.MANIFEST) + ")("
            + Pattern.quote(AtomicFiles.TEMP_SUFFIX) + ")?|\\.lock");

    private Prepare() {}

    /** The default images per shard at size S: as many as fit in 256 MiB of pixels. */
    public static int defaultImagesPerShard(int size) {
        return (int) Math.max(1, SHARD_BYTES / (3L * size * size));
    }

    /**
     * Prepares out from the images under data at S x S, decoding on workers threads, imagesPerShard images per
     * shard; progress goes to log (redrawn in place on a terminal, one line per shard otherwise).
     */
    public static Result run(Path data, Path out, int size, int workers, int imagesPerShard, DataOptions options,
            PrintStream log) throws IOException, InterruptedException {
        if (workers < 1 || imagesPerShard < 1 || 3L * size * size * imagesPerShard > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("workers and images per shard must be >= 1, and a shard's pixels under 2 GiB;"
                    + " got " + workers + " workers, " + imagesPerShard + " images of " + size + " px per shard");
        }
        ImageFolder folder = ImageFolder.open(data, size, options);
        if (folder.decoderNotice() != null) {
            log.println("rfsq4j prepare: " + folder.decoderNotice());
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IOException(out + ": not a folder");
        }
        Files.createDirectories(out);
        try (FileChannel lockFile = FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                throw new IOException(out + " is in use by another rfsq4j prepare");
            }
            return prepareLocked(folder, out, size, workers, imagesPerShard, options.strict(), log);
        }
    }

    private static Result prepareLocked(ImageFolder folder, Path out, int size, int workers, int perShard, boolean strict,
            PrintStream log) throws IOException, InterruptedException {
        List<Path> present;
        try (Stream<Path> list = Files.list(out)) {
            present = list.toList();
        }
        for (Path p : present) {
            String name = p.getFileName().toString();
            if (!OWN.matcher(name).matches()) {
                throw new IOException(out + " holds " + name + ", which prepare did not write: give an empty folder, or"
                        + " one that prepare wrote before");
            }
            if (name.endsWith(AtomicFiles.TEMP_SUFFIX)) {
                Files.delete(p); // left by a run that stopped
            }
        }
        Files.deleteIfExists(out.resolve(Shards.MANIFEST)); // incomplete until the new manifest is in place
        int n = folder.count(), shards = Math.ceilDiv(n, perShard);
        log.printf(Locale.ROOT, "rfsq4j prepare: %s -> %s: %d shards of up to %d images, %d workers%n", folder.describe(), out,
                shards, perShard, workers);
        Progress progress = new Progress(log, n);
        List<ShardManifest.Shard> written = new ArrayList<>();
        int reused = 0;
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "rfsq4j-prepare");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int k = 0; k < shards; k++) {
                int first = k * perShard, count = Math.min(perShard, n - first);
                String name = String.format(Locale.ROOT, "shard-%05d.rfsq", k);
                Path file = out.resolve(name);
                long fingerprint = fingerprint(folder, first, count);
                int[] kept = reusable(file, fingerprint, first, count, size);
                int crc;
                if (kept != null) {
                    crc = kept[0];
                    reused++;
                    progress.skipped.addAndGet(kept[1]);
                    progress.done.addAndGet(count);
                } else {
                    crc = write(folder, file, first, count, fingerprint, pool, workers, strict, progress);
                }
                written.add(new ShardManifest.Shard(name, count, crc));
                progress.shardDone(k + 1, shards);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Path p : present) { // shards of an earlier, larger plan
            String name = p.getFileName().toString();
            if (name.endsWith(".rfsq") && written.stream().noneMatch(s -> s.file().equals(name))) {
                Files.deleteIfExists(p);
            }
        }
        new ShardManifest(size, n, folder.jpegDecoder(), folder.classes(), written).write(out.resolve(Shards.MANIFEST));
        progress.finish();
        return new Result(n, (int) progress.skipped.get(), shards, reused);
    }

    /** The header CRC and skipped count of a shard that can be kept as it is, or null. */
    private static int[] reusable(Path file, long fingerprint, int first, int count, int size) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file)) {
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            ShardFormat.Header h = ShardFormat.read(map);
            if (h.fingerprint() != fingerprint || h.first() != first || h.count() != count || h.size() != size) {
                return null;
            }
            CRC32C crc = new CRC32C();
            int skipped = 0;
            for (int i = 0; i < count; i++) {
                if (ShardFormat.status(map, h, i) != ShardFormat.STATUS_OK) {
                    skipped++;
                    continue;
                }
                crc.reset();
                crc.update(map.asSlice(h.pixelOffset(i), h.imageBytes()).asByteBuffer());
                if ((int) crc.getValue() != ShardFormat.imageCrc(map, h, i)) {
                    return null;
                }
            }
            return new int[] {h.crc(), skipped};
        } catch (IOException | RuntimeException e) {
            return null; // damaged or foreign: written again
        }
    }

    /** Decodes images [first, first + count) of folder into file; returns the shard's header CRC. */
    private static int write(ImageFolder folder, Path file, int first, int count, long fingerprint, ExecutorService pool,
            int workers, boolean strict, Progress progress) throws IOException, InterruptedException {
        int size = folder.imageSize();
        long imageBytes = 3L * size * size, indexOffset = ShardFormat.HEADER_BYTES + count * imageBytes;
        int[] crcs = new int[count];
        String[] notes = new String[count];
        Path tmp = AtomicFiles.temp(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE); Arena arena = Arena.ofShared()) {
            AtomicInteger next = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Void>> tasks = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                MemorySegment buffer = arena.allocate(imageBytes, 64);
                tasks.add(pool.submit(() -> {
                    ByteBuffer bytes = buffer.asByteBuffer();
                    CRC32C crc = new CRC32C();
                    for (int i = next.getAndIncrement(); i < count && !stop.get(); i = next.getAndIncrement()) {
                        try {
                            folder.decode(first + i, buffer, 0);
                        } catch (BadImageException e) {
                            if (strict) {
                                throw new BadImageException(e.getMessage() + " (strict data: repair or remove the file)", e);
                            }
                            notes[i] = e.getMessage();
                            progress.skipped.incrementAndGet();
                            progress.done.incrementAndGet();
                            continue; // its pixels stay zero
                        }
                        crc.reset();
                        crc.update(bytes.clear());
                        crcs[i] = (int) crc.getValue();
                        writeFully(ch, bytes.clear(), ShardFormat.HEADER_BYTES + i * imageBytes);
                        progress.done.incrementAndGet();
                    }
                    return null;
                }));
            }
            await(tasks, stop, progress, file);
            // Index and names after the pixels, then the header that vouches for them.
            List<byte[]> texts = new ArrayList<>();
            MemorySegment index = MemorySegment.ofArray(new byte[count * ShardFormat.ENTRY_BYTES]);
            long textLength = 0;
            for (int i = 0; i < count; i++) {
                byte[] name = folder.name(first + i).getBytes(StandardCharsets.UTF_8);
                byte[] note = notes[i] == null ? new byte[0] : notes[i].getBytes(StandardCharsets.UTF_8);
                ShardFormat.writeEntry(index, i, folder.label(first + i),
                        notes[i] == null ? ShardFormat.STATUS_OK : ShardFormat.STATUS_SKIPPED, crcs[i], textLength,
                        name.length, note.length);
                texts.add(name);
                texts.add(note);
                textLength += name.length + note.length;
            }
            long textOffset = indexOffset + index.byteSize();
            ShardFormat.Header h = new ShardFormat.Header(0, size, count, first, indexOffset, textOffset, textLength,
                    textOffset + textLength, fingerprint);
            MemorySegment header = MemorySegment.ofArray(new byte[ShardFormat.HEADER_BYTES]);
            ShardFormat.writeHeader(header, h);
            CRC32C crc = new CRC32C();
            crc.update(header.asSlice(16).toArray(ValueLayout.JAVA_BYTE));
            crc.update(index.asByteBuffer());
            for (byte[] t : texts) {
                crc.update(t);
            }
            h = new ShardFormat.Header((int) crc.getValue(), size, count, first, indexOffset, textOffset, textLength,
                    textOffset + textLength, fingerprint);
            ShardFormat.writeHeader(header, h);
            writeFully(ch, header.asByteBuffer(), 0);
            writeFully(ch, index.asByteBuffer(), indexOffset);
            long at = textOffset;
            for (byte[] t : texts) {
                writeFully(ch, ByteBuffer.wrap(t), at);
                at += t.length;
            }
            ch.force(true);
            AtomicFiles.commit(tmp, file);
            return h.crc();
        } catch (IOException | InterruptedException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Waits for the shard's workers, redrawing progress; the first failure stops the others and is rethrown. */
    private static void await(List<Future<Void>> tasks, AtomicBoolean stop, Progress progress, Path file)
            throws IOException, InterruptedException {
        Throwable failure = null;
        for (Future<Void> f : tasks) {
            while (true) {
                try {
                    f.get(200, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    progress.redraw();
                } catch (ExecutionException e) {
                    stop.set(true);
                    failure = failure == null ? e.getCause() : failure;
                    break;
                } catch (InterruptedException e) {
                    stop.set(true);
                    throw new InterruptedIOException("interrupted while writing " + file);
                }
            }
        }
        if (failure instanceof IOException io) {
            throw io instanceof BadImageException ? new BadImageException(io.getMessage(), io)
                    : new IOException(file + ": " + io.getMessage(), io);
        }
        if (failure != null) {
            throw new IllegalStateException("writing " + file + " failed: " + failure, failure);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
    }

    /** What a shard is made from: if any of it changes, the shard is written again. */
    private static long fingerprint(ImageFolder folder, int first, int count) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        StringBuilder s = new StringBuilder();
        s.append("rfsq4j-shard ").append(ShardFormat.VERSION).append(' ').append(folder.imageSize()).append(' ')
                .append(folder.jpegDecoder()).append(" dct-gap ").append(ImageDecoder.DCT_GAP).append(' ').append(first)
                .append(' ').append(count).append('\n').append(String.join("\n", folder.classes())).append('\n');
        for (int i = first; i < first + count; i++) {
            Path f = folder.files().get(i);
            s.append(folder.name(i)).append('\0').append(Files.size(f)).append(' ')
                    .append(Files.getLastModifiedTime(f).toMillis()).append(' ').append(folder.label(i)).append('\n');
            if (s.length() > 1 << 16) {
                sha.update(s.toString().getBytes(StandardCharsets.UTF_8));
                s.setLength(0);
            }
        }
        byte[] d = sha.digest(s.toString().getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(d).getLong();
    }

    /** The progress line: images done, a bar, images/s, skipped, ETA (one line per shard without a terminal). */
    private static final class Progress {
        final AtomicLong done = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        private final PrintStream out;
        private final long total;
        private final ProgressLine line;

        Progress(PrintStream out, long total) {
            this.out = out;
            this.total = total;
            this.line = new ProgressLine(out, total, 0);
        }

        void redraw() {
            if (line.terminal()) {
                line.show(line(), true);
            }
        }

        void shardDone(int shard, int shards) {
            line.show(line() + (line.terminal() ? "" : String.format(Locale.ROOT, " (shard %d/%d)", shard, shards)), true);
        }

        void finish() {
            line.end();
            out.printf(Locale.ROOT, "done in %s: %d images, %d skipped%n", ProgressLine.clock(line.elapsed()), total,
                    skipped.get());
        }

        private String line() {
            long d = done.get();
            double rate = d / Math.max(line.elapsed(), 1e-9);
            return String.format(Locale.ROOT, "prepare %d/%d [%s] %.0f img/s, %d skipped, ETA %s", d, total,
                    line.bar(d), rate, skipped.get(), line.eta(d, total - d));
        }
    }
}
