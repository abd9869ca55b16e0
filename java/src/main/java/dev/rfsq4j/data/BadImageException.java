package dev.rfsq4j.data;

import java.io.IOException;

/**
 * One image file cannot be used: unreadable, not a PNG or JPEG, truncated, corrupt, unsupported, or over the
 * decoding budget. Training skips such images (and counts them) unless the data is strict; the message names the
 * file and what is wrong with it.
 */
public final class BadImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public BadImageException(String message) {
        super(message);
    }

    public BadImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
