package dev.rfsq4j.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The token file format: its documented layout byte for byte, round trips, and a strict reader. */
class TokenFileTest {
    private static Tokens random(SplittableRandom r, int codebook, int stages, boolean stats) {
        int b = r.nextInt(1, 4), h = r.nextInt(1, 6), w = r.nextInt(1, 6), c = stats ? r.nextInt(1, 17) : 0;
        int[] idx = new int[b * h * w * stages];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i % 7 == 0 ? codebook - 1 : r.nextInt(codebook); // the largest index too
        }
        float[] st = null;
        if (stats) {
            st = new float[2 * stages * b * c];
            for (int i = 0; i < st.length; i += 2) {
                st[i] = (float) r.nextGaussian();
                st[i + 1] = (float) r.nextDouble(1e-3, 3);
            }
        }
        return new Tokens(b, h, w, stages, codebook, r.nextLong(), r.nextLong(), idx, c, st);
    }

    @Test
    void theLayoutIsTheDocumentedOne() throws Exception {
        // codebook 5: 3 bits per index; 1 image of 1 x 3 positions, 2 stages; indices (position, stage).
        int[] idx = {1, 4, 2, 0, 3, 3};
        Tokens t = new Tokens(1, 1, 3, 2, 5, 0x1122334455667788L, 0x99AABBCCDDEEFF00L, idx, 1,
                new float[] {0.5f, 2f, -1f, 0.25f});
        byte[] file = TokenFile.write(t);
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new byte[] {(byte) 0x89, 'R', 'F', 'S', 'Q', 'T', 'O', 'K'}, Arrays.copyOf(file, 8));
        assertEquals(1, in.getShort(8));
        assertEquals(1, in.getShort(10)); // statistics follow
        assertEquals(0x1122334455667788L, in.getLong(12));
        assertEquals(0x99AABBCCDDEEFF00L, in.getLong(20));
        assertEquals(5, in.getInt(28));
        assertEquals(2, in.getShort(32));
        assertEquals(1, in.getShort(34));
        assertEquals(List3.of(1, 1, 3), List3.of(in.getInt(36), in.getInt(40), in.getInt(44)));
        // stage 0: 1, 2, 3 LSB first: 001 | 010 << 3 | 011 << 6 = 0xD1, then the last bit of 3 (0) and padding
        // stage 1: 4, 0, 3: 100 | 000 << 3 | 011 << 6 = 0xC4, then 0
        assertArrayEquals(new byte[] {(byte) 0xD1, 0, (byte) 0xC4, 0}, Arrays.copyOfRange(file, 48, 52));
        assertEquals(0.5f, in.getFloat(52));
        assertEquals(2f, in.getFloat(56));
        assertEquals(-1f, in.getFloat(60));
        assertEquals(0.25f, in.getFloat(64));
        CRC32C crc = new CRC32C();
        crc.update(file, 0, 68);
        assertEquals((int) crc.getValue(), in.getInt(68));
        assertEquals(72, file.length);
        assertEquals(t, TokenFile.parse(file));
    }

    private record List3(int a, int b, int c) {
        static List3 of(int a, int b, int c) {
            return new List3(a, b, c);
        }
    }

    @Test
    void everyShapeAndCodebookRoundTrips() throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        for (int codebook : new int[] {2, 3, 4, 5, 175, 1024, 2048, 4096, 65_537, 1 << 24, Integer.MAX_VALUE}) {
            for (int stages : new int[] {1, 2, 3, 4, 16}) {
                for (boolean stats : new boolean[] {false, true}) {
                    Tokens t = random(r, codebook, stages, stats);
                    byte[] file = TokenFile.write(t);
                    long positions = (long) t.batch() * t.height() * t.width();
                    assertEquals(48 + stages * ((positions * t.bitsPerIndex() + 7) / 8)
                            + (stats ? 8L * stages * t.batch() * t.channels() : 0) + 4, file.length, "size of " + t);
                    assertEquals(t, TokenFile.parse(file), "round trip of " + t);
                }
            }
        }
        assertEquals(1, new Tokens(1, 1, 1, 1, 2, 0, 0, new int[1], 0, null).bitsPerIndex());
        assertEquals(11, new Tokens(1, 1, 1, 1, 2048, 0, 0, new int[1], 0, null).bitsPerIndex());
        assertEquals(12, new Tokens(1, 1, 1, 1, 2049, 0, 0, new int[1], 0, null).bitsPerIndex());
        assertEquals(31, new Tokens(1, 1, 1, 1, Integer.MAX_VALUE, 0, 0, new int[1], 0, null).bitsPerIndex());
    }

    @Test
    void everyTruncationAndEveryFlippedBitIsRefused() {
        byte[] file = TokenFile.write(random(new SplittableRandom(12), 2048, 2, true));
        for (int n = 0; n < file.length; n++) {
            byte[] cut = Arrays.copyOf(file, n);
            assertThrows(TokenFormatException.class, () -> TokenFile.parse(cut), "truncated to " + n);
        }
        byte[] longer = Arrays.copyOf(file, file.length + 1);
        assertEquals(file.length + 1 + " bytes, the header accounts for " + file.length + " (trailing data)",
                assertThrows(TokenFormatException.class, () -> TokenFile.parse(longer)).getMessage());
        for (int bit = 0; bit < 8 * file.length; bit++) {
            byte[] flipped = file.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(TokenFormatException.class, () -> TokenFile.parse(flipped), "bit " + bit + " flipped");
        }
    }

    /** A valid file edited by f, with its checksum recomputed: what only the other checks can catch. */
    private static byte[] edited(Tokens t, Consumer<ByteBuffer> f) {
        ByteBuffer b = ByteBuffer.wrap(TokenFile.write(t)).order(ByteOrder.LITTLE_ENDIAN);
        f.accept(b);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.capacity() - 4);
        b.putInt(b.capacity() - 4, (int) crc.getValue());
        return b.array();
    }

    private static String refusal(byte[] file) {
        return assertThrows(TokenFormatException.class, () -> TokenFile.parse(file)).getMessage();
    }

    @Test
    void consistentButWrongFilesAreRefusedWithOneClearLine() {
        // codebook 5 (3 bits), 1 x 1 x 3, 2 stages: 2 bytes per stage, the top 7 bits of each second byte are padding
        Tokens t = new Tokens(1, 1, 3, 2, 5, 1, 2, new int[] {1, 4, 2, 0, 3, 3}, 1, new float[] {0, 1, 0, 1});
        assertEquals("token file version 2, this reader knows version 1", refusal(edited(t, b -> b.putShort(8, (short) 2))));
        assertEquals("unknown flags 0x3", refusal(edited(t, b -> b.putShort(10, (short) 3))));
        assertEquals("codebook size 1 is outside [2, 2^31 - 1]", refusal(edited(t, b -> b.putInt(28, 1))));
        assertEquals("codebook size 4294967295 is outside [2, 2^31 - 1]", refusal(edited(t, b -> b.putInt(28, -1))));
        assertEquals("stages 17 is outside [1, 16]", refusal(edited(t, b -> b.putShort(32, (short) 17))));
        assertEquals("channels 0 is outside [1, 16]", refusal(edited(t, b -> b.putShort(34, (short) 0))));
        assertEquals("channels 1 must be 0 without statistics", refusal(edited(t, b -> b.putShort(10, (short) 0))));
        assertEquals("batch, height and width must be >= 1, got 0, 1, 3", refusal(edited(t, b -> b.putInt(36, 0))));
        // 2^32 - 1 images, or 2^96 positions: refused from the header alone, before anything is allocated.
        assertEquals("truncated: the header needs 71940702244 bytes, the file has 72",
                refusal(edited(t, b -> b.putInt(36, -1).putInt(40, 1).putInt(44, 1))));
        assertEquals("header sizes (4294967295,4294967295,4294967295,2) overflow",
                refusal(edited(t, b -> b.putInt(36, -1).putInt(40, -1).putInt(44, -1))));
        assertEquals("index 7 of stage 0 at position 0 is outside the codebook [0, 5)",
                refusal(edited(t, b -> b.put(48, (byte) (b.get(48) | 7)))));
        assertEquals("padding bits of stage 1 are not zero", refusal(edited(t, b -> b.put(51, (byte) 0x80))));
        assertEquals("statistics 1 (mu 0.0, sigma 0.0) must be a finite mean and a finite sigma > 0",
                refusal(edited(t, b -> b.putFloat(64, 0f))));
        assertEquals("statistics 0 (mu NaN, sigma 1.0) must be a finite mean and a finite sigma > 0",
                refusal(edited(t, b -> b.putFloat(52, Float.NaN))));
        assertEquals("not a token file (bad magic bytes)", refusal(edited(t, b -> b.put(1, (byte) 'X'))));
        assertEquals("corrupt: the CRC-32C does not match the contents", refusal(flip(TokenFile.write(t), 50)));
        assertEquals("truncated: 3 bytes, a token file has at least 52", refusal(new byte[3]));
    }

    private static byte[] flip(byte[] file, int at) {
        file[at] ^= 1;
        return file;
    }

    /** Random and mutated inputs: only TokenFormatException ever comes out (what a fuzzer checks, seeded). */
    @Test
    void arbitraryBytesGiveTokensOrTokenFormatExceptionOnly() {
        SplittableRandom r = new SplittableRandom(13);
        byte[] valid = TokenFile.write(random(r, 4096, 3, true));
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[r.nextInt(0, 200)];
                r.nextBytes(input);
                if (input.length >= 8 && i % 4 == 0) {
                    System.arraycopy(TokenFile.MAGIC, 0, input, 0, 8);
                }
            } else {
                int edits = r.nextInt(1, 5);
                input = edited(random(r, r.nextInt(2, 5000), r.nextInt(1, 5), r.nextBoolean()), b -> {
                    for (int e = 0; e < edits; e++) {
                        int at = r.nextInt(8, b.capacity() - 4);
                        b.put(at, (byte) r.nextInt(256));
                    }
                });
            }
            byte[] bytes = input;
            try {
                TokenFile.parse(bytes);
            } catch (TokenFormatException expected) {
                // refused with a message
            } catch (RuntimeException | OutOfMemoryError e) {
                throw new AssertionError("input " + i + " (" + bytes.length + " bytes) threw " + e, e);
            }
        }
        assertEquals(valid.length, valid.length);
    }
}
