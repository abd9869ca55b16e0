package dev.rfsq4j.data;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * torchvision's {@code Resize(S)} + {@code CenterCrop(S)} on a PIL image, bit for bit: the shorter side becomes S
 * and the longer {@code int(S * long / short)} (truncated), resized with Pillow's 8-bit bilinear filter (a
 * horizontal pass rounded to 8 bits, then a vertical pass, as Pillow runs them), then the center S x S is kept
 * ({@code top = round((h - S) / 2)}, half to even). Only the pixels the crop keeps are computed.
 *
 * <p>One instance per thread: it keeps its row buffers between images.
 */
final class ResizeCrop {
    /**
     * An 8-bit image, rows of width x channels bytes (channels 1: gray, replicated to RGB at the end; 3: RGB).
     * fullWidth x fullHeight is the size the file declares: the resize is computed from it, so a source that the
     * JPEG decoder already scaled down (width < fullWidth) resizes to the same output size.
     */
    record Pixels(MemorySegment data, int width, int height, int channels, int fullWidth, int fullHeight) {}

    private byte[] row = new byte[0];
    private byte[] narrow = new byte[0];
    private int[] sums = new int[0];

    /** Writes the S x S x 3 uint8 RGB crop (HWC) of src to dst[offset ..]. */
    void apply(Pixels src, int size, MemorySegment dst, long offset) {
        int w = src.fullWidth(), h = src.fullHeight(), c = src.channels();
        int nw = w <= h ? size : (int) ((double) ((long) size * w) / h);
        int nh = w <= h ? (int) ((double) ((long) size * h) / w) : size;
        Resize cols = Resize.axis(src.width(), nw, (int) Math.rint((nw - size) / 2.0), size);
        Resize rows = Resize.axis(src.height(), nh, (int) Math.rint((nh - size) / 2.0), size);
        int rowLo = rows.start()[0];
        int rowHi = rows.start()[size - 1] + rows.length()[size - 1];
        int rowBytes = src.width() * c, line = size * c;
        row = grow(row, rowBytes);
        narrow = grow(narrow, (rowHi - rowLo) * line);
        sums = sums.length >= line ? sums : new int[line];

        // Horizontal pass over the input rows the crop needs, rounded to 8 bits.
        for (int y = rowLo; y < rowHi; y++) {
            MemorySegment.copy(src.data(), JAVA_BYTE, (long) y * rowBytes, row, 0, rowBytes);
            int at = (y - rowLo) * line;
            if (cols.identity()) {
                System.arraycopy(row, cols.start()[0] * c, narrow, at, line);
            } else if (c == 3) {
                horizontal3(cols, row, narrow, at);
            } else {
                horizontal1(cols, row, narrow, at);
            }
        }
        // Vertical pass: each output row is a weighted sum of whole narrow rows.
        byte[] out = row.length >= line ? row : (row = new byte[line]);
        for (int y = 0; y < size; y++) {
            int first = rows.start()[y] - rowLo;
            if (rows.identity()) {
                System.arraycopy(narrow, first * line, out, 0, line);
            } else {
                vertical(rows, y, first, line);
                for (int i = 0; i < line; i++) {
                    out[i] = (byte) Resize.clip8(sums[i]);
                }
            }
            long at = offset + (long) y * size * 3;
            if (c == 3) {
                MemorySegment.copy(out, 0, dst, JAVA_BYTE, at, line);
            } else {
                for (int x = 0; x < size; x++) {
                    byte v = out[x];
                    dst.set(JAVA_BYTE, at + 3L * x, v);
                    dst.set(JAVA_BYTE, at + 3L * x + 1, v);
                    dst.set(JAVA_BYTE, at + 3L * x + 2, v);
                }
            }
        }
    }

    private static void horizontal3(Resize r, byte[] row, byte[] out, int at) {
        int[] start = r.start(), length = r.length(), weights = r.weights();
        for (int i = 0; i < start.length; i++) {
            int p = start[i] * 3, k0 = i * r.stride(), n = length[i];
            int sr = Resize.HALF, sg = Resize.HALF, sb = Resize.HALF;
            for (int k = 0; k < n; k++, p += 3) {
                int wk = weights[k0 + k];
                sr += (row[p] & 0xFF) * wk;
                sg += (row[p + 1] & 0xFF) * wk;
                sb += (row[p + 2] & 0xFF) * wk;
            }
            out[at++] = (byte) Resize.clip8(sr);
            out[at++] = (byte) Resize.clip8(sg);
            out[at++] = (byte) Resize.clip8(sb);
        }
    }

    private static void horizontal1(Resize r, byte[] row, byte[] out, int at) {
        int[] start = r.start(), length = r.length(), weights = r.weights();
        for (int i = 0; i < start.length; i++) {
            int p = start[i], k0 = i * r.stride(), n = length[i];
            int s = Resize.HALF;
            for (int k = 0; k < n; k++) {
                s += (row[p + k] & 0xFF) * weights[k0 + k];
            }
            out[at++] = (byte) Resize.clip8(s);
        }
    }

    /** sums[0, line) = the fixed-point sums of output row y over narrow rows first, first + 1, ... */
    private void vertical(Resize r, int y, int first, int line) {
        int k0 = y * r.stride(), n = r.length()[y];
        int[] s = sums;
        java.util.Arrays.fill(s, 0, line, Resize.HALF);
        for (int k = 0; k < n; k++) {
            int wk = r.weights()[k0 + k];
            int base = (first + k) * line;
            byte[] src = narrow;
            for (int i = 0; i < line; i++) {
                s[i] += (src[base + i] & 0xFF) * wk;
            }
        }
    }

    private static byte[] grow(byte[] a, int n) {
        return a.length >= n ? a : new byte[Math.max(n, a.length + a.length / 2)];
    }
}
