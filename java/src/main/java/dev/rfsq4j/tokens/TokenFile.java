package dev.rfsq4j.tokens;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The token file format ({@code .rfsqt}), version 1: one batch of {@link Tokens}, little-endian throughout.
 *
 * <pre>
 * offset size field
 *  0      8   magic 0x89 'R' 'F' 'S' 'Q' 'T' 'O' 'K'
 *  8      2   version = 1
 * 10      2   flags: bit 0 set = statistics follow the indices; other bits 0
 * 12      8   config hash: the quantizer configuration that made the indices
 * 20      8   model hash: the trained model that made them
 * 28      4   codebook size N (2 .. 2^31 - 1): every index is in [0, N) and takes bits = ceil(log2 N) bits
 * 32      2   stages K (1 .. 16)
 * 34      2   channels C of the statistics (1 .. 16 with statistics, else 0)
 * 36      4   batch B (>= 1)
 * 40      4   height H (>= 1, latent rows)
 * 44      4   width W (>= 1, latent columns)
 * 48          indices: K blocks, stage 0 first; block k holds the B*H*W indices of stage k in (b, y, x) order,
 *             packed LSB first (bit j of an index at bit (p*bits + j) of the block, bit i of a block at bit i % 8 of
 *             its byte i / 8), zero-padded to a whole byte: ceil(B*H*W*bits / 8) bytes per block
 *  ..         statistics (flag bit 0): K*B*C*2 float32, (K,B,C,2) order: per stage, image and channel (mu, sigma)
 *  end-4  4   CRC-32C of every byte before it
 * </pre>
 *
 * Stage-major blocks keep each stage's indices together, so the first k stages are a prefix of the index data.
 * {@link #parse} is strict: the size must be exactly what the header says (checked in 64-bit arithmetic before
 * anything is allocated), the checksum must match, padding bits must be 0, every index must be below N and every
 * statistic a finite mean and a finite sigma > 0; anything else is a {@link TokenFormatException} with one line.
 */
public final class TokenFile {
    /** File name extension of token files. */
    public static final String EXTENSION = ".rfsqt";
    static final byte[] MAGIC = {(byte) 0x89, 'R', 'F', 'S', 'Q', 'T', 'O', 'K'};
    static final int VERSION = 1;
    static final int HEADER = 48;
    static final int FLAG_STATS = 1;
    /** The largest element count a Java array holds safely. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private TokenFile() {}

    /** The bytes of a token file holding tokens. */
    public static byte[] write(Tokens tokens) {
        int bits = tokens.bitsPerIndex();
        long positions = (long) tokens.batch() * tokens.height() * tokens.width();
        long block = (positions * bits + 7) / 8;
        long statBytes = tokens.hasStats() ? 8L * tokens.stages() * tokens.batch() * tokens.channels() : 0;
        long size = HEADER + block * tokens.stages() + statBytes + 4;
        if (size > MAX_ELEMENTS) {
            throw new IllegalArgumentException(tokens + " take " + size + " bytes, more than one token file holds");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putShort((short) VERSION).putShort((short) (tokens.hasStats() ? FLAG_STATS : 0))
                .putLong(tokens.configHash()).putLong(tokens.modelHash()).putInt(tokens.codebookSize())
                .putShort((short) tokens.stages()).putShort((short) tokens.channels()).putInt(tokens.batch())
                .putInt(tokens.height()).putInt(tokens.width());
        int[] indices = tokens.indices();
        int k = tokens.stages();
        for (int s = 0; s < k; s++) {
            long acc = 0; // bits not yet written, LSB first
            int pending = 0;
            for (long p = 0; p < positions; p++) {
                acc |= (long) indices[(int) (p * k + s)] << pending;
                pending += bits;
                while (pending >= 8) {
                    out.put((byte) acc);
                    acc >>>= 8;
                    pending -= 8;
                }
            }
            if (pending > 0) {
                out.put((byte) acc); // the rest of the byte stays 0
            }
        }
        if (tokens.hasStats()) {
            for (float f : tokens.stats()) {
                out.putFloat(f);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** Writes tokens to file (via a temporary file renamed into place, so a reader never sees half a file). */
    public static void write(Path file, Tokens tokens) throws IOException {
        byte[] bytes = write(tokens);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a token file; a malformed one fails with a message that names the file. */
    public static Tokens read(Path file) throws IOException {
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
        }
        if (size > MAX_ELEMENTS) {
            throw new TokenFormatException(file + ": " + size + " bytes is larger than any token file this reader takes");
        }
        try {
            return parse(Files.readAllBytes(file));
        } catch (TokenFormatException e) {
            throw new TokenFormatException(file + ": " + e.getMessage());
        }
    }

    /**
     * Parses the bytes of a token file. Any input either gives tokens or throws a {@link TokenFormatException} (never
     * another exception, never an allocation larger than 32 bytes per input byte): the entry point for fuzzing.
     */
    public static Tokens parse(byte[] file) throws TokenFormatException {
        if (file.length < HEADER + 4) {
            throw new TokenFormatException("truncated: " + file.length + " bytes, a token file has at least " + (HEADER + 4));
        }
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.get(i) != MAGIC[i]) {
                throw new TokenFormatException("not a token file (bad magic bytes)");
            }
        }
        int version = Short.toUnsignedInt(in.getShort(8));
        if (version != VERSION) {
            throw new TokenFormatException("token file version " + version + ", this reader knows version " + VERSION);
        }
        int flags = Short.toUnsignedInt(in.getShort(10));
        if ((flags & ~FLAG_STATS) != 0) {
            throw new TokenFormatException("unknown flags 0x" + Integer.toHexString(flags));
        }
        long configHash = in.getLong(12), modelHash = in.getLong(20);
        long codebook = Integer.toUnsignedLong(in.getInt(28));
        int stages = Short.toUnsignedInt(in.getShort(32));
        int channels = Short.toUnsignedInt(in.getShort(34));
        long b = Integer.toUnsignedLong(in.getInt(36)), h = Integer.toUnsignedLong(in.getInt(40));
        long w = Integer.toUnsignedLong(in.getInt(44));
        boolean hasStats = (flags & FLAG_STATS) != 0;
        if (codebook < 2 || codebook > Integer.MAX_VALUE) {
            throw new TokenFormatException("codebook size " + codebook + " is outside [2, 2^31 - 1]");
        }
        if (stages < 1 || stages > Tokens.MAX_STAGES) {
            throw new TokenFormatException("stages " + stages + " is outside [1, " + Tokens.MAX_STAGES + "]");
        }
        if (hasStats ? channels < 1 || channels > Tokens.MAX_CHANNELS : channels != 0) {
            throw new TokenFormatException("channels " + channels + (hasStats ? " is outside [1, " + Tokens.MAX_CHANNELS + "]"
                    : " must be 0 without statistics"));
        }
        if (b < 1 || h < 1 || w < 1) {
            throw new TokenFormatException("batch, height and width must be >= 1, got " + b + ", " + h + ", " + w);
        }
        // Every factor is below 2^32 and file.length below 2^31: compare in exact arithmetic, then allocate.
        int bits = 32 - Integer.numberOfLeadingZeros((int) codebook - 1);
        long expected;
        long positions;
        try {
            positions = Math.multiplyExact(Math.multiplyExact(b, h), w);
            long block = Math.addExact(Math.multiplyExact(positions, bits), 7) / 8;
            long statBytes = hasStats ? Math.multiplyExact(8L * stages * channels, b) : 0;
            expected = Math.addExact(Math.addExact(HEADER + 4, Math.multiplyExact(block, stages)), statBytes);
        } catch (ArithmeticException overflow) {
            throw new TokenFormatException("header sizes (" + b + "," + h + "," + w + "," + stages + ") overflow");
        }
        if (expected != file.length) {
            throw new TokenFormatException(expected > file.length
                    ? "truncated: the header needs " + expected + " bytes, the file has " + file.length
                    : file.length + " bytes, the header accounts for " + expected + " (trailing data)");
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        if ((int) crc.getValue() != in.getInt(file.length - 4)) {
            throw new TokenFormatException("corrupt: the CRC-32C does not match the contents");
        }
        long count = positions * stages; // <= 8 * file.length / bits, so below 2^34: checked against an array's limit
        if (count > MAX_ELEMENTS) {
            throw new TokenFormatException(count + " indices are more than one batch holds in memory");
        }
        int[] indices = new int[(int) count];
        long block = (positions * bits + 7) / 8;
        long mask = (1L << bits) - 1;
        for (int s = 0; s < stages; s++) {
            long base = HEADER + s * block;
            for (long p = 0; p < positions; p++) {
                long at = p * bits;
                int first = (int) (base + (at >>> 3));
                int shift = (int) (at & 7);
                long window = 0;
                for (int i = 0; i * 8 < shift + bits; i++) { // at most 5 bytes, all inside this block
                    window |= (long) (file[first + i] & 0xFF) << (8 * i);
                }
                long v = window >>> shift & mask;
                if (v >= codebook) {
                    throw new TokenFormatException("index " + v + " of stage " + s + " at position " + p
                            + " is outside the codebook [0, " + codebook + ")");
                }
                indices[(int) (p * stages + s)] = (int) v;
            }
            long used = positions * bits;
            if (used % 8 != 0 && (file[(int) (base + block - 1)] & 0xFF) >>> (used % 8) != 0) {
                throw new TokenFormatException("padding bits of stage " + s + " are not zero");
            }
        }
        float[] stats = null;
        if (hasStats) {
            stats = new float[(int) (2 * stages * channels * b)];
            in.position(HEADER + (int) (stages * block));
            for (int i = 0; i < stats.length; i++) {
                stats[i] = in.getFloat();
            }
            try {
                Tokens.checkStats(stats);
            } catch (IllegalArgumentException e) {
                throw new TokenFormatException(e.getMessage());
            }
        }
        try {
            return new Tokens((int) b, (int) h, (int) w, stages, (int) codebook, configHash, modelHash, indices, channels,
                    stats);
        } catch (IllegalArgumentException e) { // every check above should have caught it; never another exception type
            throw new TokenFormatException(e.getMessage());
        }
    }
}
