package dev.rfsq4j.data;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One shard file ({@code shard-NNNNN.rfsq}), all integers little-endian:
 *
 * <pre>
 * [0, 4096)                      header: magic "RFSQSHRD", u32 version (1), u32 CRC32C of the header's bytes
 *                                [16, 4096) followed by the index and the text, then u32 S, u32 channels (3),
 *                                u32 count, u32 reserved (0), u64 first (the dataset index of image 0), u64 data
 *                                offset (4096), u64 index offset, u64 text offset, u64 text length, u64 file size,
 *                                u64 fingerprint (of the inputs, for resuming prepare); zeros after
 * [4096, 4096 + count * S*S*3)   pixels: image i at 4096 + i * S*S*3, uint8 RGB, row-major (HWC)
 * [index offset, + count * 24)   index: per image i32 label (-1: none), u32 status (0: usable, 1: skipped by
 *                                prepare, pixels zero), u32 CRC32C of its pixels, u32 text position, u32 name
 *                                length, u32 note length (why it was skipped)
 * [text offset, + text length)   UTF-8: each image's name (path relative to the source folder), then its note
 * </pre>
 *
 * The header's CRC covers every byte but the pixels, and each image's CRC its pixels, so one header CRC (which the
 * manifest records) vouches for the whole shard; a reader checks the header when it opens a shard and each
 * image's CRC when it reads the image.
 */
final class ShardFormat {
    static final long MAGIC = 0x4452485351534652L; // "RFSQSHRD" read as a little-endian u64
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4096;
    static final int ENTRY_BYTES = 24;
    static final int STATUS_OK = 0;
    static final int STATUS_SKIPPED = 1;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ShardFormat() {}

    /** A shard's header fields. */
    record Header(int crc, int size, int count, long first, long indexOffset, long textOffset, long textLength,
            long fileSize, long fingerprint) {
        long imageBytes() {
            return 3L * size * size;
        }

        long pixelOffset(int i) {
            return HEADER_BYTES + i * imageBytes();
        }

        long entry(int i) {
            return indexOffset + (long) i * ENTRY_BYTES;
        }
    }

    /** Writes the header (with its CRC field as given) to dst[0, 4096). */
    static void writeHeader(MemorySegment dst, Header h) {
        dst.asSlice(0, HEADER_BYTES).fill((byte) 0);
        dst.set(I64, 0, MAGIC);
        dst.set(I32, 8, VERSION);
        dst.set(I32, 12, h.crc());
        dst.set(I32, 16, h.size());
        dst.set(I32, 20, 3);
        dst.set(I32, 24, h.count());
        dst.set(I64, 32, h.first());
        dst.set(I64, 40, (long) HEADER_BYTES);
        dst.set(I64, 48, h.indexOffset());
        dst.set(I64, 56, h.textOffset());
        dst.set(I64, 64, h.textLength());
        dst.set(I64, 72, h.fileSize());
        dst.set(I64, 80, h.fingerprint());
    }

    /**
     * Reads and checks the header of a shard mapped whole (fileSize bytes): magic, version, layout, that the file
     * holds exactly what the header says, and the CRC. The message of a refusal starts with what is wrong.
     */
    static Header read(MemorySegment f) throws IOException {
        long fileSize = f.byteSize();
        if (fileSize < HEADER_BYTES) {
            throw new IOException("truncated: " + fileSize + " bytes, shorter than the 4096-byte header");
        }
        if (f.get(I64, 0) != MAGIC) {
            throw new IOException("not an rfsq4j shard (bad magic)");
        }
        int version = f.get(I32, 8);
        if (version != VERSION) {
            throw new IOException("shard format version " + version + ", this rfsq4j reads version " + VERSION);
        }
        Header h = new Header(f.get(I32, 12), f.get(I32, 16),
                f.get(I32, 24), f.get(I64, 32), f.get(I64, 48),
                f.get(I64, 56), f.get(I64, 64), f.get(I64, 72),
                f.get(I64, 80));
        if (h.size() < 1 || h.size() > 32768 || f.get(I32, 20) != 3 || h.count() < 1 || h.first() < 0
                || f.get(I64, 40) != HEADER_BYTES) {
            throw new IOException("corrupt header (size " + h.size() + ", count " + h.count() + ")");
        }
        long pixelsEnd = HEADER_BYTES + h.count() * h.imageBytes(); // < 2^63: count < 2^31, image bytes < 2^32
        if (h.indexOffset() != pixelsEnd || h.textOffset() != pixelsEnd + (long) h.count() * ENTRY_BYTES
                || h.textLength() < 0 || h.textLength() > Integer.MAX_VALUE / 2
                || h.fileSize() != h.textOffset() + h.textLength()) {
            throw new IOException("corrupt header (inconsistent offsets)");
        }
        if (fileSize != h.fileSize()) {
            throw new IOException((fileSize < h.fileSize() ? "truncated: " : "damaged: ") + fileSize + " bytes, the header says "
                    + h.fileSize());
        }
        if (crc(f, h) != h.crc()) {
            throw new IOException("corrupt: its header, index or names fail their checksum");
        }
        for (int i = 0; i < h.count(); i++) {
            long e = h.entry(i);
            long text = u32(f, e + 12), name = u32(f, e + 16), note = u32(f, e + 20);
            int status = f.get(I32, e + 4);
            if (status != STATUS_OK && status != STATUS_SKIPPED || name == 0 || text + name + note > h.textLength()
                    || label(f, h, i) < -1) {
                throw new IOException("corrupt: index entry " + i + " is invalid");
            }
        }
        return h;
    }

    /** CRC32C of the header's bytes [16, 4096), then the index and the text. */
    static int crc(MemorySegment f, Header h) {
        CRC32C crc = new CRC32C();
        crc.update(f.asSlice(16, HEADER_BYTES - 16).asByteBuffer());
        crc.update(f.asSlice(h.indexOffset(), h.fileSize() - h.indexOffset()).asByteBuffer());
        return (int) crc.getValue();
    }

    static int label(MemorySegment f, Header h, int i) {
        return f.get(I32, h.entry(i));
    }

    static int status(MemorySegment f, Header h, int i) {
        return f.get(I32, h.entry(i) + 4);
    }

    static int imageCrc(MemorySegment f, Header h, int i) {
        return f.get(I32, h.entry(i) + 8);
    }

    static String name(MemorySegment f, Header h, int i) throws IOException {
        long e = h.entry(i);
        return text(f, h.textOffset() + u32(f, e + 12), u32(f, e + 16));
    }

    static String note(MemorySegment f, Header h, int i) throws IOException {
        long e = h.entry(i);
        return text(f, h.textOffset() + u32(f, e + 12) + u32(f, e + 16), u32(f, e + 20));
    }

    /** Writes index entry i into index (a buffer of count * 24 bytes). */
    static void writeEntry(MemorySegment index, int i, int label, int status, int crc, long text, long name, long note) {
        long e = (long) i * ENTRY_BYTES;
        index.set(I32, e, label);
        index.set(I32, e + 4, status);
        index.set(I32, e + 8, crc);
        index.set(I32, e + 12, (int) text);
        index.set(I32, e + 16, (int) name);
        index.set(I32, e + 20, (int) note);
    }

    private static String text(MemorySegment f, long at, long length) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(f.asSlice(at, length).asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("corrupt: a name is not UTF-8");
        }
    }

    private static long u32(MemorySegment f, long at) {
        return f.get(I32, at) & 0xFFFFFFFFL;
    }
}
