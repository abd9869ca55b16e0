package dev.rfsq4j.io;

import dev.rfsq4j.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * NumPy .npy files (format 1.0, 2.0 and 3.0 on read; 1.0, or 2.0 for huge headers, on write) holding little-endian
 * float32 ({@code <f4}) or int32 ({@code <i4}) arrays in C order. Data is streamed through a small buffer straight
 * into or out of the Java array. Every failure is an {@link IOException} with a one-line message that starts
 * with the file name.
 */
public final class Npy {
    private static final int BUFFER_BYTES = 1 << 16;

    private Npy() {}

    /** A float32 array and its shape. */
    public record Floats(long[] shape, float[] data) {}

    /** An int32 array and its shape. */
    public record Ints(long[] shape, int[] data) {}

    /** Reads and checks only the header. */
    public static NpyHeader header(Path file) throws IOException {
        try (FileChannel ch = ReadChannel.open(file)) {
            return NpyHeader.read(file, ch);
        }
    }

    public static Floats readFloats(Path file) throws IOException {
        try (FileChannel ch = ReadChannel.open(file)) {
            NpyHeader header = expect(file, NpyHeader.read(file, ch), DType.F32);
            float[] data = new float[(int) header.numel()];
            ByteBuffer buf = buffer();
            int done = 0;
            while (done < data.length) {
                int n = fill(file, ch, buf, data.length - done, data.length);
                buf.asFloatBuffer().get(data, done, n);
                done += n;
            }
            return new Floats(header.shape(), data);
        } catch (IOException e) {
            throw Messages.named(file, "read", e);
        }
    }

    public static Ints readInts(Path file) throws IOException {
        try (FileChannel ch = ReadChannel.open(file)) {
            NpyHeader header = expect(file, NpyHeader.read(file, ch), DType.I32);
            int[] data = new int[(int) header.numel()];
            ByteBuffer buf = buffer();
            int done = 0;
            while (done < data.length) {
                int n = fill(file, ch, buf, data.length - done, data.length);
                buf.asIntBuffer().get(data, done, n);
                done += n;
            }
            return new Ints(header.shape(), data);
        } catch (IOException e) {
            throw Messages.named(file, "read", e);
        }
    }

    /** Writes a float32 array; file is replaced only once the whole new file is on disk (see {@link OutputFiles}). */
    public static void write(Path file, long[] shape, float[] data) throws IOException {
        try (OutputFiles out = new OutputFiles()) {
            write(out, file, shape, data);
            out.commit();
        }
    }

    /** Writes an int32 array; file is replaced only once the whole new file is on disk. */
    public static void write(Path file, long[] shape, int[] data) throws IOException {
        try (OutputFiles out = new OutputFiles()) {
            write(out, file, shape, data);
            out.commit();
        }
    }

    /** Writes a float32 array as one of a set of outputs that appear together at {@link OutputFiles#commit}. */
    public static void write(OutputFiles out, Path file, long[] shape, float[] data) throws IOException {
        byte[] header = header(DType.F32, shape, data.length);
        out.write(file, ch -> {
            drain(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = buffer();
            for (int done = 0; done < data.length; ) {
                int n = Math.min(data.length - done, BUFFER_BYTES / 4);
                buf.clear();
                buf.asFloatBuffer().put(data, done, n);
                drain(ch, buf.limit(n * 4));
                done += n;
            }
        });
    }

    /** Writes an int32 array as one of a set of outputs that appear together at {@link OutputFiles#commit}. */
    public static void write(OutputFiles out, Path file, long[] shape, int[] data) throws IOException {
        byte[] header = header(DType.I32, shape, data.length);
        out.write(file, ch -> {
            drain(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = buffer();
            for (int done = 0; done < data.length; ) {
                int n = Math.min(data.length - done, BUFFER_BYTES / 4);
                buf.clear();
                buf.asIntBuffer().put(data, done, n);
                drain(ch, buf.limit(n * 4));
                done += n;
            }
        });
    }

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads up to {@code wanted} elements' bytes into buf (from position 0); a short file is truncation. */
    private static int fill(Path file, FileChannel ch, ByteBuffer buf, int wanted, int total) throws IOException {
        int n = Math.min(wanted, BUFFER_BYTES / 4);
        buf.clear().limit(n * 4);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException(file + ": truncated: the header promises " + total + " elements ("
                        + 4L * total + " data bytes), the file ends early");
            }
        }
        buf.flip();
        return n;
    }

    private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static NpyHeader expect(Path file, NpyHeader header, DType dtype) throws IOException {
        if (header.dtype() != dtype) {
            throw new IOException(file + ": holds " + header.describe() + ", expected " + dtype.label());
        }
        return header;
    }

    private static byte[] header(DType dtype, long[] shape, int length) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != length) {
            throw new IllegalArgumentException(
                    "array of " + length + " elements does not match shape " + Arrays.toString(shape));
        }
        return NpyHeader.encode(dtype, shape);
    }
}
