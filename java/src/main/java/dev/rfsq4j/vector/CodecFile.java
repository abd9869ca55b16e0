package dev.rfsq4j.vector;

import dev.rfsq4j.Device;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.Strategy;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The file of a fitted {@link VectorCodec}, little-endian:
 *
 * <pre>
 * 8 bytes   magic "RFSQVEC\0"
 * u32       version = 1
 * u32       D (1 .. 2^24)
 * u32       K stages (1 .. 16)
 * u32       strategy: 0 none, 1 scale, 2 layernorm
 * u32       C channels (1 .. 16), then u32 levels[C] (each >= 2, product < 2^31)
 * u32       parameter count (none 0, scale K, layernorm 2*C*K), then f32 parameters (rfsq.h's layout)
 * u32       statistics count (layernorm 2*C*K, else 0), then f32 (mu, sigma) per stage and channel, sigma > 0
 * f32       scale (> 0), then f32 mean[D]
 * u32       CRC-32 of every byte before it
 * </pre>
 *
 * The reader is strict: wrong magic, version, checksum, sizes, counts, non-finite values, a truncated file or bytes
 * after the checksum fail with an IOException whose one-line message starts with the file name.
 */
final class CodecFile {
    static final byte[] MAGIC = {'R', 'F', 'S', 'Q', 'V', 'E', 'C', 0};
    static final int VERSION = 1;
    static final int MAX_DIMENSION = 1 << 24;
    /** Larger than any valid file (D = 2^24 floats plus a small header). */
    private static final long MAX_BYTES = 4L * MAX_DIMENSION + 4096;

    private CodecFile() {}

    static void write(Path file, VectorCodec codec) throws IOException {
        float[] params = codec.params(), stats = codec.frozenStats();
        Standardizer std = codec.standardizer();
        Levels levels = codec.levels();
        int c = levels.count();
        int bytes = MAGIC.length + 4 * (6 + c) + 4 * params.length + 4 + 4 * (stats == null ? 0 : stats.length) + 4
                + 4 * std.dimension() + 4;
        ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putInt(std.dimension()).putInt(codec.stages()).putInt(codec.strategy().code()).putInt(c);
        for (int v : levels.values()) {
            buf.putInt(v);
        }
        buf.putInt(params.length);
        for (float v : params) {
            buf.putFloat(v);
        }
        buf.putInt(stats == null ? 0 : stats.length);
        if (stats != null) {
            for (float v : stats) {
                buf.putFloat(v);
            }
        }
        buf.putFloat(std.scale());
        for (float v : std.mean()) {
            buf.putFloat(v);
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, buf.array());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static VectorCodec read(Path file, Device device, int imagePositions) throws IOException {
        byte[] bytes = readAll(file);
        try {
            return parse(bytes, device, imagePositions);
        } catch (BufferUnderflowException e) {
            throw new IOException(file + ": truncated vector codec file (" + bytes.length + " bytes)");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static VectorCodec parse(byte[] bytes, Device device, int imagePositions) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not a vector codec file (bad magic; expected one written by VectorCodec.save)");
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException("vector codec file version " + Integer.toUnsignedString(version)
                    + " is not supported (this reader knows version " + VERSION + ")");
        }
        if (bytes.length < MAGIC.length + 8) {
            throw new BufferUnderflowException();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException("checksum mismatch: the file is corrupt or truncated");
        }
        int dim = range(buf.getInt(), 1, MAX_DIMENSION, "dimension");
        int stages = range(buf.getInt(), 1, Rfsq.MAX_STAGES, "stages");
        Strategy strategy = strategy(buf.getInt());
        int c = range(buf.getInt(), 1, Levels.MAX_CHANNELS, "channels");
        int[] values = new int[c];
        for (int i = 0; i < c; i++) {
            values[i] = buf.getInt();
        }
        Levels levels = Levels.of(values);
        int expectedParams = switch (strategy) {
            case NONE -> 0;
            case SCALE -> stages;
            case LAYERNORM -> 2 * c * stages;
        };
        float[] params = floats(buf, count(buf.getInt(), expectedParams, "parameter"), "parameter");
        float[] stats = floats(buf, count(buf.getInt(), strategy == Strategy.LAYERNORM ? 2 * c * stages : 0, "statistics"), "statistic");
        for (int i = 1; i < stats.length; i += 2) {
            if (!(stats[i] > 0)) {
                throw new IllegalArgumentException("frozen sigma " + stats[i] + " (stage " + (i / (2 * c) + 1) + ") must be > 0");
            }
        }
        float scale = buf.getFloat();
        float[] mean = floats(buf, dim, "mean");
        if (buf.remaining() != 4) {
            throw new IllegalArgumentException(buf.remaining() < 4 ? "truncated vector codec file"
                    : (buf.remaining() - 4) + " unexpected bytes before the checksum");
        }
        Standardizer std = new Standardizer(mean, scale);
        return new VectorCodec(device, levels, stages, strategy, std, params, strategy == Strategy.LAYERNORM ? stats : null,
                imagePositions);
    }

    private static byte[] readAll(Path file) throws IOException {
        long size;
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size > MAX_BYTES) {
                throw new IOException(size + " bytes is larger than any vector codec file (at most " + MAX_BYTES + ")");
            }
            buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read until full or end of file
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (IOException e) {
            throw new IOException(file + ": cannot read: " + e.getMessage());
        }
        return buf.array();
    }

    private static Strategy strategy(int code) {
        for (Strategy s : Strategy.values()) {
            if (s.code() == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy code " + Integer.toUnsignedString(code) + " is unknown (0 none, 1 scale, 2 layernorm)");
    }

    private static int range(int v, int lo, int hi, String what) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(what + " " + Integer.toUnsignedString(v) + " is outside " + lo + ".." + hi);
        }
        return v;
    }

    private static int count(int v, int expected, String what) {
        if (v != expected) {
            throw new IllegalArgumentException(what + " count " + Integer.toUnsignedString(v) + " does not match the header ("
                    + expected + " expected)");
        }
        return v;
    }

    private static float[] floats(ByteBuffer buf, int n, String what) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = buf.getFloat();
            if (!Float.isFinite(out[i])) {
                throw new IllegalArgumentException(what + " " + i + " is " + out[i] + "; values must be finite");
            }
        }
        return out;
    }
}
