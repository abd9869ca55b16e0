package dev.rfsq4j.cli;

/** The command line itself is wrong (unknown option, missing or malformed value): exit status 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
