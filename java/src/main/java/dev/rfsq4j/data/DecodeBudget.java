package dev.rfsq4j.data;

/**
 * The memory that image decoders may hold at once, shared by every decoding thread of the process: each decode
 * reserves what it will allocate (file bytes, decoded pixels, the decoder's own buffers) before it allocates, and
 * waits while the others hold too much. A single image may reserve at most {@link #PER_IMAGE_BYTES} decoded bytes
 * (larger ones are refused from their header); all together hold at most {@link #total()}: half the JVM's maximum
 * heap, clamped to [256 MiB, 1 GiB].
 */
final class DecodeBudget {
    /** The most bytes one decoded image may take as stored: width x height x channels x bytes per sample. */
    static final long PER_IMAGE_BYTES = 256L << 20;
    private static final long TOTAL = Math.clamp(Runtime.getRuntime().maxMemory() / 2, 256L << 20, 1L << 30);
    private static long available = TOTAL;

    private DecodeBudget() {}

    static long total() {
        return TOTAL;
    }

    /** Reserves bytes (capped at the total, so one large image runs alone), waiting for other decodes to release. */
    static long reserve(long bytes) throws InterruptedException {
        long take = Math.min(bytes, TOTAL);
        synchronized (DecodeBudget.class) {
            while (available < take) {
                DecodeBudget.class.wait();
            }
            available -= take;
        }
        return take;
    }

    /** Returns what {@link #reserve} returned. */
    static void release(long reserved) {
        synchronized (DecodeBudget.class) {
            available += reserved;
            DecodeBudget.class.notifyAll();
        }
    }
}
