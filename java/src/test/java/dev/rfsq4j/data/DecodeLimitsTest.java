package dev.rfsq4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted files that declare more pixels than they hold, or than a decoder should allocate: refused from their
 * header, before any pixel memory is taken (issue 13: a 100-byte PNG of 13000 x 13000 allocated 610 MB before
 * failing; a 16-bit RGBA one within Pillow's pixel limit took 1.6 GB and 24 s).
 */
class DecodeLimitsTest {
    @TempDir
    Path dir;

    /** Heap bytes this thread allocates while decoding image 0 of dir (which must fail), and the failure. */
    private record Refusal(long allocated, long millis, BadImageException error) {}

    private Refusal decodeFails(String file) throws IOException {
        ImageFolder folder = ImageFolder.open(dir, 128, new DataOptions(true, DataOptions.JpegDecoder.AUTO, false));
        assertEquals(dir.resolve(file), folder.files().getFirst());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(3 * 128 * 128);
            long before = threads.getCurrentThreadAllocatedBytes(), start = System.nanoTime();
            BadImageException e = assertThrows(BadImageException.class, () -> folder.decode(0, out, 0));
            return new Refusal(threads.getCurrentThreadAllocatedBytes() - before, (System.nanoTime() - start) / 1_000_000, e);
        }
    }

    @Test
    void aTinyPngDeclaring13000SquaredIsRefusedFromItsHeader() throws IOException {
        Files.write(dir.resolve("rgb.png"), png(13000, 13000, 8, 2, new byte[] {0x78, (byte) 0x9C, 3, 0, 0, 0, 0, 1}));
        Refusal r = decodeFails("rgb.png");
        assertTrue(Files.size(dir.resolve("rgb.png")) < 100);
        // Deflate cannot turn 8 bytes into 507 MB (its limit is 1032:1), and 483 MiB is over the limit anyway.
        assertTrue(r.error().getMessage().contains("declares 13000 x 13000 pixels (507013000 bytes) but holds only 8 bytes of"
                + " compressed data"), r.error().getMessage());
        assertTrue(r.allocated() < 4 << 20, r.allocated() + " bytes allocated");
        // Gray, it is under the limit of one image, but still no deflate stream of 8 bytes.
        Files.delete(dir.resolve("rgb.png"));
        Files.write(dir.resolve("gray.png"), png(13000, 13000, 8, 0, new byte[] {0x78, (byte) 0x9C, 3, 0, 0, 0, 0, 1}));
        r = decodeFails("gray.png");
        assertTrue(r.error().getMessage().contains("declares 13000 x 13000 pixels (169013000 bytes) but holds only 8 bytes of"
                + " compressed data"), r.error().getMessage());
        assertTrue(r.allocated() < 4 << 20, r.allocated() + " bytes allocated");
    }

    @Test
    void aSixteenBitRgbaPngWithinPillowsPixelLimitIsRefusedForItsBytes() throws IOException {
        // 6000 x 6000 is 36 Mpx, a fifth of Pillow's limit, but 8 bytes a pixel: 275 MiB decoded. Real data (zeros).
        int w = 6000, h = 6000;
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + w * 8], buffer = new byte[1 << 16];
        for (int y = 0; y < h; y++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                idat.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        Files.write(dir.resolve("rgba16.png"), png(w, h, 16, 6, idat.toByteArray()));
        Refusal r = decodeFails("rgba16.png");
        assertTrue(r.error().getMessage().contains("6000 x 6000 pixels, 4 channels of 16 bits: 274 MiB decoded, over the 256"
                + " MiB limit of one image"), r.error().getMessage());
        assertTrue(r.allocated() < Files.size(dir.resolve("rgba16.png")) * 3 + (4 << 20), r.allocated() + " bytes allocated");
        assertTrue(r.millis() < 5000, r.millis() + " ms");
    }

    @Test
    void aTinyJpegDeclaring13000SquaredIsRefusedFromItsHeader() throws IOException {
        ByteArrayOutputStream j = new ByteArrayOutputStream();
        j.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8});
        // SOF0: 8 bits, 13000 x 13000, 3 components 1x1 sampling.
        j.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 17, 8, 0x32, (byte) 0xC8, 0x32, (byte) 0xC8, 3, 1, 0x11, 0, 2,
            0x11, 0, 3, 0x11, 0});
        j.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xDA, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 63, 0});
        j.writeBytes(new byte[] {0x12, 0x34, 0x56, (byte) 0xFF, (byte) 0xD9});
        Files.write(dir.resolve("huge.jpg"), j.toByteArray());
        Refusal r = decodeFails("huge.jpg");
        assertTrue(r.error().getMessage().contains("declares 13000 x 13000 pixels but holds only 40 bytes"),
                r.error().getMessage());
        assertTrue(r.allocated() < 4 << 20, r.allocated() + " bytes allocated");
    }

    @Test
    void decodersTogetherStayWithinTheSharedBudget() throws Exception {
        long total = DecodeBudget.total();
        assertTrue(total >= DecodeBudget.PER_IMAGE_BYTES && total <= 1L << 30, total + " bytes");
        long held = DecodeBudget.reserve(total);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean admitted = new AtomicBoolean();
        Thread other = Thread.ofPlatform().start(() -> {
            started.countDown();
            try {
                long one = DecodeBudget.reserve(1);
                admitted.set(true);
                DecodeBudget.release(one);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        started.await();
        other.join(300);
        assertFalse(admitted.get(), "a decode was admitted while the budget was spent");
        DecodeBudget.release(held);
        other.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(admitted.get(), "the waiting decode was not admitted after the release");
        // One image larger than the whole budget runs alone instead of waiting forever.
        long all = DecodeBudget.reserve(10 * total);
        assertEquals(total, all);
        DecodeBudget.release(all);
    }

    /** A PNG with the given IHDR and one IDAT chunk, CRCs correct. */
    private static byte[] png(int w, int h, int depth, int color, byte[] idat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) depth).put((byte) color).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
