package dev.rfsq4j.tokens;

import java.io.IOException;

/** A token file that is not one: wrong magic or version, sizes that do not add up, a bad checksum or value. */
public final class TokenFormatException extends IOException {
    public TokenFormatException(String message) {
        super(message);
    }
}
