package dev.rfsq4j.data;

import java.util.zip.CRC32;

/**
 * What a PNG or JPEG file declares, read strictly from the whole file before any pixel is decoded, so that a file
 * which is truncated, structurally corrupt, or declares more pixels than its data could hold is refused without
 * allocating for its pixels.
 *
 * <p>PNG: the signature, IHDR first, every chunk inside the file with a correct CRC, IDAT data present, IEND
 * present (a file cut short has none), and at most {@value #DEFLATE_RATIO}:1 (deflate's limit) between the
 * declared raw pixel bytes and the IDAT bytes. JPEG: SOI, marker segments inside the file, a frame header
 * (SOFn) before the first scan, and an EOI marker after the entropy-coded data (a file cut short has none); a
 * Huffman-coded frame must hold at least one bit per 8x8 block, so its pixels are at most
 * {@value #JPEG_PIXELS_PER_BYTE} per file byte (512 in theory; twice that as a margin).
 *
 * @param width, height declared size in pixels
 * @param channels samples per pixel as stored (PNG: 1 gray or palette index, 2 gray + alpha, 3 RGB, 4 RGBA; JPEG:
 *     components)
 * @param bitsPerSample PNG bit depth (1..16); JPEG sample precision (8, 12, 16)
 * @param paletted a PNG palette image (channels 1: the index)
 * @param adobeTransform JPEG: the Adobe APP14 marker's color transform, -1 without one; PNG: -1
 */
record ImageHeader(Format format, int width, int height, int channels, int bitsPerSample, boolean paletted,
        boolean progressive, int adobeTransform) {
    enum Format { PNG, JPEG }

    static final int DEFLATE_RATIO = 1032;
    static final int JPEG_PIXELS_PER_BYTE = 1024;

    /**
     * Bytes the decoded image occupies: width x height x channels x bytes per sample (a sample of 8 bits or fewer
     * takes a byte, of 16 bits two), a palette image counted as RGB, what it decodes to.
     */
    long decodedBytes() {
        return (long) width * height * (paletted ? 3 : channels) * (bitsPerSample > 8 ? 2 : 1);
    }

    /** Reads the header of the file held in file[0, size) (size <= 2^31 - 1); a refusal's message does not name the file. */
    static ImageHeader read(byte[] file, long size) throws BadImageException {
        if (size >= 8 && u32(file, 0) == 0x89504E47L && u32(file, 4) == 0x0D0A1A0AL) { // \x89PNG\r\n\x1a\n
            return png(file, size);
        }
        if (size >= 3 && u8(file, 0) == 0xFF && u8(file, 1) == 0xD8 && u8(file, 2) == 0xFF) {
            return jpeg(file, size);
        }
        throw new BadImageException(size == 0 ? "empty file" : "not a PNG or JPEG image");
    }

    private static ImageHeader png(byte[] f, long size) throws BadImageException {
        long at = 8;
        int width = 0, height = 0, depth = 0, color = -1;
        long idat = 0;
        boolean palette = false;
        CRC32 crc = new CRC32();
        while (true) {
            if (at + 12 > size) {
                throw new BadImageException("truncated: the file ends before the IEND chunk");
            }
            long length = u32(f, at);
            String type = new String(new char[] {(char) u8(f, at + 4), (char) u8(f, at + 5), (char) u8(f, at + 6),
                    (char) u8(f, at + 7)});
            if (length > Integer.MAX_VALUE || at + 12 + length > size) {
                throw new BadImageException("truncated: chunk " + printable(type) + " runs past the end of the file");
            }
            crc.reset();
            crc.update(f, (int) at + 4, (int) (4 + length));
            if ((int) crc.getValue() != (int) u32(f, at + 8 + length)) {
                throw new BadImageException("corrupt: chunk " + printable(type) + " at byte " + at + " fails its CRC");
            }
            long data = at + 8;
            if (at == 8) {
                if (!type.equals("IHDR") || length != 13) {
                    throw new BadImageException("corrupt: the first chunk is not a 13-byte IHDR");
                }
                width = (int) Math.min(u32(f, data), Integer.MAX_VALUE);
                height = (int) Math.min(u32(f, data + 4), Integer.MAX_VALUE);
                depth = u8(f, data + 8);
                color = u8(f, data + 9);
                if (width == 0 || height == 0 || !validPngDepth(color, depth) || u8(f, data + 10) != 0
                        || u8(f, data + 11) != 0 || u8(f, data + 12) > 1) {
                    throw new BadImageException("corrupt: invalid IHDR (" + width + " x " + height + ", bit depth " + depth
                            + ", color type " + color + ")");
                }
            } else if (type.equals("PLTE")) {
                palette = true;
            } else if (type.equals("IDAT")) {
                idat += length;
            } else if (type.equals("IEND")) {
                break;
            }
            at += 12 + length;
        }
        if (idat == 0) {
            throw new BadImageException("corrupt: no image data (IDAT)");
        }
        if (color == 3 && !palette) {
            throw new BadImageException("corrupt: a palette image without a palette (PLTE)");
        }
        int channels = switch (color) {
            case 0, 3 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            default -> 4;
        };
        // Filtered scanlines: one filter byte per row plus the packed samples.
        long raw = (long) height * (1 + ((long) width * channels * depth + 7) / 8);
        if (raw > DEFLATE_RATIO * idat + 65536) {
            throw new BadImageException("corrupt or crafted: declares " + width + " x " + height + " pixels (" + raw
                    + " bytes) but holds only " + idat + " bytes of compressed data");
        }
        return new ImageHeader(Format.PNG, width, height, channels, depth, color == 3, false, -1);
    }

    private static boolean validPngDepth(int color, int depth) {
        return switch (color) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            case 2, 4, 6 -> depth == 8 || depth == 16;
            default -> false;
        };
    }

    private static ImageHeader jpeg(byte[] f, long size) throws BadImageException {
        long at = 2;
        int width = 0, height = 0, components = 0, precision = 0, adobe = -1;
        boolean progressive = false, huffman = true, frame = false;
        while (true) {
            int marker = nextMarker(f, at, size);
            at = markerEnd(f, at, size);
            if (marker == 0xD9) {
                throw new BadImageException("corrupt: EOI before any image data");
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                throw new BadImageException("corrupt: unexpected marker 0xFF" + Integer.toHexString(marker).toUpperCase()
                        + " before the image data");
            }
            long length = segmentLength(f, at, size, marker);
            long data = at + 2;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (frame || length < 8) {
                    throw new BadImageException(frame ? "corrupt: two frame headers" : "corrupt: short frame header");
                }
                frame = true;
                precision = u8(f, data);
                height = u16(f, data + 1);
                width = u16(f, data + 3);
                components = u8(f, data + 5);
                progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
                huffman = marker < 0xC8;
                if (width == 0 || height == 0 || components == 0 || length < 8 + 3L * components) {
                    throw new BadImageException(height == 0 && width > 0 ? "unsupported: the height is set by a DNL marker"
                            : "corrupt: invalid frame header (" + width + " x " + height + ", " + components + " components)");
                }
            } else if (marker == 0xEE && length >= 14 && u8(f, data) == 'A' && u8(f, data + 1) == 'd' && u8(f, data + 2) == 'o'
                    && u8(f, data + 3) == 'b' && u8(f, data + 4) == 'e') {
                adobe = u8(f, data + 11);
            } else if (marker == 0xDA) {
                if (!frame) {
                    throw new BadImageException("corrupt: image data (SOS) before the frame header (SOFn)");
                }
                checkEoi(f, at + length, size);
                break;
            }
            at += length;
        }
        if (huffman && (long) width * height > JPEG_PIXELS_PER_BYTE * size) {
            throw new BadImageException("corrupt or crafted: declares " + width + " x " + height + " pixels but holds only "
                    + size + " bytes");
        }
        return new ImageHeader(Format.JPEG, width, height, components, precision, false, progressive, adobe);
    }

    /**
     * Walks the entropy-coded data from after the first scan header to the EOI marker: inside it 0xFF is followed by
     * 0x00 (a stuffed byte), a restart marker or fill; any other marker (tables, further scans) is a length-prefixed
     * segment to skip.
     */
    private static void checkEoi(byte[] f, long at, long size) throws BadImageException {
        while (at < size) {
            if (u8(f, at) != 0xFF) {
                at++;
                continue;
            }
            long next = at + 1;
            while (next < size && u8(f, next) == 0xFF) {
                next++;
            }
            if (next >= size) {
                break;
            }
            int m = u8(f, next);
            if (m == 0xD9) {
                return;
            }
            if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
                at = next + 1;
                continue;
            }
            at = next + 1 + segmentLength(f, next + 1, size, m);
        }
        throw new BadImageException("truncated: the file ends before the image data does (no EOI marker)");
    }

    /** The marker at or after at: extraneous bytes before it are skipped, as libjpeg skips them (with a warning). */
    private static int nextMarker(byte[] f, long at, long size) throws BadImageException {
        return u8(f, markerEnd(f, at, size) - 1);
    }

    /** The position after the next marker's code byte (past extraneous and fill bytes). */
    private static long markerEnd(byte[] f, long at, long size) throws BadImageException {
        while (at < size && u8(f, at) != 0xFF) {
            at++;
        }
        while (at < size && u8(f, at) == 0xFF) {
            at++;
        }
        if (at >= size) {
            throw new BadImageException("truncated: the file ends before the image data");
        }
        return at + 1;
    }

    private static long segmentLength(byte[] f, long at, long size, int marker) throws BadImageException {
        if (at + 2 > size) {
            throw new BadImageException("truncated: the file ends inside a marker segment");
        }
        int length = u16(f, at);
        if (length < 2 || at + length > size) {
            throw new BadImageException(length < 2 ? "corrupt: invalid segment length" : "truncated: marker segment 0xFF"
                    + Integer.toHexString(marker).toUpperCase() + " runs past the end of the file");
        }
        return length;
    }

    private static String printable(String type) {
        return type.chars().allMatch(c -> c >= 'A' && c <= 'z') ? type : "(unnamed)";
    }

    private static int u8(byte[] f, long at) {
        return f[(int) at] & 0xFF;
    }

    private static int u16(byte[] f, long at) {
        return u8(f, at) << 8 | u8(f, at + 1);
    }

    private static long u32(byte[] f, long at) {
        return (long) u16(f, at) << 16 | u16(f, at + 2);
    }
}
