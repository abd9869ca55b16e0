package dev.rfsq4j.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** 64-bit content identifiers: the first 8 bytes of a SHA-256, read little-endian. */
public final class Hashes {
    private Hashes() {}

    public static long sha256Prefix(byte[] data) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
            return ByteBuffer.wrap(digest).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
